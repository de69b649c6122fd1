"""Typed records produced by extraction. Every table row carries its provenance."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

LINE_TYPES = ("total", "basic", "project_total", "project")


@dataclass(frozen=True)
class Provenance:
    """Where a record was printed: the first page, every page it spans, and its bbox on the first page.

    bbox is (x0, top, x1, bottom) in PDF points, top-left origin, as pdfplumber reports it.
    """

    page: int
    pages: tuple[int, ...]
    bbox: tuple[float, float, float, float]


@dataclass(frozen=True)
class BudgetLine:
    line_name: str
    line_type: str
    initial_budget: Decimal | None
    adjustment: Decimal | None
    adjusted_budget: Decimal | None
    actual_spend: Decimal | None
    execution_rate_pct: Decimal | None
    provenance: Provenance


@dataclass(frozen=True)
class KeyTask:
    duty: str | None
    task: str | None
    projects: tuple[str, ...]
    status: str | None
    provenance: Provenance


@dataclass(frozen=True)
class Indicator:
    level1: str | None
    category: str | None
    indicator_name: str
    target_raw: str | None
    actual_raw: str | None
    value_source: str | None
    deviation_raw: str | None
    reason: str | None
    provenance: Provenance


@dataclass(frozen=True)
class ReportFacts:
    """Figures the report states in prose (section 四), kept for cross-checks against the tables."""

    completion_rate_pct: Decimal | None = None
    budget_timeliness_rate_pct: Decimal | None = None
    indicator_total: int | None = None
    indicator_met: int | None = None
    indicator_met_share_pct: Decimal | None = None
    benefit_indicator_count: int | None = None
    satisfaction_indicator_count: int | None = None


@dataclass(frozen=True)
class ReportHeader:
    """What the first page says: enough to file a report under its department and year."""

    source_file: str
    sha256: str
    title: str
    department: str
    fiscal_year: int
    city: str | None
    page_count: int


@dataclass(frozen=True)
class Report(ReportHeader):
    """The whole report: its header plus the three tables and the facts stated in section 四."""

    budget_lines: tuple[BudgetLine, ...]
    key_tasks: tuple[KeyTask, ...]
    indicators: tuple[Indicator, ...]
    facts: ReportFacts = field(default_factory=ReportFacts)
    # Faults the readers repaired without changing a record (extract.integrity): loaded, and said.
    integrity_warnings: tuple[str, ...] = ()

    def to_json_dict(self) -> dict[str, Any]:
        """The CLI's JSON shape: numbers as JSON numbers, provenance flattened onto each record."""
        out = asdict(self)
        for key in ("budget_lines", "key_tasks", "indicators"):
            out[key] = [_flatten(rec) for rec in out[key]]
        out["facts"] = {k: _jsonable(v) for k, v in out["facts"].items()}
        return out


def _flatten(rec: dict[str, Any]) -> dict[str, Any]:
    prov = rec.pop("provenance")
    flat = {k: _jsonable(v) for k, v in rec.items()}
    flat["page"] = prov["page"]
    flat["pages"] = list(prov["pages"])
    flat["bbox"] = [round(v, 2) for v in prov["bbox"]]
    return flat


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        # JSON has one number type; ints stay ints so 0 prints as 0, not 0.0.
        return (
            int(value)
            if value == value.to_integral_value() and value.as_tuple().exponent >= 0
            else float(value)
        )
    if isinstance(value, tuple):
        return list(value)
    return value
