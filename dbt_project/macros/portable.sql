{#- Engine-specific SQL lives here, so models stay portable (a distributed engine later gets its own branch). -#}

{% macro surrogate_key(columns) -%}
    md5({%- for c in columns -%}coalesce(cast({{ c }} as varchar), '∅'){%- if not loop.last %} || '|' || {% endif -%}{%- endfor -%})
{%- endmacro %}

{% macro regex_group(expr, pattern, group) -%}
    nullif(regexp_extract({{ expr }}, '{{ pattern }}', {{ group }}), '')
{%- endmacro %}

{% macro regex_matches(expr, pattern) -%}
    regexp_matches({{ expr }}, '{{ pattern }}')
{%- endmacro %}

{% macro name_similarity(a, b) -%}
    jaro_winkler_similarity({{ a }}, {{ b }})
{%- endmacro %}

{#- Matching key for names the extractor did not read (seeds): extract.lib.text.name_key, the function
    that made the stored *_key columns, registered by the dbt_name_key plugin (profiles.yml). -#}
{% macro name_key(expr) -%}
    name_key({{ expr }})
{%- endmacro %}


{% macro strip_spaces(expr) -%}
    regexp_replace({{ expr }}, '\s+', '', 'g')
{%- endmacro %}

{#- numerator / denominator × 100, rounded half-up to 2 decimals, in exact integer arithmetic.
    Decimal division is floating point on some engines (DuckDB): 754.04 / 800 × 100 would come out
    94.2549999… and round to 94.25 instead of 94.26. Inputs have at most 4 decimals. -#}
{% macro exact_pct(numerator, denominator) -%}
    {%- set n = "cast(round((" ~ numerator ~ ") * 10000) as hugeint)" -%}
    {%- set d = "cast(round((" ~ denominator ~ ") * 10000) as hugeint)" -%}
    (sign({{ n }}) * sign({{ d }}) * ((abs({{ n }}) * 20000 + abs({{ d }})) // (2 * abs({{ d }}))))
    * cast(0.01 as decimal(3, 2))
{%- endmacro %}
