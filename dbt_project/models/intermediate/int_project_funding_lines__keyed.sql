-- Funding lines of current project tables, with the report, department, year and project they belong to.
select
    r.report_id,
    r.department_id,
    r.fiscal_year,
    r.source_file,
    r.project_id,
    f.line_index,
    f.line_name,
    f.funding_source,
    f.initial_budget_wan_yuan,
    f.adjusted_budget_wan_yuan,
    f.actual_spend_wan_yuan,
    f.execution_rate_pct,
    f.weight,
    f.score,
    f.reason,
    f.source_page,
    f.bbox_x0,
    f.bbox_top,
    f.bbox_x1,
    f.bbox_bottom,
    f.cell_range
from {{ ref('stg_extracted__project_funding_lines') }} as f
inner join {{ ref('int_reports__versions') }} as r
    on f.sha256 = r.sha256 and f.table_index = r.table_index and r.is_current
