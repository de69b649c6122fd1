-- Projects that spent less than 80% of their adjusted budget (执行率低于80%的项目).
-- depends_on: {{ ref('fct_spend') }}
-- depends_on: {{ ref('dim_department') }}
select
    s.fiscal_year,
    d.department_name,
    s.line_name as project_name,
    s.adjusted_budget_wan_yuan,
    s.actual_spend_wan_yuan,
    s.execution_rate_calc_pct,
    s.source_file,
    s.source_page
from marts.fct_spend as s
inner join marts.dim_department as d using (department_id)
where
    s.line_type = 'project' and s.adjusted_budget_wan_yuan > 0
    and coalesce(s.execution_rate_calc_pct, 0) < 80
order by s.fiscal_year, d.department_name, s.execution_rate_calc_pct nulls first
