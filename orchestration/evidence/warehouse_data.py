"""Everything the evidence report shows, read from a published warehouse in one read-only connection."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import duckdb

# Execution rates below this share of the adjusted budget are "under-spent" in the charts.
UNDERSPENT_BELOW_PCT = Decimal(80)

# A finding's printed row, found by its `finding_key`. Most rules key a finding by the checked row's
# id; the report-level arithmetic rules key it `report_id:column`, and their figures are printed on
# the report's 预算总金额 (totals) or 项目支出 (project_coverage) line. Ids of different tables can be
# equal (spend_id and indicator_id both hash report_id and a row number), so the rule says which
# table its key is from; for a rule that checks rows of several tables (required_values) or a rule
# not listed, the row whose printed text is the finding's subject wins.
_RULE_ROW_KINDS = {
    "execution_rate": "spend",
    "adjusted_budget": "spend",
    "non_negative_amounts": "spend",
    "totals": "summary",
    "project_coverage": "summary",
    "deviation": "indicator",
    "key_task_project_resolves": "key_task",
}
_FINDING_ROWS = """
with printed as (
    select 'spend' as kind, spend_id as record_key, report_id, source_page, bbox_x0_pt, bbox_top_pt,
        bbox_x1_pt, bbox_bottom_pt, cell_range, line_name as cell_text
    from marts.fct_spend
    union all
    select 'summary', report_id || ':' || line_type, report_id, source_page, bbox_x0_pt, bbox_top_pt,
        bbox_x1_pt, bbox_bottom_pt, cell_range, line_name
    from marts.fct_spend where line_type in ('total', 'project_total')
    union all
    select 'indicator', indicator_id, report_id, source_page, bbox_x0_pt, bbox_top_pt, bbox_x1_pt,
        bbox_bottom_pt, cell_range, indicator_name
    from marts.fct_indicator
    union all
    select 'key_task', key_task_project_id, report_id, source_page, bbox_x0_pt, bbox_top_pt, bbox_x1_pt,
        bbox_bottom_pt, cell_range, project_name_raw
    from marts.fct_key_task
),
rule_kinds as (select * from (values {rule_kinds}) as t (rule, kind)),
findings as (
    select f.*, k.kind,
        case f.rule
            when 'totals' then split_part(f.finding_key, ':', 1) || ':total'
            when 'project_coverage' then split_part(f.finding_key, ':', 1) || ':project_total'
            else split_part(f.finding_key, ':', 1)
        end as record_key,
        row_number() over (order by f.rule, f.fiscal_year, f.department_name, f.source_file, f.source_page,
            f.subject, f.finding_key) as finding_number
    from audit.findings as f left join rule_kinds as k using (rule)
)
select f.finding_number, f.rule, f.severity, f.fiscal_year, f.department_name, f.subject, f.source_file,
    coalesce(p.source_page, f.source_page) as source_page, f.expected_value, f.actual_value, f.message,
    coalesce(p.report_id, r.report_id) as report_id, p.bbox_x0_pt, p.bbox_top_pt, p.bbox_x1_pt,
    p.bbox_bottom_pt, p.cell_text, p.cell_range
