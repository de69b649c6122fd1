select
    sha256,
    cast(table_index as integer) as table_index,
    cast(task_index as integer) as task_index,
    task,
    content,
    cast(budget as decimal(18, 2)) as budget_wan_yuan,
    cast(actual as decimal(18, 2)) as actual_wan_yuan,
    {{ row_provenance() }}
from {{ source('extracted', 'department_key_tasks') }}
where {{ not_rejected() }}
