{#- The columns every extracted record carries, staged the same way in every stg_ model: how it was
    read (extract/models.py's read flags; needs_review false where the file has no such column). -#}
{% macro read_flags() -%}
    text_source,
    ocr_confidence,
    coalesce(needs_review, false) as needs_review
{%- endmacro %}

{#- A printed row's provenance: its page, box in PDF points, cells (spreadsheets) and read flags. -#}
{% macro row_provenance() -%}
    cast(page as integer) as source_page,
    bbox_x0,
    bbox_top,
    bbox_x1,
    bbox_bottom,
    cell_range,
    {{ read_flags() }}
{%- endmacro %}
