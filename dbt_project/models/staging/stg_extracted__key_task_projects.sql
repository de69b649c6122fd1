select
    sha256 as report_id,
    cast(task_index as integer) as task_index,
    cast(project_position as integer) as project_position,
    project_name_raw,
    project_name_key
from {{ source('extracted', 'key_task_projects') }}
where {{ not_rejected() }}
