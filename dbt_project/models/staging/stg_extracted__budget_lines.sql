select
    sha256 as report_id,
    cast(line_index as integer) as line_index,
    line_name,
    line_name_key,
    line_type,
    cast(initial_budget as decimal(18, 2)) as initial_budget_wan_yuan,
    cast(adjustment as decimal(18, 2)) as adjustment_wan_yuan,
    cast(adjusted_budget as decimal(18, 2)) as adjusted_budget_wan_yuan,
    cast(actual_spend as decimal(18, 2)) as actual_spend_wan_yuan,
    cast(execution_rate_pct as decimal(9, 2)) as execution_rate_pct,
    cast(page as integer) as source_page,
    bbox_x0,
    bbox_top,
    bbox_x1,
    bbox_bottom,
    cell_range,
    text_source,
    ocr_confidence,
    coalesce(needs_review, false) as needs_review
from {{ source('extracted', 'budget_lines') }}
where {{ not_rejected() }}
