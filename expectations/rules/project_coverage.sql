-- rule: project_coverage
-- severity: warn
-- description: The listed project lines add up to no more than 项目支出 (initial, adjusted, actual); coverage = listed ÷ 项目支出 is reported.
-- message: listed project lines add up to more than 项目支出
-- expect: expect_column_values_to_be_between column=excess max_value=0.01
select
    report_id || ':' || amount_column as finding_key,
    fiscal_year,
    department_name,
    source_file,
    total_source_page as source_page,
    '项目支出 ' || amount_label as subject,
    '≤ ' || cast(project_total_wan_yuan as varchar) as expected_value,
    cast(listed_projects_wan_yuan as varchar) as actual_value,
    cast(listed_projects_wan_yuan - project_total_wan_yuan as double) as excess,
    -- reported in audit.rule_results.metrics: how much of 项目支出 the report lists
    case
        when project_total_wan_yuan > 0 then cast(listed_projects_wan_yuan / project_total_wan_yuan as double)
    end as coverage
from intermediate.int_report_amounts__summed
-- adjustments may be listed per project or not at all: no bound to check
where project_total_line_count = 1 and amount_column <> 'adjustment_wan_yuan'
