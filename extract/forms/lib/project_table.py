"""Project self-evaluation tables (项目支出绩效自评表 and its provincial variants), read from a layout.

A file holds one table per project, one after another. A table starts at its 项目名称 row (its title
above it is free text) and may cross page breaks, with or without its header rows printed again.
Its rows are label/value pairs (项目名称, 主管部门, 实施单位, 评价结论 ...) and blocks, each led by
a header row: funding (项目资金 / 预算执行情况), the annual goal (预期目标 | 实际完成情况) and the
indicators (一级指标 ...), which the total row (总分 / 合计) closes. Which column holds what comes
from the header rows' text — the synonyms are the form's data (`ProjectLayout`) — never from fixed
positions, so another producer's widths and merges read the same.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import Any

from ... import errors
from ...integrity import records as record_checks
from ...lib import cell_range
from ...lib.text import EMPTY_MARKS, file_name, join_wrapped, parse_amount, parse_rate, regex, squash
from ...models import FundingLine, ProjectFile, ProjectIndicator, ProjectReport, Provenance, ReportHeader
from ...stitch import LogicalRow, header_mapping, stitch
from ...tables import Fragment, PageContent, Row, TextLine, printed_line, printed_lines, reading_order
from .form import DISTINCTIVE, Document, Form, Signal
from .table_spec import ColumnSpec, TableSpec, kept


@dataclass(frozen=True)
class ProjectLayout:
    """What one project form prints, as data: its title, labels, block headers and line names."""

    form: str
    # The table's title line (whitespace removed; `title_pattern()` adds the year printed before or
    # after it); the file's first page must print one.
    title_pattern: str
    # Label cells, each naming the field the cell after it fills. `project_name` starts a table.
    labels: tuple[ColumnSpec, ...]
    funding: TableSpec
    # (funding_source, regex on the line's name without 其中：), first match wins.
    funding_sources: tuple[tuple[str, str], ...]
    goal: TableSpec
    indicators: TableSpec
    # The label cell of the row closing the indicators with the total weight and score.
    total_pattern: str
    # Cells naming a block at its left (项目资金（万元）, 绩效指标): a title, not a value.
    block_label_pattern: str
    # The label whose row starts a table (项目名称; a department-wide table's 部门（单位）名称).
    start_field: str = "project_name"
    # Label cells a page of the form must also print (regexes on whole cells), for forms whose
    # title another form shares: Anhui's 项目类别 tick-box row.
    signals: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # Compiled as the forms are declared (`form.Signal`).
        for spec in self.labels:
            _inline_label(spec.header_pattern)
        for pattern in (self.title_pattern, self.total_pattern, self.block_label_pattern):
            regex(pattern)
        for _, pattern in self.funding_sources:
            regex(pattern)

    @cached_property
    def read_cells(self) -> dict[str, tuple[str | None, tuple[tuple[str, str], ...]]]:
        """`_cell_labels`' memo (not part of the layout's value)."""
        return {}


def title_pattern(words: str) -> str:
    """A title regex: `words` with the year printed before or after them on the same line or on
    its own (2023年度项目支出绩效自评表, 部门预算项目支出绩效自评表（2023年度）, brackets of either width)."""
    return rf"{words}(?:[（(]?20\d{{2}}年度?[）)]?)?$"


# A fiscal year as these forms print it above a table: （2022年度）, 2022年度, （2022年）.
_YEAR = re.compile(r"(20\d{2})\s*年度|[（(]\s*(20\d{2})\s*年\s*[）)]")
# ...or at the start of a title naming the project: 2020年市级服务贸易发展资金项目自评表.
_TITLE_YEAR = re.compile(r"^(20\d{2})年")
# A filing date above the table (填报日期：2024年4月10日): the report of the year before it.
_FILED = re.compile(r"(?:填报|报表)日期[:：]?(20\d{2})年")
# A code printed before a name: 219-池州市贵池区棠溪镇人民政府, 51000021R000000019951-工资性支出.
_CODE_PREFIX = re.compile(r"^(?=[0-9A-Za-z]*\d)([0-9A-Za-z]+)\s*[-－—_]\s*(\S.*)$")
# Points printed in a block's label or header: 预算执行情况（万元）（20分）, 得分（20分*执行率）.
_POINTS = re.compile(r"[（(](\d+(?:\.\d+)?)分")
_POINTS_ALONE = re.compile(r"[（(]\d+(?:\.\d+)?分[）)]")
# The weight an indicator level prints after its name: 产出指标（50分）; also as OCR reads it, a
# bracket of either width read as the other one or lost, its 分 read as an extra bracket or lost
# (产出指标（40（分）, 产出指标（45分, 满意度指标（): a level name never ends in a bracket or a number.
_PRINTED_WEIGHT = re.compile(r"\s*[（(）)]\s*(?:\d+(?:\.\d+)?\s*[（(）)]?\s*分?)?\s*[（(）)]?\s*$")
# Text cells may also double the dash.
_PLACEHOLDERS = EMPTY_MARKS | {"--", "——"}
_LABEL_PUNCTUATION = "：:"


def project_form(layout: ProjectLayout) -> Form:
    """The Form reading files of this layout's tables."""
    return Form(
        name=layout.form,
        report_kind=ProjectReport.report_kind,
        signals=layout_signals(layout),
        read_header=lambda doc: read_header(doc, layout),
        read=lambda doc: read_file(doc, layout),
    )


