select
    sha256,
    cast(table_index as integer) as table_index,
    source_file,
    cast(page_count as integer) as page_count,
    extracted_at,
    source_modified_at,
    form,
    cast(fiscal_year as integer) as fiscal_year,
    trim(department) as department_name,
    department_key,
    department_code,
    goal_expected,
    goal_adjusted,
    goal_achieved,
    cast(total_weight as decimal(9, 2)) as total_weight,
    cast(total_score as decimal(9, 2)) as total_score,
    conclusion,
    problems,
    improvements,
    cast(page as integer) as source_page,
    cell_range
from {{ source('extracted', 'department_tables') }}
where {{ not_rejected() }}
