-- Indicators that missed their target (未达标指标), with the report's own explanation.
-- depends_on: {{ ref('fct_indicator') }}
-- depends_on: {{ ref('dim_department') }}
select
    i.fiscal_year,
    d.department_name,
    i.level1,
    i.category,
    i.indicator_name,
    i.target_raw,
    i.actual_raw,
    i.deviation_raw,
    i.reason,
    i.source_file,
    i.source_page
from marts.fct_indicator as i
inner join marts.dim_department as d using (department_id)
where i.is_target_met = false
order by i.fiscal_year, d.department_name, i.indicator_index
