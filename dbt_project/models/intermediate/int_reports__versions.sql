-- Every extracted report, with which one is current: a corrected re-issue (a different file for the
-- same department and year, and for a project table the same project) supersedes the earlier one.
-- Newest file wins (modification time), then the latest extraction, then the key (a stable choice).
-- A department-wide report is its file (report_id = sha256); a project table is one table of its
-- file (report_id = sha256#table_index), so a compilation file of many projects is many reports; a
-- department-wide table is one too (report_id = sha256#d<table_index>, numbered among its file's
-- department-wide tables), of the department-wide kind like the narrative report.
with narrative_flags as (
    -- A narrative report's flags are its rows': the lowest confidence, and whether any needs review.
    select
        report_id,
        min(ocr_confidence) as ocr_confidence,
        coalesce(bool_or(needs_review), false) as needs_review
    from (
        select
            report_id,
            ocr_confidence,
            needs_review
        from {{ ref('stg_extracted__budget_lines') }}
        union all
        select
            report_id,
            ocr_confidence,
            needs_review
        from {{ ref('stg_extracted__key_tasks') }}
        union all
        select
            report_id,
            ocr_confidence,
            needs_review
        from {{ ref('stg_extracted__indicators') }}
    ) as rows_of_reports
    group by report_id
),

department_reports as (
    select
        n.report_id,
        n.sha256,
        cast(null as integer) as table_index,
        cast(null as integer) as source_page,
        'department_overall' as report_kind,
        'suzhou_overall' as form,
        n.source_file,
        n.title,
        n.department_name,
        n.department_key,
        cast(null as varchar) as department_code,
        n.city,
        n.fiscal_year,
        n.page_count,
        n.extracted_at,
        n.source_modified_at,
        cast(null as varchar) as project_name,
        cast(null as varchar) as project_name_key,
        cast(null as varchar) as project_code,
        cast(null as varchar) as implementing_unit,
        cast(null as decimal(9, 2)) as total_weight,
        cast(null as decimal(9, 2)) as total_score,
        n.stated_completion_rate_pct,
        n.stated_budget_timeliness_rate_pct,
        n.stated_duty_indicator_count,
        n.stated_duty_indicator_met_count,
        n.stated_duty_indicator_met_share_pct,
        n.stated_benefit_indicator_count,
        n.stated_satisfaction_indicator_count,
        n.ocr_pages,
        case when len(n.ocr_pages) > 0 then 'ocr' else 'text_layer' end as text_source,
        f.ocr_confidence,
        coalesce(f.needs_review, false) as needs_review
    from {{ ref('stg_extracted__reports') }} as n
    left join narrative_flags as f on n.report_id = f.report_id
),

project_tables as (
    select
        sha256 || '#' || cast(table_index as varchar) as report_id,
        sha256,
        table_index,
        source_page,
        'project' as report_kind,
        form,
        source_file,
        cast(null as varchar) as title,
        -- A table without 主管部门 files under its implementing unit, which is then the department.
        coalesce(department_name, implementing_unit) as department_name,
        coalesce(department_key, implementing_unit_key) as department_key,
        case when department_name is null then implementing_unit_code else department_code end as department_code,
        cast(null as varchar) as city,
        fiscal_year,
        page_count,
        extracted_at,
        source_modified_at,
        project_name,
        project_name_key,
        project_code,
        implementing_unit,
        total_weight,
        total_score,
        cast(null as decimal(9, 2)) as stated_completion_rate_pct,
        cast(null as decimal(9, 2)) as stated_budget_timeliness_rate_pct,
        cast(null as integer) as stated_duty_indicator_count,
        cast(null as integer) as stated_duty_indicator_met_count,
        cast(null as decimal(9, 2)) as stated_duty_indicator_met_share_pct,
        cast(null as integer) as stated_benefit_indicator_count,
        cast(null as integer) as stated_satisfaction_indicator_count,
        ocr_pages,
        text_source,
        ocr_confidence,
        needs_review
    from {{ ref('stg_extracted__project_reports') }}
),

department_tables as (
    select
        sha256 || '#d' || cast(table_index as varchar) as report_id,
        sha256,
        table_index,
        source_page,
        'department_overall' as report_kind,
        form,
        source_file,
        cast(null as varchar) as title,
        department_name,
        department_key,
        department_code,
        cast(null as varchar) as city,
        fiscal_year,
        page_count,
        extracted_at,
        source_modified_at,
        cast(null as varchar) as project_name,
        cast(null as varchar) as project_name_key,
        cast(null as varchar) as project_code,
        cast(null as varchar) as implementing_unit,
        total_weight,
        total_score,
        cast(null as decimal(9, 2)) as stated_completion_rate_pct,
        cast(null as decimal(9, 2)) as stated_budget_timeliness_rate_pct,
        cast(null as integer) as stated_duty_indicator_count,
        cast(null as integer) as stated_duty_indicator_met_count,
        cast(null as decimal(9, 2)) as stated_duty_indicator_met_share_pct,
        cast(null as integer) as stated_benefit_indicator_count,
        cast(null as integer) as stated_satisfaction_indicator_count,
        ocr_pages,
        text_source,
        ocr_confidence,
        needs_review
    from {{ ref('stg_extracted__department_tables') }}
),

reports as (
    select
        *,
        {{ surrogate_key(['department_key']) }} as department_id
    from (
        select * from department_reports
        union all
        select * from project_tables
        union all
        select * from department_tables
    ) as every_kind
),

keyed as (
    select
        *,
        -- The same key as a project line of the department's overall report (int_budget_lines__keyed):
        -- a project printed in both is one project.
        case
            when report_kind = 'project' then {{ surrogate_key(['department_id', 'project_name_key']) }}
        end as project_id
    from reports
),

ranked as (
    select
        *,
        row_number() over newest_first as version_rank,
        first_value(report_id) over newest_first as current_report_id
    from keyed
    window newest_first as (
        partition by department_id, fiscal_year, report_kind, project_id
        order by source_modified_at desc nulls last, extracted_at desc, report_id desc
    )
)

select
    *,
    version_rank = 1 as is_current,
    case when version_rank > 1 then current_report_id end as superseded_by_report_id
from ranked
