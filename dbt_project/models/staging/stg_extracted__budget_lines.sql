select
    sha256 as report_id,
    cast(line_index as integer) as line_index,
    line_name,
    line_name_key,
    line_type,
    cast(initial_budget as decimal(18, 2)) as initial_budget_wan_yuan,
    cast(adjustment as decimal(18, 2)) as adjustment_wan_yuan,
    cast(adjusted_budget as decimal(18, 2)) as adjusted_budget_wan_yuan,
    cast(actual_spend as decimal(18, 2)) as actual_spend_wan_yuan,
    cast(execution_rate_pct as decimal(9, 2)) as execution_rate_pct,
    {{ row_provenance() }}
from {{ source('extracted', 'budget_lines') }}
where {{ not_rejected() }}
