select
    sha256 as report_id,
    cast(task_index as integer) as task_index,
    duty as duty_text,
    duty_key,
    task as task_text,
    status,
    cast(page as integer) as source_page,
    bbox_x0,
    bbox_top,
    bbox_x1,
    bbox_bottom,
    cell_range,
    text_source,
    ocr_confidence,
    coalesce(needs_review, false) as needs_review
from {{ source('extracted', 'key_tasks') }}
where {{ not_rejected() }}
