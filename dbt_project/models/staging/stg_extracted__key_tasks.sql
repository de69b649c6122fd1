select
    sha256 as report_id,
    cast(task_index as integer) as task_index,
    duty as duty_text,
    task as task_text,
    status,
    cast(page as integer) as source_page
from {{ source('extracted', 'key_tasks') }}
where {{ not_rejected() }}
