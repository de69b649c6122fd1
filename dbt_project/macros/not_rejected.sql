{#- Reports quarantined after they failed a check (a dbt test or an error-severity audit rule) are
    listed in the inbox's rejected files with their content hash; every staging model leaves them out,
    so the rebuild publishes every other report. -#}
{% macro not_rejected(sha256_column='sha256') -%}
    {{ sha256_column }} not in (
        select rejected.sha256 from {{ source('inbox', 'rejected_files') }} as rejected
        where rejected.sha256 is not null
    )
{%- endmacro %}
