-- Key tasks whose funding projects under-spent (重点任务对应项目执行率低于90%).
-- depends_on: {{ ref('fct_key_task') }}
-- depends_on: {{ ref('fct_spend') }}
-- depends_on: {{ ref('dim_department') }}
select
    k.fiscal_year,
    d.department_name,
    k.task_text,
    k.project_name_raw,
    s.line_name as budget_line_name,
    s.adjusted_budget_wan_yuan,
    s.actual_spend_wan_yuan,
    s.execution_rate_calc_pct,
    k.status
from marts.fct_key_task as k
inner join marts.fct_spend as s
    on k.project_id = s.project_id and k.report_id = s.report_id
inner join marts.dim_department as d on k.department_id = d.department_id
where s.adjusted_budget_wan_yuan > 0 and coalesce(s.execution_rate_calc_pct, 0) < 90
order by k.fiscal_year, d.department_name, s.execution_rate_calc_pct nulls first
