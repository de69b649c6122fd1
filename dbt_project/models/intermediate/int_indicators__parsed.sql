-- Targets and actuals parsed into operator, number, unit or qualitative text. Nothing is dropped:
-- a value that fits no form keeps its raw text, gets null parts and is flagged has_unparsed_value.
{%- set numeric = '^(>=|<=|≥|≤|=|>|<)?(-?[0-9]+(\\.[0-9]+)?)([^0-9]*)$' %}
{%- set bare_number = '^[0-9]+(\\.[0-9]+)?$' %}
-- Every kind of report: 九、部门整体自评表 rows (level2 is their 类别), project tables' and department-
-- wide tables' 绩效指标 rows. A table form that prints 指标性质 and 度量单位 in columns of their own
-- has them put back around a bare number, so one parser reads both ways of printing a target. What
-- only some department-wide forms print (indicator_nature ... target_adjusted) is null elsewhere.
with table_indicators as (
    select
        'project' as report_kind,
        *,
        cast(null as varchar) as indicator_nature,
        cast(null as boolean) as is_core,
        cast(null as decimal(9, 2)) as score_coefficient_pct,
        cast(null as varchar) as explanation,
        cast(null as varchar) as scoring_standard,
        cast(null as varchar) as target_adjusted
    from {{ ref('stg_extracted__project_indicators') }}
    union all by name
    select
        'department_overall' as report_kind,
        *
    from {{ ref('stg_extracted__department_indicators') }}
),

indicators as (
    select
        r.report_id,
        r.department_id,
        r.fiscal_year,
        r.source_file,
        r.report_kind,
        r.form,
        cast(null as varchar) as project_id,
        i.indicator_index,
        i.level1,
        i.category,
        i.category as level2,
        i.indicator_name,
        i.target_raw,
        i.actual_raw,
        i.target_raw as target_printed,
        i.actual_raw as actual_printed,
        i.value_source,
        i.deviation_raw,
        cast(null as decimal(9, 2)) as weight,
        cast(null as decimal(9, 2)) as score,
        i.reason,
        cast(null as varchar) as indicator_nature,
        cast(null as boolean) as is_core,
        cast(null as decimal(9, 2)) as score_coefficient_pct,
        cast(null as varchar) as explanation,
        cast(null as varchar) as scoring_standard,
        cast(null as varchar) as target_adjusted,
        i.source_page,
        i.bbox_x0,
        i.bbox_top,
        i.bbox_x1,
        i.bbox_bottom,
        i.cell_range,
        i.text_source,
        i.ocr_confidence,
        i.needs_review
    from {{ ref('stg_extracted__indicators') }} as i
    inner join {{ ref('int_reports__versions') }} as r
        on i.report_id = r.report_id and r.is_current
    union all
    select
        r.report_id,
        r.department_id,
        r.fiscal_year,
        r.source_file,
        r.report_kind,
        r.form,
        r.project_id,
        i.indicator_index,
        i.level1,
        cast(null as varchar) as category,
        i.level2,
        i.indicator_name,
        i.target_raw,
        i.actual_raw,
        case
            when {{ regex_matches(strip_spaces('i.target_raw'), bare_number) }}
                then coalesce(i.operator, '') || {{ strip_spaces('i.target_raw') }} || coalesce(i.unit, '')
            else i.target_raw
        end as target_printed,
        case
            when {{ regex_matches(strip_spaces('i.actual_raw'), bare_number) }}
                then {{ strip_spaces('i.actual_raw') }} || coalesce(i.unit, '')
            else i.actual_raw
        end as actual_printed,
        cast(null as varchar) as value_source,
        cast(null as varchar) as deviation_raw,
        i.weight,
        i.score,
        i.reason,
        i.indicator_nature,
        i.is_core,
        i.score_coefficient_pct,
        i.explanation,
        i.scoring_standard,
        i.target_adjusted,
        i.source_page,
        i.bbox_x0,
        i.bbox_top,
        i.bbox_x1,
        i.bbox_bottom,
        i.cell_range,
        i.text_source,
        i.ocr_confidence,
        i.needs_review
    from table_indicators as i
    inner join {{ ref('int_reports__versions') }} as r
        on
            i.sha256 = r.sha256 and i.table_index = r.table_index and i.report_kind = r.report_kind
            and r.is_current
),

cleaned as (
    select
        *,
        translate({{ strip_spaces('target_printed') }}, '＞＜＝％≧≦', '><=%≥≤') as target_clean,
        translate({{ strip_spaces('actual_printed') }}, '＞＜＝％≧≦', '><=%≥≤') as actual_clean,
        translate({{ strip_spaces('deviation_raw') }}, '％－', '%-') as deviation_clean
    from indicators
),

parsed as (
    select
        *,
        {{ regex_group('target_clean', numeric, 1) }} as target_operator_printed,
        cast({{ regex_group('target_clean', numeric, 2) }} as decimal(18, 4)) as target_value,
        {{ regex_group('target_clean', numeric, 4) }} as target_unit,
        cast({{ regex_group('actual_clean', numeric, 2) }} as decimal(18, 4)) as actual_value,
        {{ regex_group('actual_clean', numeric, 4) }} as actual_unit,
        cast({{ regex_group('deviation_clean', '^(-?[0-9]+(\\.[0-9]+)?)%$', 1) }} as decimal(18, 2)) as deviation_pct
    from cleaned
),

typed as (
    select
        *,
        case
            when target_operator_printed in ('>=', '≥') then '≥'
            when target_operator_printed in ('<=', '≤') then '≤'
            when target_operator_printed is not null then target_operator_printed
            when target_value is not null then '='
        end as target_operator,
        case
            when target_value is null and not {{ regex_matches('target_clean', '[0-9]') }} then target_clean
        end as target_text,
        case
            when actual_value is null and not {{ regex_matches('actual_clean', '[0-9]') }} then actual_clean
        end as actual_text
    from parsed
)

select
    *,
    case
        when
            target_value is not null and actual_value is not null and target_value <> 0
            and coalesce(target_unit, '') = coalesce(actual_unit, '')
            then cast({{ exact_pct('actual_value - target_value', 'target_value') }} as decimal(18, 2))
    end as deviation_calc_pct,
    case
        when target_value is not null and actual_value is not null
            then case
                when coalesce(target_unit, '') <> coalesce(actual_unit, '') then null
                when target_operator = '≥' then actual_value >= target_value
                when target_operator = '>' then actual_value > target_value
                when target_operator = '≤' then actual_value <= target_value
                when target_operator = '<' then actual_value < target_value
                -- '=' on a zero target (0 起, 0%) means exactly none; otherwise reaching it is meeting it.
                when target_value = 0 then actual_value = 0
                else actual_value >= target_value
            end
        when target_text is not null and actual_text is not null then target_text = actual_text
    end as is_target_met,
    (target_raw is not null and target_value is null and target_text is null)
    or (actual_raw is not null and actual_value is null and actual_text is null) as has_unparsed_value
from typed
