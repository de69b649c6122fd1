select
    sha256 as report_id,
    cast(task_index as integer) as task_index,
    duty as duty_text,
    duty_key,
    task as task_text,
    status,
    {{ row_provenance() }}
from {{ source('extracted', 'key_tasks') }}
where {{ not_rejected() }}
