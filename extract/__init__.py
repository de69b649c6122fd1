"""PDF, spreadsheet or Word file -> typed records for budget self-evaluation reports. Pure Python:
never imports Dagster."""

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
from .report import read_header, read_report
from .settings import DEFAULT_SETTINGS, ExtractSettings

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