def layout_signals(layout: ProjectLayout, blocks: tuple[TableSpec, ...] = ()) -> tuple[Signal, ...]:
    """What identifies a layout's pages: its title, its label cells (the one starting a table
    required) and its blocks' column headers, each signal once."""
    signals = [Signal(f"{printed_name(layout.title_pattern)} title", layout.title_pattern, is_title=True)]
    for spec in layout.labels:
        pattern = rf"^({spec.header_pattern})([{_LABEL_PUNCTUATION}].*)?$"
        signals.append(
            Signal(
                f"{printed_name(spec.header_pattern)} row", pattern, required=spec.field == layout.start_field
            )
        )
    for cell in layout.signals:
        signals.append(
            Signal(
                f"{printed_name(cell)} row",
                rf"^({cell})[{_LABEL_PUNCTUATION}]?$",
                required=True,
                weight=DISTINCTIVE,
            )
        )
    for table in (layout.funding, layout.goal, layout.indicators, *blocks):
        for column in table.columns:
            if not re.fullmatch(column.header_pattern, ""):
                signals.append(Signal(f"{printed_name(column.header_pattern)} column", column.header_pattern))
    unique = {s.pattern: s for s in reversed(signals)}  # the first of each pattern
    return tuple(s for s in signals if unique[s.pattern] is s)


def printed_name(pattern: str) -> str:
    """A pattern's first alternative as printed, for messages: `^(项目名称|项目)$` -> 项目名称."""
    first = re.split(r"\|", pattern.strip("^$()"))[0]
    return re.sub(r"\[a-z]|[\^$()?*+\[\]{}]|\d\*", "", first) or pattern


def split_code(text: str | None) -> tuple[str | None, str | None]:
    """(code, name) of a name printed with a code before it; (None, name) without one."""
    if text is None:
        return None, None
    found = _CODE_PREFIX.match(text)
    return (found.group(1), found.group(2)) if found else (None, text)


def without_printed_weight(level: str | None) -> str | None:
    """产出指标（50分） -> 产出指标."""
    return None if level is None else _PRINTED_WEIGHT.sub("", level) or None


def parse_points(text: str | None) -> Decimal | None:
    """A weight or score: `22.5`, also printed with its unit (`10分`); blank and placeholders None."""
    return parse_amount(re.sub(r"分\s*$", "", text or ""))


def cell_text(text: str | None) -> str | None:
    """A cell's text, wrapped lines joined; blank and the placeholders `-`, `/` are None."""
    joined = join_wrapped(text)
    return None if joined is None or joined in _PLACEHOLDERS else joined


@dataclass
class _Table:
    """The rows of one project table, in printed order, and the year printed above it."""

    fiscal_year: int | None
    rows: list[Row] = field(default_factory=list)


