-- Every extracted report, with which one is current for its department and year: a corrected
-- re-issue (same department and year, different file content) supersedes the earlier one. Newest
-- file wins (modification time), then the latest extraction, then the hash (so the choice is stable).
with reports as (
    select
        *,
        {{ surrogate_key(['department_key']) }} as department_id
    from {{ ref('stg_extracted__reports') }}
),

ranked as (
    select
        *,
        row_number() over newest_first as version_rank,
        first_value(report_id) over newest_first as current_report_id
    from reports
    window newest_first as (
        partition by department_id, fiscal_year
        order by source_modified_at desc nulls last, extracted_at desc, report_id desc
    )
)

select
    *,
    version_rank = 1 as is_current,
    case when version_rank > 1 then current_report_id end as superseded_by_report_id
from ranked
