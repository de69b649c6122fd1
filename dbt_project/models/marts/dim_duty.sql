select
    {{ surrogate_key(['r.department_id', 't.duty_key']) }} as duty_id,
    r.department_id,
    max_by(t.duty_text, r.fiscal_year) as duty_text,
    min(r.fiscal_year) as first_fiscal_year,
    max(r.fiscal_year) as last_fiscal_year
from {{ ref('stg_extracted__key_tasks') }} as t
inner join {{ ref('int_reports__versions') }} as r
    on t.report_id = r.report_id and r.is_current
where t.duty_text is not null
group by r.department_id, t.duty_key
