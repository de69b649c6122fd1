select
    sha256,
    cast(table_index as integer) as table_index,
    cast(indicator_index as integer) as indicator_index,
    level1,
    level2,
    indicator_name,
    operator,
    target_raw,
    unit,
    actual_raw,
    cast(weight as decimal(9, 2)) as weight,
    cast(score as decimal(9, 2)) as score,
    reason,
    {{ row_provenance() }}
from {{ source('extracted', 'project_indicators') }}
where {{ not_rejected() }}
