-- Names as printed in the latest report of each department (a department-wide report before the
-- project tables of its year); city and code from the latest report that prints them.
select
    department_id,
    max_by(department_name, (fiscal_year, report_kind = 'department_overall', extracted_at, report_id))
        as department_name,
    max_by(city, (fiscal_year, report_id)) filter (where city is not null) as city,
    max_by(department_code, (fiscal_year, report_id)) filter (where department_code is not null)
        as department_code
from {{ ref('int_reports__versions') }}
where is_current
group by department_id
