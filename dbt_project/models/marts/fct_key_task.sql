-- One row per (key task, project it names); a task naming no project keeps one row with null project.
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
    t.cell_range
from {{ ref('stg_extracted__key_tasks') }} as t
inner join {{ ref('int_reports__versions') }} as r
    on t.report_id = r.report_id and r.is_current
left join {{ ref('int_key_task_projects__matched') }} as p
    on t.report_id = p.report_id and t.task_index = p.task_index
