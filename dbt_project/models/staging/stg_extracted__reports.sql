select
    sha256 as report_id,
    sha256,
    source_file,
    trim(title) as title,
    trim(department) as department_name,
    department_key,
    cast(fiscal_year as integer) as fiscal_year,
    city,
    cast(page_count as integer) as page_count,
    ocr_pages,
    extracted_at,
    source_modified_at,
    cast(completion_rate_pct as decimal(9, 2)) as stated_completion_rate_pct,
    cast(budget_timeliness_rate_pct as decimal(9, 2)) as stated_budget_timeliness_rate_pct,
    cast(indicator_total as integer) as stated_duty_indicator_count,
    cast(indicator_met as integer) as stated_duty_indicator_met_count,
    cast(indicator_met_share_pct as decimal(9, 2)) as stated_duty_indicator_met_share_pct,
    cast(benefit_indicator_count as integer) as stated_benefit_indicator_count,
    cast(satisfaction_indicator_count as integer) as stated_satisfaction_indicator_count
from {{ source('extracted', 'report') }}
where {{ not_rejected() }}
