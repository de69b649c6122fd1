-- Budget lines of current reports, with the project each project line belongs to.
with lines as (
    select
        l.*,
        r.department_id,
        r.fiscal_year,
        r.source_file,
        l.line_name_key as name_key
    from {{ ref('stg_extracted__budget_lines') }} as l
    inner join {{ ref('int_reports__versions') }} as r
        on l.report_id = r.report_id and r.is_current
)

select
    *,
    case
        when line_type = 'project' then {{ surrogate_key(['department_id', 'name_key']) }}
    end as project_id
from lines
