-- Indicators that missed their target (未达标指标), with the report's own explanation.
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
from {{ ref('fct_indicator') }} as i
inner join {{ ref('dim_department') }} as d using (department_id)
where i.is_target_met = false
order by i.fiscal_year, d.department_name, i.indicator_index
