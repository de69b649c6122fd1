-- One row per budget line and amount, for the audit rules that check every amount the same way.
-- A view over the marts, so the audit checks the marts as they are published, not a copy of them.
{{ config(materialized='view') }}

select
    s.spend_id,
    s.report_id,
    s.fiscal_year,
    d.department_name,
    s.source_file,
    s.source_page,
    s.line_type,
    s.line_name,
    a.amount_column,
    a.amount_label,
    a.amount_wan_yuan
from {{ ref('fct_spend') }} as s
inner join {{ ref('dim_department') }} as d on s.department_id = d.department_id
cross join lateral (
    values
    ('initial_budget_wan_yuan', '年初预算数', s.initial_budget_wan_yuan),
    ('adjustment_wan_yuan', '上年度结转及当年预算追加追减数', s.adjustment_wan_yuan),
    ('adjusted_budget_wan_yuan', '调整预算数', s.adjusted_budget_wan_yuan),
    ('actual_spend_wan_yuan', '实际支出数', s.actual_spend_wan_yuan)
) as a (amount_column, amount_label, amount_wan_yuan)
