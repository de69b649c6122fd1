-- rule: score_within_weight
-- severity: warn
-- description: Every score of a self-evaluation table, project or department-wide (funding line, indicator, 总分), is at most its weight, + 0.01.
-- message: a score above its weight
-- expect: expect_column_values_to_be_between column=excess max_value=0.01
select
    s.spend_id as finding_key,
    s.fiscal_year,
    d.department_name,
    s.source_file,
    s.source_page,
    coalesce(p.project_name, d.department_name) || ' ' || s.line_name as subject,
    '≤ ' || cast(s.weight as varchar) as expected_value,
    cast(s.score as varchar) as actual_value,
    cast(s.score - s.weight as double) as excess
from marts.fct_spend as s
inner join marts.dim_department as d on s.department_id = d.department_id
left join marts.dim_project as p on s.project_id = p.project_id
where s.line_type in ('project_funding', 'department_funding') and s.score is not null and s.weight is not null
union all
select
    i.indicator_id as finding_key,
    i.fiscal_year,
    d.department_name,
    i.source_file,
    i.source_page,
    coalesce(p.project_name, d.department_name) || ' ' || i.indicator_name as subject,
    '≤ ' || cast(i.weight as varchar) as expected_value,
    cast(i.score as varchar) as actual_value,
    cast(i.score - i.weight as double) as excess
from marts.fct_indicator as i
inner join marts.dim_department as d on i.department_id = d.department_id
left join marts.dim_project as p on i.project_id = p.project_id
where i.form <> 'suzhou_overall' and i.score is not null and i.weight is not null
union all
select
    report_id as finding_key,
    fiscal_year,
    department_name,
    source_file,
    source_page,
    table_subject || ' 总分' as subject,
    '≤ ' || cast(total_weight as varchar) as expected_value,
    cast(total_score as varchar) as actual_value,
    cast(total_score - total_weight as double) as excess
from intermediate.int_tables__scored
where total_score is not null and total_weight is not null
