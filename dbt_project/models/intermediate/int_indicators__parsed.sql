-- Targets and actuals parsed into operator, number, unit or qualitative text. Nothing is dropped:
-- a value that fits no form keeps its raw text, gets null parts and is flagged has_unparsed_value.
{%- set numeric = '^(>=|<=|≥|≤|=|>|<)?(-?[0-9]+(\\.[0-9]+)?)([^0-9]*)$' %}
with cleaned as (
    select
        i.*,
        r.department_id,
        r.fiscal_year,
        r.source_file,
        translate({{ strip_spaces('i.target_raw') }}, '＞＜＝％≧≦', '><=%≥≤') as target_clean,
        translate({{ strip_spaces('i.actual_raw') }}, '＞＜＝％≧≦', '><=%≥≤') as actual_clean,
        translate({{ strip_spaces('i.deviation_raw') }}, '％－', '%-') as deviation_clean
    from {{ ref('stg_extracted__indicators') }} as i
    inner join {{ ref('int_reports__versions') }} as r
        on i.report_id = r.report_id and r.is_current
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
