-- rule: table_weights
-- severity: warn
-- description: A self-evaluation table's (project or department-wide) indicator weights + its budget weight (资金 分值/权重) = its total weight (总分 / 合计), ± 0.01.
-- message: indicator weights + budget weight differ from the total weight
-- expect: expect_column_values_to_be_between column=abs_diff min_value=0 max_value=0.01
select
    report_id as finding_key,
    fiscal_year,
    department_name,
    source_file,
    source_page,
    table_subject || ' 总分 分值' as subject,
    cast(indicator_weight + coalesce(budget_weight, 0) as varchar) as expected_value,
    cast(total_weight as varchar) as actual_value,
    cast(abs(total_weight - indicator_weight - coalesce(budget_weight, 0)) as double) as abs_diff
from intermediate.int_tables__scored
where total_weight is not null