def _labels(row: Row, layout: ProjectLayout) -> dict[str, str | None]:
    """Field -> raw value text of each label cell in the row (the next cell's text), or of a cell
    printing its label and value together (`部门名称：某局`)."""
    cells = [t for t in row.cells if t is not None]
    out: dict[str, str | None] = {}
    for i, text in enumerate(cells):
        field, inline = _cell_labels(text, layout)
        if field is not None:
            out[field] = cells[i + 1] if i + 1 < len(cells) else None
            continue
        out.update((k, v) for k, v in inline if k not in out)
    return out


def _cell_labels(text: str, layout: ProjectLayout) -> tuple[str | None, tuple[tuple[str, str], ...]]:
    """(the field a label cell names, else None; the labels printed with their values in it). Kept
    per text (`ProjectLayout.read_cells`): every row is read for labels several times over."""

    def read() -> tuple[str | None, tuple[tuple[str, str], ...]]:
        key = squash(text).rstrip(_LABEL_PUNCTUATION)
        spec = next((s for s in layout.labels if regex(s.header_pattern).fullmatch(key)), None)
        if spec is not None:
            return spec.field, ()
        return None, tuple(_inline_labels(squash(text), layout).items())

    return kept(layout.read_cells, text, read)


def _inline_label(pattern: str) -> re.Pattern[str]:
    """A label's pattern followed by the punctuation that ends it, when printed with its value."""
    return regex(rf"(?:{pattern})[{_LABEL_PUNCTUATION}]")


def _inline_labels(text: str, layout: ProjectLayout) -> dict[str, str]:
    """Labels printed with their values in one text, each value up to the next label:
    `单位名称：某局填报日期：2024年3月18日` -> department, report_date."""
    found = [
        (m.start(), m.end(), spec.field)
        for spec in layout.labels
        for m in _inline_label(spec.header_pattern).finditer(text)
    ]
    found.sort()
    if not found or found[0][0] != 0:
        return {}
    out: dict[str, str] = {}
    for (_, end, name), following in zip(found, [*found[1:], (len(text), len(text), "")], strict=True):
        if following[0] < end:  # a shorter label inside this one (部门 in 部门名称)
            continue
        value = text[end : following[0]]
        if value and name not in out:
            out[name] = value
    return out


def _label_line(line: TextLine, layout: ProjectLayout) -> Row | None:
    """A free text line printing the label that starts a table with its value (`单位名称：某局`
    above a scoring sheet), as a one-cell row of the table it starts."""
    row = Row((line.text,), (None,), line.page, (0.0, line.top, 0.0, line.top), (None,))
    return row if layout.start_field in _labels(row, layout) else None


def _split_tables(pages: tuple[PageContent, ...], layout: ProjectLayout) -> list[_Table]:
    """Each table's rows: a table starts at a 项目名称 row and runs to the next one.

    A title or year line does not end a table: a spreadsheet's print titles repeat them on every
    page a table crosses. It sets the year of the tables after it: the year on the title line or on
    the line under it, else the year before a 填报日期 (filing date) printed above the table."""
    tables: list[_Table] = []
    current: _Table | None = None
    year: int | None = None
    for page in pages:
        for item in reading_order(page):
            title = printed_line(item)
            if title is not None and regex(layout.title_pattern).search(title):
                year = _year(title) or _title_year(title)
                continue
            if title is not None and _year(title):
                year = _year(title)
                continue
            filed = _FILED.search("".join(squash(t) for t in _texts(item)))
            if filed:  # 单位名称 … 填报日期 …: above a table, never in one
                year = int(filed.group(1)) - 1 if year is None else year
            if isinstance(item, TextLine):
                label_row = _label_line(item, layout)
                if label_row is None:
                    continue
                item = label_row
            starts = layout.start_field in _labels(item, layout)
            if filed and not starts:  # a date line of its own, or a project table's 单位名称 row
                continue
            if starts:
                current = _Table(year)
                tables.append(current)
            if current is not None:
                current.rows.append(item)
    return tables


def _year(text: str) -> int | None:
    found = _YEAR.search(text)
    return int(next(g for g in found.groups() if g)) if found else None


def _title_year(title: str) -> int | None:
    found = _TITLE_YEAR.match(title)
    return int(found.group(1)) if found else None


def _texts(item: TextLine | Row) -> list[str]:
    return [item.text] if isinstance(item, TextLine) else [t for t in item.cells if t is not None]


