-- The auditable mapping from each printed key-task project name to its project. Correct a wrong or
-- missing match by adding a row to seeds/project_name_overrides.csv.
select
    m.department_id,
    m.project_name_raw,
    m.name_key as project_name_key,
    m.project_id,
    m.match_method,
    cast(round(m.best_similarity, 4) as decimal(6, 4)) as best_similarity,
    m.project_id is not null as is_matched,
    count(*) as mention_count,
    min(r.fiscal_year) as first_fiscal_year,
    max(r.fiscal_year) as last_fiscal_year
from {{ ref('int_key_task_projects__matched') }} as m
inner join {{ ref('int_reports__versions') }} as r on m.report_id = r.report_id
group by m.department_id, m.project_name_raw, m.name_key, m.project_id, m.match_method, m.best_similarity
