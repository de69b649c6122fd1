select
    sha256,
    cast(table_index as integer) as table_index,
    cast(line_index as integer) as line_index,
    line_name,
    funding_source,
    cast(initial_budget as decimal(18, 2)) as initial_budget_wan_yuan,
    cast(adjusted_budget as decimal(18, 2)) as adjusted_budget_wan_yuan,
    cast(actual_spend as decimal(18, 2)) as actual_spend_wan_yuan,
    cast(execution_rate_pct as decimal(9, 2)) as execution_rate_pct,
    cast(weight as decimal(9, 2)) as weight,
    cast(score as decimal(9, 2)) as score,
    reason,
    {{ row_provenance() }}
from {{ source('extracted', 'project_funding_lines') }}
where {{ not_rejected() }}
