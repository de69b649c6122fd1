select
    sha256,
    cast(table_index as integer) as table_index,
    cast(task_index as integer) as task_index,
    task,
    content,
    cast(budget as decimal(18, 2)) as budget_wan_yuan,
    cast(actual as decimal(18, 2)) as actual_wan_yuan,
    cast(page as integer) as source_page,
    bbox_x0,
    bbox_top,
    bbox_x1,
    bbox_bottom,
    cell_range,
    text_source,
    ocr_confidence,
    coalesce(needs_review, false) as needs_review
from {{ source('extracted', 'department_key_tasks') }}
where {{ not_rejected() }}