def read_header(doc: Document, layout: ProjectLayout) -> ReportHeader:
    """The first table on the first page: its year and department file the whole file."""
    tables = _split_tables(doc.pages[:1], layout)
    if not tables:
        raise errors.MissingSectionError(doc.path, "no 项目名称 row on the first page")
    first = tables[0]
    values: dict[str, str | None] = {}
    for row in first.rows:
        values.update({k: v for k, v in _labels(row, layout).items() if k not in values})
    if first.fiscal_year is None:
        raise errors.MissingSectionError(doc.path, "no fiscal year (…年度) above the first table")
    _, department = split_code(cell_text(values.get("department")))
    lines = printed_lines(doc.pages[0])
    title = next((line for line in lines if regex(layout.title_pattern).search(line)), layout.form)
    return ReportHeader(
        source_file=file_name(doc.path),
        sha256=doc.sha256,
        title=title,
        department=department or "",
        fiscal_year=first.fiscal_year,
        city=None,
        page_count=doc.page_count,
    )


def read_file(doc: Document, layout: ProjectLayout) -> ProjectFile:
    tables = _split_tables(doc.pages, layout)
    if not tables:
        raise errors.MissingSectionError(doc.path, "no project table (no 项目名称 row)")
    extracted = ProjectFile(
        source_file=file_name(doc.path),
        sha256=doc.sha256,
        page_count=doc.page_count,
        projects=tuple(_project(doc.path, table, layout) for table in tables),
        integrity_warnings=doc.integrity_warnings,
    )
    record_checks.check_project_file(doc.path, extracted)
    return extracted


def sort_rows(
    table: _Table, layout: ProjectLayout, specs: dict[str, TableSpec]
) -> tuple[dict[str, str | None], dict[str, list[Row]], Row | None, dict[str, list[Row]]]:
    """A table's label values (field -> the first value printed), its blocks' rows (each block from
    its header row: `specs`, the first matching header wins), the total row closing the indicators,
    and the blocks' rows as printed, block labels kept (a label may print the block's points)."""
    values: dict[str, str | None] = {}
    blocks: dict[str, list[Row]] = {name: [] for name in specs}
    state: str | None = None
    total: Row | None = None
    labelled: dict[str, list[Row]] = {name: [] for name in specs}  # the rows with their block labels
    for printed in table.rows:
        row = _without_block_labels(printed, layout)
        labels = _labels(row, layout)
        if labels:
            values.update({k: v for k, v in labels.items() if k not in values})
            state = None
            continue
        header = next((name for name, spec in specs.items() if header_mapping(row, spec) is not None), None)
        if header is not None:
            state = header
        elif state == "indicators" and _is_total(row, layout):
            total, state = row, None
            continue
        if state is not None:
            blocks[state].append(row)
            labelled[state].append(printed)
    return values, blocks, total, labelled


def _project(path: Path, table: _Table, layout: ProjectLayout) -> ProjectReport:
    # Indicators first: their header also names 分值, 得分 and 原因, as the funding one does.
    specs = {"indicators": layout.indicators, "funding": layout.funding, "goal": layout.goal}
    values, blocks, total, labelled = sort_rows(table, layout, specs)
    name = cell_text(values.get("project_name"))
    if table.fiscal_year is None:
        raise errors.MissingSectionError(path, f"no fiscal year (…年度) above the table of {name}")
    if name is None:
        raise errors.MalformedTableError(path, "a 项目名称 row without a name")
    project_code, project_name = split_code(name)
    if project_name is None:
        raise errors.MalformedTableError(path, f"a 项目名称 row with a code and no name: {name}")
    department_code, department = split_code(cell_text(values.get("department")))
    unit_code, unit = split_code(cell_text(values.get("implementing_unit")))
    where = f"{project_name}: "
    try:
        funding = _funding_lines(
            _stitched(blocks["funding"], layout.funding), layout, _funding_points(labelled["funding"], layout)
        )
        indicators = _indicators(_stitched(blocks["indicators"], layout.indicators))
        total_weight, total_score = _total(total, blocks["indicators"], layout)
    except (errors.TableShapeError, errors.NumberParseError) as exc:
        raise errors.MalformedTableError(path, where + str(exc)) from None
    goal_expected, goal_achieved = _goal(blocks["goal"], layout)
    return ProjectReport(
        form=layout.form,
        fiscal_year=table.fiscal_year,
        department=department,
        department_code=department_code,
        implementing_unit=unit,
        implementing_unit_code=unit_code,
        project_name=project_name,
        project_code=project_code,
        funding_lines=funding,
        goal_expected=goal_expected,
        goal_achieved=goal_achieved,
        indicators=indicators,
        total_weight=total_weight,
        total_score=total_score,
        conclusion=cell_text(values.get("conclusion")),
        problems=cell_text(values.get("problems")),
        improvements=cell_text(values.get("improvements")),
        provenance=_table_provenance(table.rows),
    )


