-- One row per project of a department across all years; the name is as printed most recently.
select
    project_id,
    department_id,
    max_by(line_name, fiscal_year) as project_name,
    name_key as project_name_key,
    min(fiscal_year) as first_fiscal_year,
    max(fiscal_year) as last_fiscal_year,
    count(distinct fiscal_year) as fiscal_year_count
from {{ ref('int_budget_lines__keyed') }}
where project_id is not null
group by project_id, department_id, name_key
