-- rule: deviation
-- severity: warn
-- description: Printed deviation = (actual − target) ÷ target × 100, ± 0.01, for numeric targets ≠ 0 in the same unit as the actual.
-- message: printed deviation differs from (actual − target) / target × 100
-- expect: expect_column_values_to_be_between column=abs_diff min_value=0 max_value=0.01
select
    i.indicator_id as finding_key,
    i.fiscal_year,
    d.department_name,
    i.source_file,
    i.source_page,
    i.indicator_name as subject,
    cast(round((i.actual_value - i.target_value) * 100 / i.target_value, 4) as varchar) as expected_value,
    i.deviation_raw as actual_value,
    round(abs(i.deviation_pct - (i.actual_value - i.target_value) * 100 / i.target_value), 6) as abs_diff
from marts.fct_indicator as i
inner join marts.dim_department as d on i.department_id = d.department_id
where
    i.target_value is not null
    and i.target_value <> 0
    and i.actual_value is not null
    and i.deviation_pct is not null
    and coalesce(i.target_unit, '') = coalesce(i.actual_unit, '')
