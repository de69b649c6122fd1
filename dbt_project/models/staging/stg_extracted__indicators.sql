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
    {{ row_provenance() }}
from {{ source('extracted', 'indicators') }}
where {{ not_rejected() }}
