"""Department-wide self-evaluation tables (部门整体支出绩效自评表 and its provincial variants), read by
the project tables' reader (`project_table`): the same split into tables at a label row, the same
label/value pairs, blocks led by header rows, stitching across page breaks and total row. What a
department-wide form adds is data here: 年度主要任务 rows, a goal adjusted during the year,
indicator columns beyond the project form's (指标性质, 是否核心指标, 得分系数, 指标解释, 评分标准,
调整指标值), a block weight printed only in its label, and a fiscal year printed only in the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path

from ... import errors
from ...integrity import records as record_checks
from ...lib.text import parse_amount, regex, squash
from ...models import (
    DepartmentIndicator,
    DepartmentTable,
    DepartmentTask,
    FundingLine,
    ProjectFile,
    ReportHeader,
)
from ...stitch import LogicalRow
from ...tables import Row, printed_lines
from .form import DISTINCTIVE, Document, Form, Signal
from .project_table import (
    ProjectLayout,
    _funding_lines,
    _labels,
    _split_tables,
    _stitched,
    _Table,
    _table_provenance,
    _total,
    cell_text,
    goal_texts,
    indicator_values,
    layout_signals,
    parse_points,
    printed_name,
    sort_rows,
    split_code,
)
from .table_spec import TableSpec


@dataclass(frozen=True)
class DepartmentLayout(ProjectLayout):
    """A department-wide form as data: a project layout (its `start_field` is `department`) plus
    the blocks and columns only department-wide forms print."""

    # 年度主要任务: task | content | budget | actual (None: the form prints none).
    key_tasks: TableSpec | None = None
    # A funding row printed without a name (Chongqing's single row beside 部门预算执行情况（万元）)
    # is named by its block's label without the unit.
    funding_label_pattern: str = r"^(部门预算执行情况|预算执行情况|年度预算执行情况)"
    # Texts (regexes on a cell or line) this form prints and its neighbours do not: they tell
    # forms apart whose broad synonyms all match one page (DISTINCTIVE points each).
    distinctive: tuple[str, ...] = ()


# A project table's first row: never printed by a department-wide form.
PROJECT_NAME_ROW = Signal("项目名称 row", r"^项目名称([:：].*)?$")


# A weight printed in a block's label: 预算执行情况（万元）（20分）.
_BLOCK_WEIGHT = re.compile(r"[（(]\s*(\d+(?:\.\d+)?)\s*分\s*[）)]")
_UNIT = re.compile(r"[（(]\s*万元\s*[）)]")
# A fiscal year printed in the text: 2023年 (a 填报日期 is the year after, read apart).
_TEXT_YEAR = re.compile(r"(20\d{2})\s*年")


def department_form(layout: DepartmentLayout) -> Form:
    """The Form reading files of this layout's department-wide tables."""
    blocks = (layout.key_tasks,) if layout.key_tasks else ()
    return Form(
        name=layout.form,
        report_kind=DepartmentTable.report_kind,
        signals=(
            *layout_signals(layout, blocks),
            *(Signal(printed_name(p), p, weight=DISTINCTIVE) for p in layout.distinctive),
        ),
        excludes=(PROJECT_NAME_ROW,),
        read_header=lambda doc: read_header(doc, layout),
        read=lambda doc: read_file(doc, layout),
    )


def read_header(doc: Document, layout: DepartmentLayout) -> ReportHeader:
    """The first table on the first page files the whole file under its department and year."""
    tables = _split_tables(doc.pages[:1], layout)
    if not tables:
        raise errors.MissingSectionError(
            doc.path, f"no {layout.labels[0].header_pattern} row on the first page"
        )
    values = _values(tables[0], layout)
    _, department = split_code(cell_text(values.get("department")))
    title = next((line for line in printed_lines(doc.pages[0]) if re.search(layout.title_pattern, line)), "")
    return ReportHeader(
        source_file=doc.path.name,
        sha256=doc.sha256,
        title=title or layout.form,
        department=department or "",
        fiscal_year=_fiscal_year(doc.path, tables[0], values),
        city=None,
        page_count=doc.page_count,
    )


def read_file(doc: Document, layout: DepartmentLayout) -> ProjectFile:
    tables = _split_tables(doc.pages, layout)
    if not tables:
        raise errors.MissingSectionError(doc.path, f"no department-wide table ({layout.form})")
    extracted = ProjectFile(
        source_file=doc.path.name,
        sha256=doc.sha256,
        page_count=doc.page_count,
        projects=(),
        integrity_warnings=doc.integrity_warnings,
        department_tables=tuple(_department(doc.path, table, layout) for table in tables),
    )
    record_checks.check_project_file(doc.path, extracted)
    return extracted


def _values(table: _Table, layout: DepartmentLayout) -> dict[str, str | None]:
    values: dict[str, str | None] = {}
    for row in table.rows:
        values.update({k: v for k, v in _labels(row, layout).items() if k not in values})
    return values


def _fiscal_year(path: Path, table: _Table, values: dict[str, str | None]) -> int:
    """The year above the table (its title line or the line under it), else the first year its text
    prints, else the year before its 填报日期 / 报表日期 (filled in after the year it reports on)."""
    if table.fiscal_year is not None:
        return table.fiscal_year
    date = squash(values.get("report_date"))
    texts = (squash(t).replace(date, "") if date else squash(t) for row in table.rows for t in row.cells if t)
    found = next((m for m in map(_TEXT_YEAR.search, texts) if m), None)
    if found:
        return int(found.group(1))
    dated = _TEXT_YEAR.search(date)
    if dated:
        return int(dated.group(1)) - 1
    raise errors.MissingSectionError(path, "no fiscal year (…年度) above or in the table")