def _is_total(row: Row, layout: ProjectLayout) -> bool:
    return any(regex(layout.total_pattern).fullmatch(squash(t)) for t in row.cells if t is not None)


def _without_block_labels(row: Row, layout: ProjectLayout) -> Row:
    """The row with its block's label cell (项目资金（万元）, 绩效指标) left out: a title, no column."""
    cells = tuple(None if _is_block_label(t, layout) else t for t in row.cells)
    return Row(cells, row.cell_x0, row.page, row.bbox, row.cell_x1, row.cell_range)


def _is_block_label(text: str | None, layout: ProjectLayout) -> bool:
    """A block's label, or the tail of one a page break cut off (its points alone: （10分）)."""
    key = squash(text)
    return (
        text is not None
        and (regex(layout.block_label_pattern).match(key) or _POINTS_ALONE.fullmatch(key)) is not None
    )


def _funding_points(rows: list[Row], layout: ProjectLayout) -> Decimal | None:
    """The weight the funding block's label prints (预算执行情况（万元）（20分）), if any; else the one its
    score header prints (得分（20分*执行率）)."""
    texts = [squash(t) for row in rows for t in row.cells if _is_block_label(t, layout)]
    header = _last_header(rows, layout.funding)
    texts += [squash(t) for t in (header.cells if header else ()) if re.match(r"得分", squash(t))]
    found = next((m for m in map(_POINTS.search, texts) if m), None)
    return Decimal(found.group(1)) if found else None


def _stitched(rows: list[Row], spec: TableSpec) -> list[LogicalRow]:
    """A block's rows as records: `stitch` joins rows cut by page breaks and carries merges down."""
    fragments: list[Fragment] = []
    for row in rows:
        if fragments and fragments[-1].page == row.page:
            last = fragments[-1]
            fragments[-1] = Fragment(last.page, last.bbox, (*last.rows, row))
        else:
            fragments.append(Fragment(row.page, row.bbox, (row,)))
    return stitch(fragments, spec) if fragments else []


def _funding_source(line_name: str, layout: ProjectLayout) -> str:
    key = re.sub(r"^其中[:：]?", "", squash(line_name))
    return next((source for source, pattern in layout.funding_sources if regex(pattern).search(key)), "other")


def _funding_lines(
    rows: list[LogicalRow], layout: ProjectLayout, block_points: Decimal | None = None
) -> tuple[FundingLine, ...]:
    """`block_points`: the weight printed in the block's label (预算执行情况（万元）（20分）), the weight
    of its scored lines where the form has no weight column."""
    out: list[FundingLine] = []
    for row in rows:
        v = row.values
        name = cell_text(v["line_name"])
        if name is None:
            raise errors.TableShapeError(f"{layout.funding.title}: a line without a name")
        # A note merged over several lines (its cell covered below its first line) is each line's.
        reason = cell_text(v.get("reason")) if v.get("reason") is not None or not out else out[-1].reason
        out.append(
            FundingLine(
                line_name=name,
                funding_source=_funding_source(name, layout),
                initial_budget=parse_amount(v.get("initial_budget")),
                adjusted_budget=parse_amount(v.get("adjusted_budget")),
                actual_spend=parse_amount(v["actual_spend"]),
                execution_rate_pct=parse_rate(v["execution_rate_pct"]),
                weight=_line_weight(v, block_points),
                score=parse_points(v["score"]),
                reason=reason,
                provenance=row.provenance,
            )
        )
    return tuple(out)


