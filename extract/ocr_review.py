"""Flags on records read by OCR: where they came from, how sure the recogniser was, and whether the
numbers they print agree with each other (docs/ocr.md). An OCR misreading may be loaded only flagged.

A record read from an OCR page carries text_source "ocr" and the lowest confidence of the recognised
text inside its box; it needs review when that confidence is below the settings' threshold or when
its printed arithmetic fails:
- execution rate = actual spend ÷ adjusted budget (to the printed rate's precision);
- a Suzhou budget line's adjusted budget = initial budget + adjustment;
- a score at most its weight;
- a table's total funding line = the sum of its sources, in each amount column (else the total and
  every source line are flagged: which one was misread is not known);
- a project table's scores (funding total and indicators) add up to its total score, and weights to
  its total weight;
- an indicator's levels (一级指标, 二级指标) name the national vocabulary (extract.lib.indicator_levels):
  a level misread (`#产产比七`, `产出指标（分`) is never loaded unflagged;
- an indicator's level or operator is not blank where the table's other indicators print one (ink
  nothing was read from, or a merged cell whose text went to its neighbour).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import fields, replace
from decimal import Decimal
from typing import Any, TypeVar

from .lib.indicator_levels import LEVEL1, LEVEL2, is_known
from .lib.text import squash
from .models import (
    BudgetLine,
    DepartmentTable,
    FundingLine,
    ProjectFile,
    ProjectIndicator,
    ProjectReport,
    Provenance,
    Report,
)
from .ocr_pages import OcrBox

R = TypeVar("R")
_CENT = Decimal("0.01")


def review(result: Report | ProjectFile, boxes: Mapping[int, Iterable[OcrBox]], threshold: float):
    """`result` with every record on an OCR page flagged; unchanged when no page was read by OCR."""
    if not boxes:
        return result
    by_page = {page: tuple(found) for page, found in boxes.items()}
    pages = tuple(sorted(by_page))
    # Where the first row starting on each page begins: a row continued from the page before ends
    # there (its box is known on its first page only).
    starts: dict[int, float] = {}
    for row in _rows(result):
        page, top = row.provenance.page, row.provenance.bbox[1]
        starts[page] = min(top, starts.get(page, top))

    def flag(record: R, failed: bool = False, holds: tuple[str, ...] | None = None) -> R:
        prov: Provenance = record.provenance  # type: ignore[attr-defined]
        if not set(prov.pages) & set(by_page):
            return record
        confidence = _lowest(prov, by_page, holds, None if holds is not None else starts)
        low = confidence is not None and confidence < threshold
        return replace(  # type: ignore[type-var]
            record,
            text_source="ocr",
            ocr_confidence=None if confidence is None else round(confidence, 4),
            needs_review=low or failed or _fails(record),
        )

    if isinstance(result, Report):
        return replace(
            result,
            budget_lines=tuple(flag(r) for r in result.budget_lines),
            key_tasks=tuple(flag(r) for r in result.key_tasks),
            indicators=tuple(flag(r) for r in result.indicators),
            ocr_pages=pages,
        )

    def table_flagged(table: Any) -> Any:
        total_wrong = not _sources_add_up(table.funding_lines)
        funding = tuple(
            # Which line was misread is not known: the total and every source are flagged.
            flag(r, failed=total_wrong)
            for r in table.funding_lines
        )
        printed = [f for f in _PRINTED_ON_EVERY_ROW if any(getattr(r, f) for r in table.indicators)]
        indicators = tuple(
            # A blank where the table's other indicators print one: ink nothing read, or a merged
            # cell not found (its text went to a neighbour).
            flag(r, failed=any(getattr(r, f) is None for f in printed))
            for r in table.indicators
        )
        parts: list[Any] = [*funding, *indicators]
        changed: dict[str, Any] = {"funding_lines": funding, "indicators": indicators}
        if isinstance(table, DepartmentTable):
            changed["key_tasks"] = tuple(flag(r) for r in table.key_tasks)
            parts.extend(changed["key_tasks"])
        table = replace(table, **changed)
        # The table's own confidence: of each line whose text one of its own fields holds (its name,
        # codes, units, goals, conclusion) its least sure character; of a printed label no field
        # holds ('（50分）', '签名：'), which only places the values, the recogniser's mean over it.
        holds = _own_texts(table)
        flagged = flag(table, failed=total_wrong or not _scores_add_up(table), holds=holds)
        if any(r.needs_review for r in parts):
            flagged = replace(flagged, needs_review=flagged.text_source == "ocr" or flagged.needs_review)
        return flagged

    return replace(
        result,
        projects=tuple(table_flagged(t) for t in result.projects),
        department_tables=tuple(table_flagged(t) for t in result.department_tables),
        ocr_pages=pages,
    )


def _rows(result: Report | ProjectFile) -> list[Any]:
    if isinstance(result, Report):
        return [*result.budget_lines, *result.key_tasks, *result.indicators]
    tables: list[Any] = [*result.projects, *result.department_tables]
    return [r for t in tables for r in (*t.funding_lines, *t.indicators, *getattr(t, "key_tasks", ()))]


def _lowest(
    prov: Provenance,
    by_page: Mapping[int, tuple[OcrBox, ...]],
    holds: tuple[str, ...] | None = None,
    starts: Mapping[int, float] | None = None,
) -> float | None:
    """The lowest confidence of the text lines inside the record: in its box on its first page, on
    the further pages it spans above the first row starting there (`starts`; anywhere without);
    with `holds`, lines whose text is part of none of those texts and holds none count with their
    mean confidence (ink nothing read has empty text: it is held)."""
    x0, top, x1, bottom = prov.bbox
    scores = []
    for page in prov.pages:
        ends = (starts or {}).get(page, float("inf"))
        for box in by_page.get(page, ()):
            cx, cy = (box.bbox[0] + box.bbox[2]) / 2, (box.bbox[1] + box.bbox[3]) / 2
            here = x0 <= cx <= x1 and top <= cy <= bottom
            inside = here if page == prov.page else cy < ends
            if not inside:
                continue
            if holds is None or _held(box.text, holds):
                scores.append(box.confidence)
            else:  # a printed label: as sure as the recogniser's mean over it
                scores.append(box.confidence if box.mean_confidence is None else box.mean_confidence)
    return min(scores) if scores else None


# Indicator fields a table prints on every row when it prints them at all (a merged level cell is
# carried down its rows).
_PRINTED_ON_EVERY_ROW = ("level1", "level2", "operator")
# Fields of a table that say how it was read, not what it prints.
_NOT_PRINTED = frozenset({"form", "text_source", "ocr_confidence", "needs_review", "provenance"})


def _own_texts(table: ProjectReport | DepartmentTable) -> tuple[str, ...]:
    """The printed values of the table's own fields (not its rows), without spaces."""
    out = []
    for f in fields(table):
        value = getattr(table, f.name)
        if f.name in _NOT_PRINTED or isinstance(value, (bool, tuple)) or value is None:
            continue
        out.append(squash(str(value)))
    return tuple(t for t in out if t)