def _department(path: Path, table: _Table, layout: DepartmentLayout) -> DepartmentTable:
    specs = {"indicators": layout.indicators, "funding": layout.funding, "goal": layout.goal}
    if layout.key_tasks is not None:
        specs = {"key_tasks": layout.key_tasks, **specs}
    values, blocks, total, _ = sort_rows(table, layout, specs)
    funding_label, block_weight = _funding_block_label(table, layout)
    code, department = split_code(cell_text(values.get("department")))
    if department is None:
        raise errors.MalformedTableError(path, f"a {layout.form} table without its department's name")
    try:
        funding = _named_funding(blocks["funding"], layout, funding_label, block_weight)
        indicators = _indicators(_stitched(blocks["indicators"], layout.indicators))
        tasks = _tasks(_stitched(blocks["key_tasks"], layout.key_tasks)) if layout.key_tasks else ()
        total_weight, total_score = _total(total, blocks["indicators"], layout)
    except (errors.TableShapeError, errors.NumberParseError) as exc:
        raise errors.MalformedTableError(path, f"{department}: {exc}") from None
    goal = goal_texts(blocks["goal"], layout.goal)
    if goal.get("expected") is None:  # a goal printed as a label row: 年度目标1：（80分） | text
        goal["expected"] = cell_text(values.get("goal_expected"))
    printed_score = parse_points(values.get("total_score"))  # a 自评总分 label cell
    return DepartmentTable(
        form=layout.form,
        fiscal_year=_fiscal_year(path, table, values),
        department=department,
        department_code=code,
        funding_lines=_label_lines(table, layout) + funding,
        key_tasks=tasks,
        goal_expected=goal.get("expected"),
        goal_adjusted=goal.get("adjusted"),
        goal_achieved=goal.get("achieved"),
        indicators=indicators,
        total_weight=total_weight,
        total_score=total_score if printed_score is None else printed_score,
        conclusion=cell_text(values.get("conclusion")),
        problems=cell_text(values.get("problems")),
        improvements=cell_text(values.get("improvements")),
        provenance=_table_provenance(table.rows),
    )


def _funding_block_label(table: _Table, layout: DepartmentLayout) -> tuple[str | None, Decimal | None]:
    """The funding block's label without its unit and weight (预算执行情况（万元）（20分） ->
    预算执行情况), and the weight it prints."""
    for text in (squash(t) for row in table.rows for t in row.cells if t):
        if re.match(layout.funding_label_pattern, text):
            weight = _BLOCK_WEIGHT.search(text)
            return _UNIT.sub("", _BLOCK_WEIGHT.sub("", text)), Decimal(weight.group(1)) if weight else None
    return None, None


def _named_funding(
    rows: list[Row], layout: DepartmentLayout, label: str | None, weight: Decimal | None
) -> tuple[FundingLine, ...]:
    """The funding block's lines; a line printed without a name takes its block's label, a block
    weight printed only in the label is each weightless line's."""
    stitched = _stitched(rows, layout.funding)
    for row in stitched:
        if cell_text(row.values.get("line_name")) is None and label:
            row.values["line_name"] = label
    lines = _funding_lines(stitched, layout)
    return tuple(line if line.weight is not None else replace(line, weight=weight) for line in lines)


def _label_lines(table: _Table, layout: DepartmentLayout) -> tuple[FundingLine, ...]:
    """Amounts printed as label/value pairs (Anhui's 基本支出总额 | 820.5 | 项目支出总额 | 300): a line
    each, the amount its budget (the figure these rows state)."""
    out = []
    for row in table.rows:
        cells = [t for t in row.cells if t is not None]
        for i, text in enumerate(cells[:-1]):
            name = squash(text)
            source = {"basic_total": "basic", "project_total": "project"}.get(
                _label_field(name, layout) or ""
            )
            if source is None:
                continue
            out.append(
                FundingLine(
                    line_name=name.rstrip("：:"),
                    funding_source=source,
                    initial_budget=None,
                    adjusted_budget=parse_amount(cells[i + 1]),
                    actual_spend=None,
                    execution_rate_pct=None,
                    weight=None,
                    score=None,
                    reason=None,
                    provenance=_table_provenance([row]),
                )
            )
    return tuple(out)


def _label_field(text: str, layout: DepartmentLayout) -> str | None:
    key = text.rstrip("：:")
    return next((s.field for s in layout.labels if regex(s.header_pattern).fullmatch(key)), None)


def _indicators(rows: list[LogicalRow]) -> tuple[DepartmentIndicator, ...]:
    out = []
    for row in rows:
        v = row.values
        nature = cell_text(v.get("indicator_nature"))
        core = cell_text(v.get("is_core"))
        out.append(
            DepartmentIndicator(
                **indicator_values(row),
                indicator_nature=re.sub(r"指标$", "", nature) if nature else None,
                is_core=None if core is None else core in ("是", "√", "☑", "Y", "y"),
                score_coefficient_pct=parse_points(re.sub(r"%$", "", squash(v.get("score_coefficient_pct")))),
                explanation=cell_text(v.get("explanation")),
                scoring_standard=cell_text(v.get("scoring_standard")),
                target_adjusted=cell_text(v.get("target_adjusted")),
            )
        )
    return tuple(out)


def _tasks(rows: list[LogicalRow]) -> tuple[DepartmentTask, ...]:
    out = []
    for row in rows:
        v = row.values
        task = cell_text(v["task"])
        if task is None:
            raise errors.TableShapeError("年度主要任务: a task without a name")
        out.append(
            DepartmentTask(
                task=task,
                content=cell_text(v.get("content")),
                budget=parse_amount(v.get("budget")),
                actual=parse_amount(v.get("actual")),
                provenance=row.provenance,
            )
        )
    return tuple(out)
