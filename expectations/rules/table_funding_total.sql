-- rule: table_funding_total
-- severity: warn
-- description: A self-evaluation table's (project or department-wide) total funding line (年度资金总额 / 总额) = the sum of its other printed lines (财政拨款, 上年结转, 其他资金, ... or 基本支出, 项目支出), for each amount, ± 0.01.
-- message: the total funding line differs from the sum of its sources
-- expect: expect_column_values_to_be_between column=abs_diff min_value=0 max_value=0.01
with funding as (
    select
        s.report_id,
        s.project_id,
        s.source_page,
        s.line_name,
        s.funding_source,
        a.amount_column,
        a.amount_label,
        a.amount_wan_yuan
    from marts.fct_spend as s
    cross join
        lateral (
            values
            ('initial_budget_wan_yuan', '年初预算数', s.initial_budget_wan_yuan),
            ('adjusted_budget_wan_yuan', '全年预算数', s.adjusted_budget_wan_yuan),
            ('actual_spend_wan_yuan', '全年执行数', s.actual_spend_wan_yuan)
        ) as a (amount_column, amount_label, amount_wan_yuan)
    where s.line_type in ('project_funding', 'department_funding')
),

summed as (
    select
        report_id,
        amount_column,
        sum(amount_wan_yuan) as sources_wan_yuan
    from funding
    where funding_source <> 'total'
    group by report_id, amount_column
)

select
    t.report_id || ':' || t.amount_column as finding_key,
    r.fiscal_year,
    d.department_name,
    r.source_file,
    t.source_page,
    coalesce(p.project_name, d.department_name) || ' ' || t.line_name || ' ' || t.amount_label as subject,
    cast(u.sources_wan_yuan as varchar) as expected_value,
    cast(t.amount_wan_yuan as varchar) as actual_value,
    cast(abs(t.amount_wan_yuan - u.sources_wan_yuan) as double) as abs_diff
from funding as t
inner join summed as u on t.report_id = u.report_id and t.amount_column = u.amount_column
inner join marts.dim_report as r on t.report_id = r.report_id
inner join marts.dim_department as d on r.department_id = d.department_id
left join marts.dim_project as p on t.project_id = p.project_id
where t.funding_source = 'total' and t.amount_wan_yuan is not null and u.sources_wan_yuan is not null
