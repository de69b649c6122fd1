-- rule: non_negative_amounts
-- severity: error
-- description: Initial budget, adjusted budget and actual spending are ≥ 0 (adjustments may be negative).
-- message: negative amount
-- expect: expect_column_values_to_be_between column=amount min_value=0
select
    spend_id || ':' || amount_column as finding_key,
    fiscal_year,
    department_name,
    source_file,
    source_page,
    line_name || ' ' || amount_label as subject,
    '≥ 0' as expected_value,
    cast(amount_wan_yuan as varchar) as actual_value,
    cast(amount_wan_yuan as double) as amount
from intermediate.int_spend_amounts__unpivoted
where amount_column <> 'adjustment_wan_yuan' and amount_wan_yuan is not null
