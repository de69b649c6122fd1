-- rule: table_total_score
-- severity: warn
-- description: A self-evaluation table's (project or department-wide) total score (总分 / 合计) = its indicator scores + its budget score (blank = 0), ± 0.01, where the form prints indicator weights.
-- message: the total score differs from the sum of the scores
-- expect: expect_column_values_to_be_between column=abs_diff min_value=0 max_value=0.01
select
    report_id as finding_key,
    fiscal_year,
    department_name,
    source_file,
    source_page,
    table_subject || ' 总分 得分' as subject,
    cast(indicator_score + coalesce(budget_score, 0) as varchar) as expected_value,
    cast(total_score as varchar) as actual_value,
    cast(abs(total_score - indicator_score - coalesce(budget_score, 0)) as double) as abs_diff
from intermediate.int_tables__scored
where total_score is not null and has_indicator_weights
