-- rule: totals
-- severity: warn
-- description: 基本支出 + 项目支出 = 预算总金额 for each of the four amounts, ± 0.01.
-- message: basic + project spending differs from the printed total
-- expect: expect_column_values_to_be_between column=abs_diff min_value=0 max_value=0.01
select
    report_id || ':' || amount_column as finding_key,
    fiscal_year,
    department_name,
    source_file,
    total_source_page as source_page,
    '预算总金额 ' || amount_label as subject,
    cast(basic_wan_yuan + project_total_wan_yuan as varchar) as expected_value,
    cast(total_wan_yuan as varchar) as actual_value,
    cast(abs(total_wan_yuan - basic_wan_yuan - project_total_wan_yuan) as double) as abs_diff
from intermediate.int_report_amounts__summed
-- a missing or repeated summary line is completeness's finding, not a sum that is off
where total_line_count = 1 and basic_line_count = 1 and project_total_line_count = 1