from findings as f
left join printed as p on p.record_key = f.record_key and (f.kind is null or p.kind = f.kind)
-- report-level findings (completeness) are keyed by the report itself, or by `report_id:column`
left join marts.dim_report as r on r.report_id = split_part(f.finding_key, ':', 1)
qualify row_number() over (
    partition by f.finding_number order by coalesce(p.cell_text = f.subject, false) desc, p.kind
) = 1
order by f.finding_number
""".format(rule_kinds=", ".join(f"('{rule}', '{kind}')" for rule, kind in _RULE_ROW_KINDS.items()))


@dataclass(frozen=True)
class Finding:
    finding_number: int
    rule: str
    severity: str
    fiscal_year: int | None
    department_name: str | None
    subject: str | None
    source_file: str | None
    source_page: int | None
    expected_value: str | None
    actual_value: str | None
    message: str
    report_id: str | None
    bbox_x0_pt: float | None
    bbox_top_pt: float | None
    bbox_x1_pt: float | None
    bbox_bottom_pt: float | None
    cell_text: str | None
    cell_range: str | None = None  # read from a spreadsheet or Word table: Sheet1!A7:I7

    @property
    def anchor(self) -> str:
        return f"finding-{self.finding_number}"

    @property
    def has_printed_row(self) -> bool:
        return self.bbox_x0_pt is not None and self.source_page is not None and self.report_id is not None

    @property
    def bbox_pt(self) -> tuple[float, float, float, float]:
        return (self.bbox_x0_pt, self.bbox_top_pt, self.bbox_x1_pt, self.bbox_bottom_pt)


@dataclass(frozen=True)
class ReportRows:
    """One report: its header facts and its three tables as read, each row with its page."""

    facts: dict
    budget_lines: list[dict] = field(default_factory=list)
    key_tasks: list[dict] = field(default_factory=list)
    indicators: list[dict] = field(default_factory=list)

    @property
    def report_id(self) -> str:
        return self.facts["report_id"]


@dataclass(frozen=True)
class WarehouseData:
    warehouse: Path
    reports: list[ReportRows]
    findings: list[Finding]
    rule_results: list[dict]
    rejected_files: list[dict]
    reports_by_year_department: list[dict]
    project_lines: list[dict]  # every project budget line of current reports, for the charts
    indicators_missed: list[dict]


def _dicts(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict]:
    rel = con.sql(sql)
    columns = rel.columns
    return [dict(zip(columns, row, strict=True)) for row in rel.fetchall()]


def _grouped(rows: list[dict]) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        out[row["report_id"]].append(row)
    return out


def read_warehouse(warehouse: Path) -> WarehouseData:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        reports = _dicts(
            con,
            """select r.*, d.department_name, d.city from marts.dim_report as r
               join marts.dim_department as d using (department_id)
               order by r.fiscal_year, d.department_name, r.source_file""",
        )
        lines = _grouped(_dicts(con, "select * from marts.fct_spend order by report_id, line_index"))
        # One row per key task (fct_key_task has one per task and project it names).
        tasks = _grouped(
            _dicts(
                con,
                """select report_id, task_index, any_value(task_text) as task_text,
                       any_value(status) as status, any_value(source_page) as source_page,
                       any_value(cell_range) as cell_range,
                       list(project_name_raw order by project_position)
                           filter (where project_name_raw is not null) as projects
                   from marts.fct_key_task group by report_id, task_index order by report_id, task_index""",
            )
        )
        indicators = _grouped(
            _dicts(con, "select * from marts.fct_indicator order by report_id, indicator_index")
        )
        findings = [Finding(**row) for row in _dicts(con, _FINDING_ROWS)]
        return WarehouseData(
            warehouse=warehouse,
            reports=[
                ReportRows(
                    facts=r,
                    budget_lines=lines.get(r["report_id"], []),
                    key_tasks=tasks.get(r["report_id"], []),
                    indicators=indicators.get(r["report_id"], []),
                )
                for r in reports
            ],
            findings=findings,
            rule_results=_dicts(
                con, "select * from audit.rule_results order by failing_rows desc, severity, rule"
            ),
            rejected_files=_dicts(
                con, "select source_file, reason, seen_at from audit.rejected_files order by source_file"
            ),
            reports_by_year_department=_dicts(
                con,
                """select r.fiscal_year, d.department_name, count(*) as reports,
                       count(*) filter (where r.is_current) as current_reports
                   from marts.dim_report as r join marts.dim_department as d using (department_id)
                   group by all order by all""",
            ),
            project_lines=_dicts(
                con,
                """select s.fiscal_year, d.department_name, s.project_id, s.line_name, s.report_id,
                       s.source_page, s.adjusted_budget_wan_yuan, s.actual_spend_wan_yuan,
                       s.execution_rate_calc_pct
                   from marts.fct_spend as s join marts.dim_department as d using (department_id)
                   where s.line_type = 'project'
                   order by s.execution_rate_calc_pct nulls last, d.department_name, s.line_name""",
            ),
            indicators_missed=_dicts(
                con,
                """select i.fiscal_year, d.department_name, i.indicator_name, i.target_raw, i.actual_raw,
                       i.report_id, i.source_page
                   from marts.fct_indicator as i join marts.dim_department as d using (department_id)
                   where i.is_target_met = false
                   order by i.fiscal_year, d.department_name, i.indicator_index""",
            ),
        )
