-- One row per (key task, project it names) of a narrative report; a task naming no project keeps one
-- row with null project. Department-wide tables' 年度主要任务 rows follow, one row each, with their
-- content, budget and actual (which narrative reports do not print).
with narrative_tasks as (
    select
        {{ surrogate_key(['t.report_id', 't.task_index', 'p.project_position']) }} as key_task_project_id,
        r.department_id,
        r.fiscal_year,
        t.report_id,
        t.task_index,
        {{ surrogate_key(['r.department_id', 't.duty_key']) }} as duty_id,
        t.task_text,
        p.project_position,
        p.project_name_raw,
        p.project_id,
        p.match_method as project_match_method,
        t.status,
        r.source_file,
        t.source_page,
        t.bbox_x0 as bbox_x0_pt,
        t.bbox_top as bbox_top_pt,
        t.bbox_x1 as bbox_x1_pt,
        t.bbox_bottom as bbox_bottom_pt,
        t.cell_range,
        t.text_source,
        t.ocr_confidence,
        t.needs_review,
        cast(null as varchar) as task_content,
        cast(null as decimal(18, 2)) as budget_wan_yuan,
        cast(null as decimal(18, 2)) as actual_wan_yuan
    from {{ ref('stg_extracted__key_tasks') }} as t
    inner join {{ ref('int_reports__versions') }} as r
        on t.report_id = r.report_id and r.is_current
    left join {{ ref('int_key_task_projects__matched') }} as p
        on t.report_id = p.report_id and t.task_index = p.task_index
),

table_tasks as (
    select
        {{ surrogate_key(['r.report_id', 't.task_index']) }} as key_task_project_id,
        r.department_id,
        r.fiscal_year,
        r.report_id,
        t.task_index,
        cast(null as varchar) as duty_id,
        t.task as task_text,
        cast(null as integer) as project_position,
        cast(null as varchar) as project_name_raw,
        cast(null as varchar) as project_id,
        cast(null as varchar) as project_match_method,
        cast(null as varchar) as status,
        r.source_file,
        t.source_page,
        t.bbox_x0 as bbox_x0_pt,
        t.bbox_top as bbox_top_pt,
        t.bbox_x1 as bbox_x1_pt,
        t.bbox_bottom as bbox_bottom_pt,
        t.cell_range,
        t.text_source,
        t.ocr_confidence,
        t.needs_review,
        t.content as task_content,
        t.budget_wan_yuan,
        t.actual_wan_yuan
    from {{ ref('stg_extracted__department_key_tasks') }} as t
    inner join {{ ref('int_reports__versions') }} as r
        on
            t.sha256 = r.sha256 and t.table_index = r.table_index
            and r.report_kind = 'department_overall' and r.is_current
)

select * from narrative_tasks
union all
select * from table_tasks
