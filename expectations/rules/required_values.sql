-- rule: required_values
-- severity: error
-- description: Summary lines (预算总金额, 基本支出, 项目支出) have their initial, adjusted and actual amounts.
-- message: a required amount is missing
-- expect: expect_column_values_to_not_be_null column=present
select
    s.spend_id as finding_key,
    s.fiscal_year,
    d.department_name,
    s.source_file,
    s.source_page,
    s.line_name as subject,
    'present' as expected_value,
    'missing' as actual_value,
    case
        when
            s.initial_budget_wan_yuan is null
            or s.adjusted_budget_wan_yuan is null
            or s.actual_spend_wan_yuan is null
            then null
        else 1
    end as present
from marts.fct_spend as s
inner join marts.dim_department as d on s.department_id = d.department_id
-- names of lines and indicators are dbt's not_null tests on the marts, not repeated here
where s.line_type in ('total', 'basic', 'project_total')