def _held(text: str, holds: tuple[str, ...]) -> bool:
    text = squash(text)
    return not text or any(text in value or value in text for value in holds)


def _fails(record: Any) -> bool:
    if isinstance(record, BudgetLine):
        adjusted = _sum_or_none(record.initial_budget, record.adjustment)
        return not (
            _rate_agrees(record.execution_rate_pct, record.actual_spend, record.adjusted_budget)
            and _equal(adjusted, record.adjusted_budget, 1)
        )
    if isinstance(record, FundingLine):
        return not (
            _rate_agrees(record.execution_rate_pct, record.actual_spend, record.adjusted_budget)
            and _at_most(record.score, record.weight)
        )
    if isinstance(record, ProjectIndicator):
        return not (
            _at_most(record.score, record.weight)
            and is_known(record.level1, LEVEL1)
            and is_known(record.level2, LEVEL2)
        )
    return False


def _rate_agrees(rate: Decimal | None, actual: Decimal | None, budget: Decimal | None) -> bool:
    """The printed rate is actual ÷ budget, rounded to the places it is printed with (a rate printed
    capped at 100% for an overspend agrees too). A rate and an actual spend printed beside a blank
    budget do not agree: the budget was printed and not read (or the rate misread)."""
    if rate is None or actual is None:
        return True
    if budget is None:
        return False
    if not budget:
        return True
    computed = actual / budget * 100
    exponent = rate.as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    tolerance = Decimal(5) / (Decimal(10) ** (places + 1)) + Decimal("0.0001")
    return abs(computed - rate) <= tolerance or (rate == 100 and computed > 100)


def _at_most(score: Decimal | None, weight: Decimal | None) -> bool:
    return score is None or weight is None or score <= weight


def _equal(a: Decimal | None, b: Decimal | None, terms: int) -> bool:
    return a is None or b is None or abs(a - b) <= _CENT * terms


def _sum_or_none(*values: Decimal | None) -> Decimal | None:
    present = [v for v in values if v is not None]
    return None if len(present) < len(values) else sum(present, Decimal(0))


def _sources_add_up(lines: tuple[FundingLine, ...]) -> bool:
    total = next((line for line in lines if line.funding_source == "total"), None)
    sources = [line for line in lines if line.funding_source != "total"]
    if total is None or not sources:
        return True
    for column in ("initial_budget", "adjusted_budget", "actual_spend"):
        printed = [getattr(line, column) for line in sources if getattr(line, column) is not None]
        if printed and not _equal(sum(printed, Decimal(0)), getattr(total, column), len(printed)):
            return False
    return True


def _scores_add_up(table: ProjectReport | DepartmentTable) -> bool:
    total = next((line for line in table.funding_lines if line.funding_source == "total"), None)
    parts = [*table.indicators, *([total] if total is not None else [])]
    for column, printed_total in (("score", table.total_score), ("weight", table.total_weight)):
        values = [getattr(p, column) for p in parts if getattr(p, column) is not None]
        if (
            printed_total is not None
            and values
            and not _equal(sum(values, Decimal(0)), printed_total, len(values))
        ):
            return False
    return True
