"""The department-wide report (整体支出预算绩效自评报告) as Suzhou prints it: sections 一 to 九,
tables 七、预算信息, 八、年度重点任务 and 九、部门整体自评表, figures stated in section 四."""

from __future__ import annotations

import re
from dataclasses import asdict
from decimal import Decimal

from .. import errors
from ..integrity import records as record_checks
from ..lib.text import file_name, join_wrapped, parse_amount, parse_rate, split_projects, squash
from ..models import BudgetLine, Indicator, KeyTask, Report, ReportFacts, ReportHeader
from ..stitch import LogicalRow, stitch
from ..tables import Fragment, PageContent, TextLine
from .lib.form import Document, Form, Signal
from .lib.table_spec import ColumnSpec, TableSpec

BUDGET = TableSpec(
    name="budget_lines",
    title="七、预算信息",
    title_pattern=r"^七[、.．]?预算信息",
    columns=(
        ColumnSpec("line_name", r"预算资金|项目名称|支出项目"),
        ColumnSpec("initial_budget", r"年初预算"),
        ColumnSpec("adjustment", r"结转|追加|追减"),
        ColumnSpec("adjusted_budget", r"调整预算"),
        ColumnSpec("actual_spend", r"实际支出|执行数"),
        ColumnSpec("execution_rate_pct", r"执行率"),
    ),
    header_min_matches=3,
    new_row_fields=("initial_budget", "adjustment", "adjusted_budget", "actual_spend", "execution_rate_pct"),
    identity_fields=("line_name",),
)

KEY_TASKS = TableSpec(
    name="key_tasks",
    title="八、年度重点任务",
    title_pattern=r"^八[、.．]?年度重点任务",
    columns=(
        ColumnSpec("duty", r"主要职责|对应.*职责"),
        ColumnSpec("task", r"任务名称"),
        ColumnSpec("projects", r"主要内容|对应项目|项目名称"),
        ColumnSpec("status", r"完成情况"),
    ),
    header_min_matches=3,
    new_row_fields=("status",),
    identity_fields=("duty", "task"),
)

INDICATORS = TableSpec(
    name="indicators",
    title="九、部门整体自评表",
    title_pattern=r"^九[、.．]?部门整体自评表",
    columns=(
        ColumnSpec("level1", r"^$|一级指标|目标类型"),
        ColumnSpec("category", r"^类别$|二级指标"),
        ColumnSpec("indicator_name", r"指标名称|三级指标"),
        ColumnSpec("target_raw", r"目标值"),
        ColumnSpec("actual_raw", r"完成值$|实际完成值|实际值"),
        ColumnSpec("value_source", r"完成值来源|数据来源"),
        ColumnSpec("deviation_raw", r"偏差"),
        ColumnSpec("reason", r"原因"),
    ),
    header_min_matches=4,
    new_row_fields=("target_raw", "actual_raw"),
    identity_fields=("indicator_name",),
    carry_down=("level1", "category"),
)

TABLES = (BUDGET, KEY_TASKS, INDICATORS)

# Any other numbered section title ends the table section before it.
SECTION_TITLE = r"^[一二三四五六七八九十]{1,3}[、.．]\S"

LINE_TYPE_PATTERNS: tuple[tuple[str, str], ...] = (
    ("total", r"^(预算总金额|合计|总计|预算资金合计)$"),
    ("basic", r"^基本支出(合计)?$"),
    ("project_total", r"^项目支出(合计)?$"),
)

_YEAR = re.compile(r"[（(]?(20\d{2})年度?[）)]?")
_DEPARTMENT = re.compile(r"^一[、.．]?预算部门(?:（单位）|\(单位\))?名称[:：]?(.*)$")
_CITY = re.compile(r"^(.{2,10}?[市州盟县区])(?:市|州|县|区)?级")
# Without the department line, the title is looked for in this many first lines.
_PRELUDE_LINES = 12


def _prelude(squashed: list[str]) -> tuple[str, int | None]:
    dept_at = next((i for i, s in enumerate(squashed) if _DEPARTMENT.match(s)), None)
    return "".join(squashed[: dept_at if dept_at is not None else _PRELUDE_LINES]), dept_at


# What identifies a narrative report's first page: its numbered section 一's department line above all.
SIGNALS = (
    Signal("自评报告 title", r"自评.*报告|绩效自评$", is_title=True),
    Signal("一、预算部门名称 line", _DEPARTMENT.pattern, required=True),
    Signal("二、… section title", r"^二[、.．]\S"),
)


def read_header(doc: Document) -> ReportHeader:
    return _header(doc, [line for p in doc.pages for line in p.lines])


def _header(doc: Document, lines: list[TextLine]) -> ReportHeader:
    title, department, fiscal_year, city = _read_header(doc, lines)
    return ReportHeader(
        source_file=file_name(doc.path),
        sha256=doc.sha256,
        title=title,
        department=department,
        fiscal_year=fiscal_year,
        city=city,
        page_count=doc.page_count,
    )


def _read_header(doc: Document, lines: list[TextLine]) -> tuple[str, str, int, str | None]:
    """Title, department, fiscal year and city from the text before section 一's end."""
    squashed = [squash(line.text) for line in lines]
    prelude, dept_at = _prelude(squashed)
    if dept_at is None:
        raise errors.MissingSectionError(doc.path, "no 一、预算部门名称 line")
    department_line = _DEPARTMENT.match(squashed[dept_at])
    assert department_line is not None  # dept_at is the first line this matched
    department = department_line.group(1)
    if not department and dept_at + 1 < len(squashed):
        department = squashed[dept_at + 1]
    year = _YEAR.search(prelude)
    if not department or not year:
        raise errors.MissingSectionError(doc.path, "department name or fiscal year not found in the header")
    title_end = prelude.find("报告")
    title = prelude[: title_end + 2] if title_end >= 0 else prelude
    title = _YEAR.sub("", title) if title.startswith(("（", "(")) else title
    city = _CITY.match(title)
    return title, department, int(year.group(1)), city.group(1) if city else None


