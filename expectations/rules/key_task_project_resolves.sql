-- rule: key_task_project_resolves
-- severity: warn
-- description: Every project a key task names resolves to a budget line of its department.
-- message: key-task project matches no budget line (add it to project_name_overrides.csv if it should)
-- expect: expect_column_values_to_not_be_null column=project_id
select
    k.key_task_project_id as finding_key,
    k.fiscal_year,
    d.department_name,
    k.source_file,
    k.source_page,
    k.project_name_raw as subject,
    'a budget line of the department' as expected_value,
    'no match' as actual_value,
    k.project_id
from marts.fct_key_task as k
inner join marts.dim_department as d on k.department_id = d.department_id
where k.project_name_raw is not null
