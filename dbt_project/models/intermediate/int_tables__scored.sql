-- Per current self-evaluation table (a project table or a department-wide table), its printed 总分
-- row beside what its funding block and indicators add up to: what the audit's table rules compare.
-- A view over the marts, like the audit's other views. The budget's weight and score are its total
-- line's (年度资金总额 / 总额 / 部门整体支出总额), or the sum over its lines where the total line
-- prints none.
{{ config(materialized='view') }}

with funding as (
    select
        report_id,
        coalesce(max(weight) filter (where funding_source = 'total'), sum(weight)) as budget_weight,
        coalesce(max(score) filter (where funding_source = 'total'), sum(score)) as budget_score
    from {{ ref('fct_spend') }}
    where line_type in ('project_funding', 'department_funding')
    group by report_id
),

indicators as (
    select
        report_id,
        count(*) as indicator_count,
        sum(weight) as indicator_weight,
        sum(coalesce(score, 0)) as indicator_score,
        count(*) filter (where actual_raw is null or score is null) as unfilled_indicator_count,
        string_agg(indicator_name, '、' order by indicator_index)
        filter (where actual_raw is null or score is null) as unfilled_indicator_names
    from {{ ref('fct_indicator') }}
    where form <> 'suzhou_overall'
    group by report_id
)

select
    r.report_id,
    r.report_kind,
    r.form,
    r.fiscal_year,
    d.department_name,
    r.source_file,
    r.source_page,
    p.project_name,
    -- what a finding names: the project of a project table, the department of a department-wide one
    coalesce(p.project_name, d.department_name) as table_subject,
    r.total_weight,
    r.total_score,
    f.budget_weight,
    f.budget_score,
    coalesce(i.indicator_count, 0) as indicator_count,
    coalesce(i.indicator_weight, 0) as indicator_weight,
    -- whether the form prints indicator weights (a county form prints scores only)
    i.indicator_weight is not null as has_indicator_weights,
    coalesce(i.indicator_score, 0) as indicator_score,
    coalesce(i.unfilled_indicator_count, 0) as unfilled_indicator_count,
    i.unfilled_indicator_names
from {{ ref('dim_report') }} as r
inner join {{ ref('dim_department') }} as d on r.department_id = d.department_id
left join {{ ref('dim_project') }} as p on r.project_id = p.project_id
left join funding as f on r.report_id = f.report_id
left join indicators as i on r.report_id = i.report_id
where r.is_current and r.form <> 'suzhou_overall'
