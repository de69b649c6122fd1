-- Execution rate by project for one fiscal year (项目预算执行率), lowest first.
select
    d.department_name,
    s.line_name as project_name,
    s.adjusted_budget_wan_yuan,
    s.actual_spend_wan_yuan,
    s.execution_rate_pct,
    s.execution_rate_calc_pct
from {{ ref('fct_spend') }} as s
inner join {{ ref('dim_department') }} as d using (department_id)
where s.line_type = 'project' and s.fiscal_year = 2022
order by s.execution_rate_calc_pct nulls first, d.department_name, project_name
