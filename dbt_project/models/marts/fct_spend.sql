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
    bbox_bottom as bbox_bottom_pt
from {{ ref('int_budget_lines__keyed') }}
