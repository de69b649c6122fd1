-- Key-task project names that match no budget line of their department (未匹配的项目名称).
select
    m.department_id,
    d.department_name,
    m.project_name_raw,
    m.best_similarity,
    m.mention_count,
    m.first_fiscal_year,
    m.last_fiscal_year
from {{ ref('map_project_name') }} as m
inner join {{ ref('dim_department') }} as d using (department_id)
where not m.is_matched
