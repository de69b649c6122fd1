-- rule: adjusted_budget
-- severity: warn
-- description: Adjusted budget = initial budget + adjustment (blank = 0), ± 0.01, on budget lines of department-wide reports.
-- message: adjusted budget differs from initial budget + adjustment
-- expect: expect_column_values_to_be_between column=abs_diff min_value=0 max_value=0.01
select
    s.spend_id as finding_key,
    s.fiscal_year,
    d.department_name,
    s.source_file,
    s.source_page,
    s.line_name as subject,
    cast(coalesce(s.initial_budget_wan_yuan, 0) + coalesce(s.adjustment_wan_yuan, 0) as varchar)
        as expected_value,
    coalesce(cast(s.adjusted_budget_wan_yuan as varchar), 'blank') as actual_value,
    cast(abs(
        coalesce(s.adjusted_budget_wan_yuan, 0) - coalesce(s.initial_budget_wan_yuan, 0)
        - coalesce(s.adjustment_wan_yuan, 0)
    ) as double) as abs_diff
from marts.fct_spend as s
inner join marts.dim_department as d on s.department_id = d.department_id
-- a project table's funding lines print no adjustment
where s.line_type not in ('project_funding', 'department_funding')
