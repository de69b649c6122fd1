-- Project funding by source per department and fiscal year (项目资金来源): what the current project
-- tables print for each source (财政拨款, 上年结转, 单位资金, ...), their totals left out.
-- depends_on: {{ ref('fct_spend') }}
-- depends_on: {{ ref('dim_department') }}
select
    s.fiscal_year,
    d.department_name,
    s.funding_source,
    count(distinct s.project_id) as project_count,
    cast(sum(s.initial_budget_wan_yuan) as decimal(18, 2)) as initial_budget_wan_yuan,
    cast(sum(s.adjusted_budget_wan_yuan) as decimal(18, 2)) as adjusted_budget_wan_yuan,
    cast(sum(s.actual_spend_wan_yuan) as decimal(18, 2)) as actual_spend_wan_yuan
from marts.fct_spend as s
inner join marts.dim_department as d on s.department_id = d.department_id
where
    s.line_type = 'project_funding'
    and s.funding_source <> 'total'
    and (
        s.initial_budget_wan_yuan is not null
        or s.adjusted_budget_wan_yuan is not null
        or s.actual_spend_wan_yuan is not null
    )
group by s.fiscal_year, d.department_name, s.funding_source
order by s.fiscal_year asc, d.department_name asc, adjusted_budget_wan_yuan desc nulls last, s.funding_source asc
