select
    sha256 as report_id,
    cast(indicator_index as integer) as indicator_index,
    level1,
    category,
    indicator_name,
    target_raw,
    actual_raw,
    value_source,
    deviation_raw,
    reason,
    cast(page as integer) as source_page,
    bbox_x0,
    bbox_top,
    bbox_x1,
    bbox_bottom,
    cell_range,
    text_source,
    ocr_confidence,
    coalesce(needs_review, false) as needs_review
from {{ source('extracted', 'indicators') }}
where {{ not_rejected() }}
