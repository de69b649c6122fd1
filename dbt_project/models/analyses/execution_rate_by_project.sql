-- Execution rate by project and fiscal year (项目预算执行率), lowest first.
-- depends_on: {{ ref('fct_spend') }}
-- depends_on: {{ ref('dim_department') }}
select
    s.fiscal_year,
    d.department_name,
    s.line_name as project_name,
    s.adjusted_budget_wan_yuan,
    s.actual_spend_wan_yuan,
    s.execution_rate_pct,
    s.execution_rate_calc_pct
from marts.fct_spend as s
inner join marts.dim_department as d using (department_id)
where s.line_type = 'project'
order by s.fiscal_year, s.execution_rate_calc_pct nulls first, d.department_name, project_name
