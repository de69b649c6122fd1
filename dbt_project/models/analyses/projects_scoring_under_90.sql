-- Projects whose self-evaluation scored under 90 (自评得分低于90分的项目), each with its three
-- lowest-scoring indicators: the most points lost against their weight first.
-- depends_on: {{ ref('dim_report') }}
-- depends_on: {{ ref('dim_project') }}
-- depends_on: {{ ref('dim_department') }}
-- depends_on: {{ ref('fct_indicator') }}
with low as (
    select
        r.report_id,
        r.fiscal_year,
        d.department_name,
        p.project_name,
        r.total_score,
        r.total_weight,
        r.source_file
    from marts.dim_report as r
    inner join marts.dim_project as p on r.project_id = p.project_id
    inner join marts.dim_department as d on r.department_id = d.department_id
    where r.is_current and r.report_kind = 'project' and r.total_score < 90
),

ranked as (
    select
        i.report_id,
        i.level1,
        i.level2,
        i.indicator_name,
        i.weight,
        i.score,
        -- A blank score (published unfilled) loses the whole weight.
        cast(i.weight - coalesce(i.score, 0) as decimal(9, 2)) as points_lost,
        i.reason,
        i.source_page,
        row_number() over (
            partition by i.report_id order by i.weight - coalesce(i.score, 0) desc, i.indicator_index
        ) as indicator_rank
    from marts.fct_indicator as i
    where i.report_id in (select low.report_id from low) and i.weight is not null
)

select
    low.fiscal_year,
    low.department_name,
    low.project_name,
    low.total_score,
    low.total_weight,
    ranked.indicator_rank,
    ranked.level1,
    ranked.level2,
    ranked.indicator_name,
    ranked.weight,
    ranked.score,
    ranked.points_lost,
    ranked.reason,
    low.source_file,
    ranked.source_page
from low
left join ranked on low.report_id = ranked.report_id and ranked.indicator_rank <= 3
order by low.fiscal_year, low.total_score, low.department_name, low.project_name, ranked.indicator_rank
