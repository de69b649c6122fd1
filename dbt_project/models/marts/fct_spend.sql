-- Budget lines of 七、预算信息 and the funding lines of self-evaluation tables (line_type
-- project_funding for a project table, department_funding for a department-wide table).
with lines as (
    select
        report_id,
        department_id,
        fiscal_year,
        line_index,
        line_type,
        project_id,
        line_name,
        initial_budget_wan_yuan,
        adjustment_wan_yuan,
        adjusted_budget_wan_yuan,
        actual_spend_wan_yuan,
        execution_rate_pct,
        cast(null as varchar) as funding_source,
        cast(null as decimal(9, 2)) as weight,
        cast(null as decimal(9, 2)) as score,
        source_file,
        source_page,
        bbox_x0,
        bbox_top,
        bbox_x1,
        bbox_bottom,
        cell_range,
        text_source,
        ocr_confidence,
        needs_review
    from {{ ref('int_budget_lines__keyed') }}
    union all
    select
        report_id,
        department_id,
        fiscal_year,
        line_index,
        line_type,
        project_id,
        line_name,
        initial_budget_wan_yuan,
        cast(null as decimal(18, 2)) as adjustment_wan_yuan,
        adjusted_budget_wan_yuan,
        actual_spend_wan_yuan,
        execution_rate_pct,
        funding_source,
        weight,
        score,
        source_file,
        source_page,
        bbox_x0,
        bbox_top,
        bbox_x1,
        bbox_bottom,
        cell_range,
        text_source,
        ocr_confidence,
        needs_review
    from {{ ref('int_table_funding_lines__keyed') }}
)

select
    {{ surrogate_key(['report_id', 'line_index']) }} as spend_id,
    department_id,
    fiscal_year,
    report_id,
    line_index,
    line_type,
    project_id,
    line_name,
    initial_budget_wan_yuan,
    adjustment_wan_yuan,
    adjusted_budget_wan_yuan,
    actual_spend_wan_yuan,
    execution_rate_pct,
    -- A blank actual is no spending (the reports print 0.00% for it); no rate without a budget.
    case
        when adjusted_budget_wan_yuan <> 0
            then
                cast({{ exact_pct('coalesce(actual_spend_wan_yuan, 0)', 'adjusted_budget_wan_yuan') }} as decimal(9, 2))
    end as execution_rate_calc_pct,
    source_file,
    source_page,
    bbox_x0 as bbox_x0_pt,
    bbox_top as bbox_top_pt,
    bbox_x1 as bbox_x1_pt,
    bbox_bottom as bbox_bottom_pt,
    cell_range,
    funding_source,
    weight,
    score,
    text_source,
    ocr_confidence,
    needs_review
from lines