def _line_weight(values: dict[str, str | None], block_points: Decimal | None) -> Decimal | None:
    """Its 分值 / 权重 cell; where the form prints none, the block's points if the line is scored."""
    if "weight" in values:
        return parse_points(values["weight"])
    return block_points if parse_points(values["score"]) is not None else None


def _indicators(rows: list[LogicalRow]) -> tuple[ProjectIndicator, ...]:
    return tuple(ProjectIndicator(**indicator_values(row)) for row in rows)


def indicator_values(row: LogicalRow) -> dict[str, Any]:
    """A ProjectIndicator's fields from an indicator row; a column the form does not print is None."""
    v = row.values
    return {
        "level1": without_printed_weight(cell_text(v.get("level1"))),
        "level2": cell_text(v.get("level2")),
        "indicator_name": cell_text(v["indicator_name"]) or "",
        "operator": cell_text(v.get("operator")),
        "target_raw": cell_text(v.get("target_raw")),
        "unit": cell_text(v.get("unit")),
        "actual_raw": cell_text(v.get("actual_raw")),
        "weight": parse_points(v.get("weight")),
        "score": parse_points(v.get("score")),
        "reason": cell_text(v.get("reason")),
        "provenance": row.provenance,
    }


def _columns(header: Row, spec: TableSpec) -> dict[str, tuple[float, float]]:
    """Field -> (x0, x1) of its header cell."""
    mapping = header_mapping(header, spec) or []
    return {
        f: (x0, x1)
        for f, x0, x1 in zip(mapping, header.cell_x0, header.cell_x1, strict=False)
        if f and x0 is not None and x1 is not None
    }


def _aligned(row: Row, columns: dict[str, tuple[float, float]]) -> dict[str, str]:
    """Field -> text of each cell of `row`: a cell fills the leftmost column whose middle it covers
    (a merged cell prints its text once, for the first column it spans)."""
    out: dict[str, str] = {}
    for text, x0, x1 in zip(row.cells, row.cell_x0, row.cell_x1, strict=False):
        if text is None or x0 is None or x1 is None:
            continue
        covered = [(cx0, f) for f, (cx0, cx1) in columns.items() if x0 <= (cx0 + cx1) / 2 <= x1]
        if covered:
            out[min(covered)[1]] = text
    return out


def _last_header(rows: list[Row], spec: TableSpec) -> Row | None:
    return next((row for row in reversed(rows) if header_mapping(row, spec) is not None), None)


def _total(total: Row | None, indicator_rows: list[Row], layout: ProjectLayout) -> tuple[Decimal | None, ...]:
    header = _last_header(indicator_rows, layout.indicators)
    if total is None or header is None:
        return None, None
    values = _aligned(total, _columns(header, layout.indicators))
    return parse_points(values.get("weight")), parse_points(values.get("score"))


def _goal(rows: list[Row], layout: ProjectLayout) -> tuple[str | None, str | None]:
    texts = goal_texts(rows, layout.goal)
    return texts.get("expected"), texts.get("achieved")


def goal_texts(rows: list[Row], spec: TableSpec) -> dict[str, str | None]:
    """Each goal column's text (field -> text) below the block's last header row."""
    header = _last_header(rows, spec)
    if header is None:
        return {}
    columns = _columns(header, spec)
    texts: dict[str, list[str]] = {c.field: [] for c in spec.columns}
    for row in rows:
        if header_mapping(row, spec) is not None:
            continue
        for f, text in _aligned(row, columns).items():
            texts[f].append(text)
    return {f: cell_text("\n".join(t)) for f, t in texts.items()}


def _table_provenance(rows: list[Row]) -> Provenance:
    first = rows[0].page
    # A free text line read as a label row (`_label_line`) has no ruled box of its own.
    ruled = [r for r in rows if any(x is not None for x in r.cell_x0)] or rows
    on_first = [r.bbox for r in ruled if r.page == first] or [r.bbox for r in rows if r.page == first]
    bbox = (
        min(b[0] for b in on_first),
        min(b[1] for b in on_first),
        max(b[2] for b in on_first),
        max(b[3] for b in on_first),
    )
    where = cell_range.union([r.cell_range for r in rows if r.page == first])
    return Provenance(first, tuple(sorted({r.page for r in rows})), bbox, where)
