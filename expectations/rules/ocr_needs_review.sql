-- rule: ocr_needs_review
-- severity: warn
-- description: Every row read by OCR (a scanned page or an unreadable text layer, docs/ocr.md) whose lowest recogniser confidence is under 0.9, in which ink was seen but not read, or whose printed arithmetic fails: listed with its page, to be checked against the crop of the page (需人工复核的 OCR 识别行).
-- message: read by OCR and not certain: check this row against the page
-- expect: expect_column_values_to_not_be_null column=reviewed
with ocr_rows as (
    -- Keys are `<row id>:<table>`: a spend_id and an indicator_id can be equal (both hash a report
    -- and a row number); the evidence report finds the row by the part before the colon and the subject.
    select
        spend_id || ':spend' as finding_key,
        department_id,
        fiscal_year,
        source_file,
        source_page,
        line_name as subject,
        ocr_confidence,
        needs_review
    from marts.fct_spend
    where text_source = 'ocr'
    union all
    select
        indicator_id || ':indicator' as finding_key,
        department_id,
        fiscal_year,
        source_file,
        source_page,
        indicator_name as subject,
        ocr_confidence,
        needs_review
    from marts.fct_indicator
    where text_source = 'ocr'
    union all
    select
        key_task_project_id || ':key_task' as finding_key,
        department_id,
        fiscal_year,
        source_file,
        source_page,
        coalesce(project_name_raw, task_text) as subject,
        ocr_confidence,
        needs_review
    from marts.fct_key_task
    where text_source = 'ocr'
)

select
    o.finding_key,
    o.fiscal_year,
    d.department_name,
    o.source_file,
    o.source_page,
    o.subject,
    'read for certain' as expected_value,
    'OCR confidence ' || coalesce(cast(round(o.ocr_confidence, 2) as varchar), 'unknown') as actual_value,
    case when o.needs_review then null else 1 end as reviewed
from ocr_rows as o
inner join marts.dim_department as d on o.department_id = d.department_id
