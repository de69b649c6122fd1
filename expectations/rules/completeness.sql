-- rule: completeness
-- severity: error
-- description: Each current narrative department-wide report (the suzhou_overall form) has exactly one 预算总金额, 基本支出 and 项目支出 line, at least one project line, indicator and key task.
-- message: a section of the report is missing or repeated
-- expect: expect_column_values_to_be_between column=n_total min_value=1 max_value=1 description="not exactly one 预算总金额 line"
-- expect: expect_column_values_to_be_between column=n_basic min_value=1 max_value=1 description="not exactly one 基本支出 line"
-- expect: expect_column_values_to_be_between column=n_project_total min_value=1 max_value=1 description="not exactly one 项目支出 line"
-- expect: expect_column_values_to_be_between column=n_project min_value=1 description="no project line"
-- expect: expect_column_values_to_be_between column=n_indicators min_value=1 description="no indicator (九、部门整体自评表)"
-- expect: expect_column_values_to_be_between column=n_key_tasks min_value=1 description="no key task (八、年度重点任务)"
with spend as (
    select
        report_id,
        count(*) filter (where line_type = 'total') as n_total,
        count(*) filter (where line_type = 'basic') as n_basic,
        count(*) filter (where line_type = 'project_total') as n_project_total,
        count(*) filter (where line_type = 'project') as n_project
    from marts.fct_spend
    group by report_id
),

indicators as (
    select
        report_id,
        count(*) as n_indicators
    from marts.fct_indicator
    group by report_id
),

key_tasks as (
    select
        report_id,
        count(*) as n_key_tasks
    from marts.fct_key_task
    group by report_id
),

counted as (
    select
        r.report_id,
        r.fiscal_year,
        d.department_name,
        r.source_file,
        coalesce(s.n_total, 0) as n_total,
        coalesce(s.n_basic, 0) as n_basic,
        coalesce(s.n_project_total, 0) as n_project_total,
        coalesce(s.n_project, 0) as n_project,
        coalesce(i.n_indicators, 0) as n_indicators,
        coalesce(k.n_key_tasks, 0) as n_key_tasks
    from marts.dim_report as r
    inner join marts.dim_department as d on r.department_id = d.department_id
    left join spend as s on r.report_id = s.report_id
    left join indicators as i on r.report_id = i.report_id
    left join key_tasks as k on r.report_id = k.report_id
    -- the Suzhou form's sections: a project table has none of them
    where r.is_current and r.form = 'suzhou_overall'
)

select
    report_id as finding_key,
    fiscal_year,
    department_name,
    source_file,
    null::integer as source_page,
    'report sections' as subject,
    '1 / 1 / 1 / ≥1 / ≥1 / ≥1' as expected_value,
    concat_ws(' / ', n_total, n_basic, n_project_total, n_project, n_indicators, n_key_tasks) as actual_value,
    n_total,
    n_basic,
    n_project_total,
    n_project,
    n_indicators,
    n_key_tasks
from counted
