-- Per report and amount, the printed summary lines beside the sum of the listed project lines: what
-- the audit's arithmetic rules compare. A view for the same reason as the lines it sums.
{{ config(materialized='view') }}

select
    report_id,
    fiscal_year,
    department_name,
    source_file,
    amount_column,
    amount_label,
    -- A blank amount counts as 0, as the reports add them up.
    sum(coalesce(amount_wan_yuan, 0)) filter (where line_type = 'total') as total_wan_yuan,
    sum(coalesce(amount_wan_yuan, 0)) filter (where line_type = 'basic') as basic_wan_yuan,
    sum(coalesce(amount_wan_yuan, 0)) filter (where line_type = 'project_total') as project_total_wan_yuan,
    coalesce(sum(amount_wan_yuan) filter (where line_type = 'project'), 0) as listed_projects_wan_yuan,
    count(*) filter (where line_type = 'total') as total_line_count,
    count(*) filter (where line_type = 'basic') as basic_line_count,
    count(*) filter (where line_type = 'project_total') as project_total_line_count,
    min(source_page) filter (where line_type = 'total') as total_source_page
from {{ ref('int_spend_amounts__unpivoted') }}
group by report_id, fiscal_year, department_name, source_file, amount_column, amount_label
