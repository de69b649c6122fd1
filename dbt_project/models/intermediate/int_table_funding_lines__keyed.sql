-- Funding lines of current self-evaluation tables — project tables (line_type project_funding) and
-- department-wide tables (department_funding) — with the report, department, year and project (of a
-- project table) they belong to.
with lines as (
    select
        sha256,
        table_index,
        'project' as report_kind,
        'project_funding' as line_type,
        *
        exclude (sha256, table_index)
    from {{ ref('stg_extracted__project_funding_lines') }}
    union all
    select
        sha256,
        table_index,
        'department_overall' as report_kind,
        'department_funding' as line_type,
        *
        exclude (sha256, table_index)
    from {{ ref('stg_extracted__department_funding_lines') }}
)

select
    r.report_id,
    r.department_id,
    r.fiscal_year,
    r.source_file,
    r.project_id,
    f.line_type,
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
    f.cell_range,
    f.text_source,
    f.ocr_confidence,
    f.needs_review
from lines as f
inner join {{ ref('int_reports__versions') }} as r
    on
        f.sha256 = r.sha256 and f.table_index = r.table_index and f.report_kind = r.report_kind
        and r.is_current
