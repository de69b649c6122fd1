-- rule: execution_rate
-- severity: warn
-- description: Printed execution rate = actual ÷ adjusted budget × 100 (blank actual = 0), ± 0.01, where the adjusted budget > 0: budget lines and the funding lines of project and department-wide tables (执行数 ÷ 全年/调整后预算数), not a table's line that prints a budget only.
-- message: printed execution rate differs from actual / adjusted × 100
-- expect: expect_column_values_to_be_between column=abs_diff min_value=0 max_value=0.01
select
    s.spend_id as finding_key,
    s.fiscal_year,
    d.department_name,
    s.source_file,
    s.source_page,
    s.line_name as subject,
    cast(round(coalesce(s.actual_spend_wan_yuan, 0) * 100 / s.adjusted_budget_wan_yuan, 4) as varchar)
        as expected_value,
    coalesce(cast(s.execution_rate_pct as varchar), 'blank') as actual_value,
    -- a blank printed rate is as far off as it gets
    case
        when s.execution_rate_pct is null then 100.0
        else round(abs(
            s.execution_rate_pct - coalesce(s.actual_spend_wan_yuan, 0) * 100 / s.adjusted_budget_wan_yuan
        ), 6)
    end as abs_diff
from marts.fct_spend as s
inner join marts.dim_department as d on s.department_id = d.department_id
where
    s.adjusted_budget_wan_yuan > 0
    -- a department-wide table's line that prints a budget only (基本支出总额 … of a county form) states
    -- no execution to check
    and not (
        s.line_type = 'department_funding' and s.actual_spend_wan_yuan is null and s.execution_rate_pct is null
    )
