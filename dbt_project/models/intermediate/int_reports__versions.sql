-- Every extracted report, with which one is current for its department and year: a corrected
-- re-issue (same department and year, different file content) supersedes the earlier one.
with reports as (
    select
        *,
        {{ surrogate_key([normalize_name('department_name')]) }} as department_id
    from {{ ref('stg_extracted__reports') }}
),

ranked as (
    select
        *,
        row_number() over (
            partition by department_id, fiscal_year order by extracted_at desc, report_id desc
        ) as version_rank,
        first_value(report_id) over (
            partition by department_id, fiscal_year order by extracted_at desc, report_id desc
        ) as current_report_id
    from reports
)

select
    *,
    version_rank = 1 as is_current,
    case when version_rank > 1 then current_report_id end as superseded_by_report_id
from ranked
