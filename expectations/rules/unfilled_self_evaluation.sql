-- rule: unfilled_self_evaluation
-- severity: warn
-- description: Every indicator of a project table has its 完成值 and 得分 filled in; one finding per table published unfilled, naming the indicators.
-- message: indicators published without 完成值 or 得分 (self-evaluation not filled in)
-- expect: expect_column_values_to_be_between column=unfilled_indicator_count min_value=0 max_value=0
select
    report_id as finding_key,
    fiscal_year,
    department_name,
    source_file,
    source_page,
    project_name as subject,
    'every 完成值 and 得分 filled in' as expected_value,
    cast(unfilled_indicator_count as varchar) || ' of ' || cast(indicator_count as varchar) || ' unfilled: '
    || coalesce(unfilled_indicator_names, '') as actual_value,
    unfilled_indicator_count
from intermediate.int_tables__scored
-- department-wide forms differ in what they print (a scoring sheet prints no 完成值): project tables only
where report_kind = 'project'
