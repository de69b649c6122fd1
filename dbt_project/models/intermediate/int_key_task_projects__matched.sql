-- Each project named by a key task, matched to a project of the same department:
-- 1. a hand override (seed project_name_overrides), 2. the same normalized name,
-- 3. the most similar name when it is similar enough and no other name is as similar.
with named as (
    select
        p.report_id,
        p.task_index,
        p.project_position,
        p.project_name_raw,
        r.department_id,
        r.department_key,
        p.project_name_key as name_key
    from {{ ref('stg_extracted__key_task_projects') }} as p
    inner join {{ ref('int_reports__versions') }} as r
        on p.report_id = r.report_id and r.is_current
),

projects as (
    select distinct
        department_id,
        project_id,
        name_key
    from {{ ref('int_budget_lines__keyed') }}
    where project_id is not null
),

overridden as (
    select
        n.report_id,
        n.task_index,
        n.project_position,
        p.project_id
    from named as n
    inner join {{ ref('project_name_overrides') }} as o
        on
            {{ name_key('o.department_name') }} = n.department_key
            and {{ name_key('o.project_name_raw') }} = n.name_key
    inner join projects as p
        on n.department_id = p.department_id and p.name_key = {{ name_key('o.project_name') }}
),

scored as (
    select
        n.report_id,
        n.task_index,
        n.project_position,
        p.project_id,
        {{ name_similarity('n.name_key', 'p.name_key') }} as similarity,
        rank() over (
            partition by n.report_id, n.task_index, n.project_position
            order by {{ name_similarity('n.name_key', 'p.name_key') }} desc
        ) as similarity_rank
    from named as n
    inner join projects as p on n.department_id = p.department_id
),

best as (
    select
        report_id,
        task_index,
        project_position,
        min(project_id) as project_id,
        max(similarity) as similarity,
        count(*) as tied
    from scored
    where similarity_rank = 1
    group by report_id, task_index, project_position
),

joined as (
    select
        n.report_id,
        n.task_index,
        n.project_position,
        n.department_id,
        n.project_name_raw,
        n.name_key,
        o.project_id as override_project_id,
        e.project_id as exact_project_id,
        b.project_id as similar_project_id,
        b.similarity as best_similarity,
        case
            when o.project_id is not null then 'override'
            when e.project_id is not null then 'exact'
            when b.tied = 1 and b.similarity >= {{ var('project_match_min_similarity') }} then 'similar'
            else 'unmatched'
        end as match_method
    from named as n
    left join overridden as o
        on n.report_id = o.report_id and n.task_index = o.task_index and n.project_position = o.project_position
    left join projects as e
        on n.department_id = e.department_id and n.name_key = e.name_key
    left join best as b
        on n.report_id = b.report_id and n.task_index = b.task_index and n.project_position = b.project_position
)

select
    report_id,
    task_index,
    project_position,
    department_id,
    project_name_raw,
    name_key,
    case match_method
        when 'override' then override_project_id
        when 'exact' then exact_project_id
        when 'similar' then similar_project_id
    end as project_id,
    best_similarity,
    match_method
from joined
