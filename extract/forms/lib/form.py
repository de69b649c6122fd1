"""What every form is: a recogniser of its first page, and readers of its header and its records."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ...models import ProjectFile, Report, ReportHeader
from ...settings import ExtractSettings
from ...tables import PageContent


@dataclass(frozen=True)
class Document:
    """A PDF read into pages, for a form to turn into records."""

    path: Path
    data: bytes
    sha256: str
    page_count: int
    pages: tuple[PageContent, ...]  # every page (read_report) or the first one only (read_header)
    settings: ExtractSettings
    # Faults the readers repaired without changing a record (extract.integrity): loaded, and said.
    integrity_warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Form:
    """One printed form. Adding a form is one module building one of these, and a registry line."""

    name: str  # the `form` field of its records
    report_kind: str  # department_overall / project
    # The first page's printed lines (extract.tables.printed_lines) are this form's.
    recognises: Callable[[list[str]], bool]
    read_header: Callable[[Document], ReportHeader]
    read: Callable[[Document], Report | ProjectFile]
