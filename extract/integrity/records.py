"""Record-level integrity checks: the records a report's pages yield do not contradict themselves.

- `check_pages`: no printed character inside a table is left out of its cells;
- `check_page_numbers`: page numbers the document prints run on, one per page, in the page tree's
  order (a page deleted, listed twice or swapped shows here, whatever the file's byte layout);
- `check_report`: what the report states in section 四 agrees with its tables, every table row has
  its required cells, no row of a table is printed twice, sections 一 to 九 are all printed and in
  order, and no text field holds control characters, U+FFFD or private-use code points;
- `check_project_file`: a file of project tables gets the text and required-cell checks (sections
  and section 四 belong to the department-wide report alone).

File-level checks (bytes, objects, streams, fonts) are in `extract.integrity.file_checks`.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import fields
from pathlib import Path

from .. import errors
from ..models import ProjectFile, Report
from ..tables import PageContent, printed_lines

# --- records -------------------------------------------------------------------------------------

_SECTION_NUMERALS = "一二三四五六七八九"
_SECTION = re.compile(rf"^([{_SECTION_NUMERALS}])[、.．]\S")
_BAD_CATEGORIES = {"Cc": "control character", "Co": "private-use character", "Cs": "surrogate"}
_REPLACEMENT_CHARACTER = "\ufffd"
_MAX_TITLE_CHARS = 60


def check_pages(path: Path, pages) -> None:
    """No printed character inside a table is left out of its cells (a damaged rule merges or drops them)."""
    for page in pages:
        if page.chars_outside_cells:
            raise errors.MalformedTableError(
                path,
                f"page {page.number}: {page.chars_outside_cells} characters inside a table but in no cell",
            )


# A page number printed alone on its line, as publishers decorate it: '- 3 -', '— 3 —', '第 3 页',
# '第3页 共10页', '3 / 10'. A bare '3' is not taken: a table's last cell may print one.
_PAGE_NUMBER = re.compile(
    r"^(?:[-—–－]\s*(\d{1,4})\s*[-—–－]|第\s*(\d{1,4})\s*页(?:\s*[，,/]?\s*共\s*\d{1,4}\s*页)?"
    r"|(\d{1,4})\s*/\s*\d{1,4})$"
)


def printed_page_number(page: PageContent) -> int | None:
    """The page number the page prints in its header or footer (its first or last line), else None."""
    lines = printed_lines(page)
    for line in (lines[-1], lines[0]) if lines else ():
        match = _PAGE_NUMBER.match(line.strip())
        if match:
            return int(next(group for group in match.groups() if group))
    return None


def check_page_numbers(path: Path, pages: Sequence[PageContent]) -> bool:
    """The page numbers the document prints run on in the page tree's order: a page left out, listed
    twice or swapped breaks the run, wherever the file stores its pages. True when every page prints
    its number (the order is then the document's own word), False when some print none."""
    numbered = [(index, number) for index, page in enumerate(pages) if (number := printed_page_number(page))]
    for (index, number), (next_index, next_number) in itertools.pairwise(numbered):
        if next_number - number != next_index - index:
            raise errors.IntegrityError(
                path,
                f"page {next_index + 1} prints page number {next_number} after page {index + 1}'s {number}",
            )
    return len(numbered) == len(pages)


def check_report(path: Path, report: Report, section_titles: Iterable[str]) -> None:
    """Raise IntegrityError (or MalformedTableError) unless the records are complete and consistent."""
    _check_title(path, report.title)
    _check_section_order(path, section_titles)
    _check_text(path, report)
    _check_required_cells(path, report)
    _check_no_repeated_rows(path, report)
    _check_stated_facts(path, report)


def _check_title(path: Path, title: str) -> None:
    if len(title) > _MAX_TITLE_CHARS or not title.endswith("报告"):
        raise errors.IntegrityError(
            path, f"the first page does not start with the report's title ({title[:20]}…)"
        )


def _check_section_order(path: Path, titles: Iterable[str]) -> None:
    """Sections 一 to 九 are all printed, in order: else pages are missing or misplaced."""
    seen: list[str] = []
    for title in titles:
        match = _SECTION.match(title)
        if not match:
            continue
        numeral = match.group(1)
        if seen and _SECTION_NUMERALS.index(numeral) < _SECTION_NUMERALS.index(seen[-1]):
            raise errors.IntegrityError(path, f"section {numeral} printed after section {seen[-1]}")
        seen.append(numeral)
    missing = [n for n in _SECTION_NUMERALS if n not in seen]
    if missing:
        raise errors.IntegrityError(path, f"section {missing[0]} missing")


def _values(record) -> tuple:
    """A record's values, its provenance (the last field: numbers only) left out. Text, amounts and
    tuples of text: `dataclasses.astuple` would only deep-copy them."""
    return tuple(getattr(record, f.name) for f in fields(record)[:-1])


def _text_fields(report: Report) -> Iterable[tuple[str, str]]:
    yield "title", report.title
    yield "department", report.department
    for table in ("budget_lines", "key_tasks", "indicators"):
        for index, record in enumerate(getattr(report, table), start=1):
            for value in _values(record):
                for text in value if isinstance(value, tuple) else (value,):
                    if isinstance(text, str):
                        yield f"{table} row {index}", text


def _check_text(path: Path, report: Report) -> None:
    _check_characters(path, _text_fields(report))


def _check_characters(path: Path, fields: Iterable[tuple[str, str]]) -> None:
    for where, text in fields:
        # Told at C speed for most texts: a printable text holds no character of the bad categories
        # (every C* category is not printable).
        if text.isprintable() and _REPLACEMENT_CHARACTER not in text:
            continue
        for char in text:
            kind = _BAD_CATEGORIES.get(unicodedata.category(char))
            if char == _REPLACEMENT_CHARACTER:
                kind = "replacement character"
            if kind:
                raise errors.IntegrityError(path, f"{kind} U+{ord(char):04X} in {where}")


def _check_required_cells(path: Path, report: Report) -> None:
    for index, line in enumerate(report.budget_lines, start=1):
        if not line.line_name:
            raise errors.MalformedTableError(path, f"七、预算信息 row {index}: no name")
        # Summary lines always print these three (0 when nothing): a blank one is a lost glyph.
        if line.line_type != "project" and None in (
            line.initial_budget,
            line.adjusted_budget,
            line.actual_spend,
        ):
            raise errors.MalformedTableError(path, f"七、预算信息 {line.line_name}: an amount is blank")
    for index, task in enumerate(report.key_tasks, start=1):
        if not task.task:
            raise errors.MalformedTableError(path, f"八、年度重点任务 row {index}: no task")
    for index, indicator in enumerate(report.indicators, start=1):
        if not (indicator.indicator_name and indicator.level1):
            raise errors.MalformedTableError(path, f"九、部门整体自评表 row {index}: no level-1 type or name")


def _check_no_repeated_rows(path: Path, report: Report) -> None:
    """A row printed twice with every cell equal is a page printed twice, not two records."""
    for table, title in (
        ("budget_lines", "七、预算信息"),
        ("key_tasks", "八、年度重点任务"),
        ("indicators", "九、部门整体自评表"),
    ):
        counts = Counter(_values(record) for record in getattr(report, table))
        repeated = [row for row, n in counts.items() if n > 1]
        if repeated:
            raise errors.IntegrityError(path, f"{title}: a row is printed twice ({repeated[0][0]} …)")


def _check_stated_facts(path: Path, report: Report) -> None:
    """Counts and rates the report states in section 四 equal what its tables hold, where stated."""
    facts = report.facts
    indicators = report.indicators
    counted = {
        "履职绩效目标 (indicator_total)": (
            facts.indicator_total,
            sum(1 for i in indicators if "履职" in (i.level1 or "")),
        ),
        "效益指标 (benefit_indicator_count)": (
            facts.benefit_indicator_count,
            sum(1 for i in indicators if "效益" in (i.category or "")),
        ),
        "社会满意度指标 (satisfaction_indicator_count)": (
            facts.satisfaction_indicator_count,
            sum(1 for i in indicators if "满意度" in (i.category or "")),
        ),
    }
    for name, (stated, found) in counted.items():
        if stated is not None and stated != found:
            raise errors.IntegrityError(path, f"section 四 states {stated} {name}, 九 lists {found}")
    totals = [b for b in report.budget_lines if b.line_type == "total"]
    stated_rate = facts.budget_timeliness_rate_pct
    if stated_rate is not None and len(totals) == 1 and totals[0].execution_rate_pct != stated_rate:
        raise errors.IntegrityError(
            path,
            f"section 四 states 预算执行时效完成率 {stated_rate}%, "
            f"七's total line {totals[0].execution_rate_pct}%",
        )


# --- project tables ----------------------------------------------------------------------------


def check_project_file(path: Path, extracted: ProjectFile) -> None:
    """Every project table has its name, every funding line its name, every indicator its level and
    name (a lost glyph or a broken rule empties them), and no text holds a character no table prints."""
    for number, table in enumerate(extracted.projects, start=1):
        where = f"project table {number} ({table.project_name})"
        if not table.project_name:
            raise errors.MalformedTableError(path, f"project table {number}: no 项目名称")
        for index, line in enumerate(table.funding_lines, start=1):
            if not line.line_name:
                raise errors.MalformedTableError(path, f"{where} funding row {index}: no name")
        for index, indicator in enumerate(table.indicators, start=1):
            if not (indicator.indicator_name and indicator.level1):
                raise errors.MalformedTableError(path, f"{where} indicator {index}: no level-1 type or name")
        _check_characters(path, _project_text_fields(where, table))
    for number, department in enumerate(extracted.department_tables, start=1):
        _check_department_table(path, f"department-wide table {number} ({department.department})", department)


def _check_department_table(path: Path, where: str, table) -> None:
    """As a project table's: names present (an indicator's level where its form prints levels), no
    character no table prints."""
    for index, line in enumerate(table.funding_lines, start=1):
        if not line.line_name:
            raise errors.MalformedTableError(path, f"{where} funding row {index}: no name")
    has_levels = any(i.level1 for i in table.indicators)
    for index, indicator in enumerate(table.indicators, start=1):
        if not indicator.indicator_name or (has_levels and not indicator.level1):
            raise errors.MalformedTableError(path, f"{where} indicator {index}: no level-1 type or name")
    texts = [(where, table.department), *((where, getattr(table, f) or "") for f in _DEPARTMENT_TEXTS)]
    _check_characters(
        path, [*texts, *_record_texts(where, table, ("funding_lines", "key_tasks", "indicators"))]
    )


_DEPARTMENT_TEXTS = ("goal_expected", "goal_adjusted", "goal_achieved", "problems", "improvements")


def _project_text_fields(where: str, table) -> Iterable[tuple[str, str]]:
    for name in ("department", "implementing_unit", "project_name", "goal_expected", "goal_achieved"):
        yield where, getattr(table, name) or ""
    yield from _record_texts(where, table, ("funding_lines", "indicators"))


def _record_texts(where: str, table, tables: tuple[str, ...]) -> Iterable[tuple[str, str]]:
    for rows in tables:
        for index, record in enumerate(getattr(table, rows), start=1):
            for value in (getattr(record, f.name) for f in fields(record)):  # provenance: numbers only
                if isinstance(value, str):
                    yield f"{where} {rows} row {index}", value
