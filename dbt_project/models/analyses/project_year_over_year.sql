-- Year-over-year change per project (项目同比): budget and spending against the previous year.
-- depends_on: {{ ref('fct_spend') }}
-- depends_on: {{ ref('dim_project') }}
-- depends_on: {{ ref('dim_department') }}
with yearly as (
    select
        project_id,
        fiscal_year,
        adjusted_budget_wan_yuan,
        actual_spend_wan_yuan,
        execution_rate_calc_pct
    from marts.fct_spend
    where line_type = 'project'
)

select
    d.department_name,
    p.project_name,
    cur.fiscal_year,
    prev.adjusted_budget_wan_yuan as prev_adjusted_budget_wan_yuan,
    cur.adjusted_budget_wan_yuan,
    -- Differences cast back to the amounts' type: DuckDB 2 widens DECIMAL(18,2) - DECIMAL(18,2) to
    -- (19,2), 1.x does not, and a 1.x reader refuses a view whose column types changed.
    cast(cur.adjusted_budget_wan_yuan - prev.adjusted_budget_wan_yuan as decimal(18, 2))
        as adjusted_budget_change_wan_yuan,
    prev.actual_spend_wan_yuan as prev_actual_spend_wan_yuan,
    cur.actual_spend_wan_yuan,
    cast(cur.actual_spend_wan_yuan - prev.actual_spend_wan_yuan as decimal(18, 2))
        as actual_spend_change_wan_yuan,
    cur.execution_rate_calc_pct - prev.execution_rate_calc_pct as execution_rate_change_pct_points
from yearly as cur
inner join yearly as prev
    on cur.project_id = prev.project_id and prev.fiscal_year = cur.fiscal_year - 1
inner join marts.dim_project as p on cur.project_id = p.project_id
inner join marts.dim_department as d on p.department_id = d.department_id
order by d.department_name, actual_spend_change_wan_yuan
