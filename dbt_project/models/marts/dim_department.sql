-- Names as printed in the latest report of each department.
select
    department_id,
    department_name,
    city
from {{ ref('int_reports__versions') }}
where is_current
qualify row_number() over (partition by department_id order by fiscal_year desc, extracted_at desc) = 1
