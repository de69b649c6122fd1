"""PDF, spreadsheet or Word file -> typed records for budget self-evaluation reports. Pure Python:
never imports Dagster.

The readers (`read_report`, `read_header`: PDFium, pdfplumber, pikepdf, numpy) are imported on first
use, not with the package: the build process uses the records, errors and text helpers but reads no
file itself, and does not hold the readers' ≈ 30 MB while the audit's child is the build's peak
memory (docs/performance.md).
"""

from typing import TYPE_CHECKING, Any

from .errors import ReportError
from .models import (
    BudgetLine,
    DepartmentIndicator,
    DepartmentTable,
    DepartmentTask,
    FundingLine,
    Indicator,
    KeyTask,
    ProjectFile,
    ProjectIndicator,
    ProjectReport,
    Provenance,
    Report,
    ReportFacts,
    ReportHeader,
)
from .settings import DEFAULT_SETTINGS, ExtractSettings

if TYPE_CHECKING:
    from .report import read_header, read_report


def __getattr__(name: str) -> Any:  # PEP 562: the readers, imported on first use
    if name in ("read_header", "read_report"):
        from . import report

        return getattr(report, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "DEFAULT_SETTINGS",
    "BudgetLine",
    "DepartmentIndicator",
    "DepartmentTable",
    "DepartmentTask",
    "ExtractSettings",
    "FundingLine",
    "Indicator",
    "KeyTask",
    "ProjectFile",
    "ProjectIndicator",
    "ProjectReport",
    "Provenance",
    "Report",
    "ReportError",
    "ReportFacts",
    "ReportHeader",
    "read_header",
    "read_report",
]
