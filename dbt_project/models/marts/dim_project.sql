-- One row per project of a department across all years: a project line of the department-wide
-- report and a project table of the same department and name are one project. The name is as
-- printed most recently (the department-wide report's within a year, as before project tables);
-- code and implementing unit come from the latest project table that prints them.
with mentions as (
    select
        project_id,
        department_id,
        fiscal_year,
        line_name as project_name,
        name_key,
        cast(null as varchar) as project_code,
        cast(null as varchar) as implementing_unit,
        true as is_budget_line,
        report_id
    from {{ ref('int_budget_lines__keyed') }}
    where project_id is not null
    union all
    select
        project_id,
        department_id,
        fiscal_year,
        project_name,
        project_name_key,
        project_code,
        implementing_unit,
        false as is_budget_line,
        report_id
    from {{ ref('int_reports__versions') }}
    where is_current and report_kind = 'project'
)

select
    project_id,
    department_id,
    max_by(project_name, (fiscal_year, is_budget_line, report_id)) as project_name,
    name_key as project_name_key,
    min(fiscal_year) as first_fiscal_year,
    max(fiscal_year) as last_fiscal_year,
    count(distinct fiscal_year) as fiscal_year_count,
    max_by(project_code, (fiscal_year, report_id)) filter (where project_code is not null) as project_code,
    max_by(implementing_unit, (fiscal_year, report_id)) filter (where implementing_unit is not null)
        as implementing_unit
from mentions
group by project_id, department_id, name_key
