-- Year-over-year change per project (项目同比): budget and spending against the previous year.
with yearly as (
    select
        project_id,
        fiscal_year,
        adjusted_budget_wan_yuan,
        actual_spend_wan_yuan,
        execution_rate_calc_pct
    from {{ ref('fct_spend') }}
    where line_type = 'project'
)

select
    d.department_name,
    p.project_name,
    cur.fiscal_year,
    prev.adjusted_budget_wan_yuan as prev_adjusted_budget_wan_yuan,
    cur.adjusted_budget_wan_yuan,
    cur.adjusted_budget_wan_yuan - prev.adjusted_budget_wan_yuan as adjusted_budget_change_wan_yuan,
    prev.actual_spend_wan_yuan as prev_actual_spend_wan_yuan,
    cur.actual_spend_wan_yuan,
    cur.actual_spend_wan_yuan - prev.actual_spend_wan_yuan as actual_spend_change_wan_yuan,
    cur.execution_rate_calc_pct - prev.execution_rate_calc_pct as execution_rate_change_pct_points
from yearly as cur
inner join yearly as prev
    on cur.project_id = prev.project_id and prev.fiscal_year = cur.fiscal_year - 1
inner join {{ ref('dim_project') }} as p on cur.project_id = p.project_id
inner join {{ ref('dim_department') }} as d on p.department_id = d.department_id
order by d.department_name, actual_spend_change_wan_yuan