def read(doc: Document) -> Report:
    path = doc.path
    lines = [line for p in doc.pages for line in p.lines]
    header = _header(doc, lines)
    sections = _assign_sections(doc.pages)
    rows: dict[str, list[LogicalRow]] = {}
    for spec in TABLES:
        frags = sections.get(spec.name, [])
        if not frags:
            raise errors.MissingSectionError(path, f"no {spec.title} table")
        try:
            rows[spec.name] = stitch(frags, spec)
        except errors.TableShapeError as exc:
            raise errors.MalformedTableError(path, f"{spec.title}: {exc}") from None
    try:
        budget = tuple(_budget_line(r) for r in rows["budget_lines"])
    except errors.NumberParseError as exc:
        raise errors.MalformedTableError(path, f"七、预算信息: {exc}") from None
    names = frozenset(b.line_name for b in budget)
    report = Report(
        **asdict(header),
        budget_lines=budget,
        key_tasks=tuple(_key_task(r, names) for r in rows["key_tasks"]),
        indicators=tuple(_indicator(r) for r in rows["indicators"]),
        facts=_read_facts(lines),
        integrity_warnings=doc.integrity_warnings,
    )
    record_checks.check_report(path, report, (squash(line.text) for line in lines))
    return report


def _assign_sections(pages: tuple[PageContent, ...]) -> dict[str, list[Fragment]]:
    """Each table fragment belongs to the last section title printed above it (in reading order)."""
    out: dict[str, list[Fragment]] = {}
    current: TableSpec | None = None
    for page in pages:
        events: list[tuple[float, int, TextLine | Fragment]] = [(line.top, 0, line) for line in page.lines]
        events += [(frag.bbox[1], 1, frag) for frag in page.fragments]
        for _, _, item in sorted(events, key=lambda e: (e[0], e[1])):
            if isinstance(item, TextLine):
                text = squash(item.text)
                spec = next((s for s in TABLES if re.match(s.title_pattern, text)), None)
                if spec is not None:
                    current = spec
                elif re.match(SECTION_TITLE, text):
                    current = None
            elif current is not None:
                out.setdefault(current.name, []).append(item)
    return out


def _line_type(name: str) -> str:
    key = squash(name)
    return next((t for t, pattern in LINE_TYPE_PATTERNS if re.match(pattern, key)), "project")


def _budget_line(row: LogicalRow) -> BudgetLine:
    v = row.values
    name = join_wrapped(v["line_name"]) or ""
    return BudgetLine(
        line_name=name,
        line_type=_line_type(name),
        initial_budget=parse_amount(v["initial_budget"]),
        adjustment=parse_amount(v["adjustment"]),
        adjusted_budget=parse_amount(v["adjusted_budget"]),
        actual_spend=parse_amount(v["actual_spend"]),
        execution_rate_pct=parse_rate(v["execution_rate_pct"]),
        provenance=row.provenance,
    )


def _key_task(row: LogicalRow, budget_names: frozenset[str]) -> KeyTask:
    v = row.values
    return KeyTask(
        duty=join_wrapped(v["duty"]),
        task=join_wrapped(v["task"]),
        projects=split_projects(join_wrapped(v["projects"]), budget_names),
        status=join_wrapped(v["status"]),
        provenance=row.provenance,
    )


def _indicator(row: LogicalRow) -> Indicator:
    v = {k: join_wrapped(t) for k, t in row.values.items()}
    return Indicator(
        level1=v["level1"],
        category=v["category"],
        indicator_name=v["indicator_name"] or "",
        target_raw=v["target_raw"],
        actual_raw=v["actual_raw"],
        value_source=v["value_source"],
        deviation_raw=v["deviation_raw"],
        reason=v["reason"],
        provenance=row.provenance,
    )


_NUM = r"(\d+(?:\.\d+)?)"
_FACTS: tuple[tuple[str, str, type], ...] = (
    ("completion_rate_pct", rf"完成率为{_NUM}%", Decimal),
    ("budget_timeliness_rate_pct", rf"预算执行时效完成率(?:达到?|为)?{_NUM}%", Decimal),
    ("indicator_total", r"(\d+)项履职绩效目标值?中", int),
    ("indicator_met", r"项履职绩效目标值?中[，,]?(\d+)项", int),
    ("indicator_met_share_pct", rf"项指标完成率100%[，,]?占比{_NUM}%", Decimal),
    ("benefit_indicator_count", r"(\d+)项效益指标", int),
    ("satisfaction_indicator_count", r"(\d+)项社会满意度指标", int),
)


def _read_facts(lines: list[TextLine]) -> ReportFacts:
    text = "".join(squash(line.text) for line in lines)
    found = {}
    for name, pattern, kind in _FACTS:
        m = re.search(pattern, text)
        if m:
            found[name] = kind(m.group(1))
    return ReportFacts(**found)


FORM = Form(
    name=Report.form,
    report_kind=Report.report_kind,
    signals=SIGNALS,
    reads_tables=False,
    read_header=read_header,
    read=read,
)
