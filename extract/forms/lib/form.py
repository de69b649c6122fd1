"""What every form is: the signals that identify its pages, and readers of its header and its records.

A form is recognised by its structure: its title (one signal among several), its label cells and
its header rows. Each page is scored against every form (`match`); the best recognised form reads it.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from ...lib.text import squash
from ...models import ProjectFile, Report, ReportHeader
from ...settings import ExtractSettings
from ...tables import PageContent, printed_lines


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


# The points of a text only one form prints: it tells apart forms whose broad synonyms all match a page.
DISTINCTIVE = 3


@dataclass(frozen=True)
class Signal:
    """Something a page of a form prints, as a regex on one printed text (whitespace removed)."""

    what: str  # how a rejection names it when it is missing: "项目名称 row"
    pattern: str
    # A title: searched in the free text lines, also in two adjacent lines joined (a title printed
    # on two lines); else searched in every cell and line. Titles count double.
    is_title: bool = False
    # A page of the form always prints it: without it the page is not this form's.
    required: bool = False
    # What finding it is worth: a title 2, a text only this form prints (a distinctive signal) more.
    weight: int = 1

    def __post_init__(self) -> None:
        # Compiled as the forms are declared, in the process that forks the readers: each reader
        # then starts with every pattern compiled (≈ 10 ms a process for all the forms' patterns).
        _multiline(self.pattern)

    @property
    def points(self) -> int:
        return max(self.weight, 2) if self.is_title else self.weight


@functools.cache
def _multiline(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.M)


@dataclass(frozen=True)
class PageTexts:
    """What a page prints, for signals: its lines (and ruled rows of one text) and every cell."""

    lines: tuple[str, ...]
    cells: tuple[str, ...]

    @classmethod
    def of(cls, page: PageContent | list[str] | PageTexts) -> PageTexts:
        if isinstance(page, PageTexts):
            return page
        if isinstance(page, list):  # printed lines only
            return cls(tuple(page), tuple(page))
        lines = printed_lines(page)
        cells = [squash(t) for frag in page.fragments for row in frag.rows for t in row.cells if t]
        return cls(tuple(lines), tuple(lines) + tuple(c for c in cells if c))

    def has(self, signal: Signal) -> bool:
        # One search over all texts, a text a line: ^ and $ are a text's ends (no text holds "\n").
        # Forms share signals (186 signals, 116 patterns): each pattern is searched once a page.
        key = (signal.pattern, signal.is_title)
        found = self._found.get(key)
        if found is None:
            text = self._titles if signal.is_title else self._cells
            found = self._found[key] = _multiline(signal.pattern).search(text) is not None
        return found

    @cached_property
    def _found(self) -> dict[tuple[str, bool], bool]:
        return {}

    @cached_property
    def _titles(self) -> str:
        pairs = (a + b for a, b in zip(self.lines, self.lines[1:], strict=False))
        return "\n".join((*self.lines, *pairs))

    @cached_property
    def _cells(self) -> str:
        return "\n".join(self.cells)


@dataclass(frozen=True)
class Form:
    """One printed form. Adding a form is one module building one of these, and a registry line."""

    name: str  # the `form` field of its records
    report_kind: str  # department_overall / project
    signals: tuple[Signal, ...]
    read_header: Callable[[Document], ReportHeader]
    read: Callable[[Document], Report | ProjectFile]
    # A file of tables (ProjectFile) is read per run of pages, and a compilation may mix forms; a
    # narrative report (Report) is read whole by the form of its first page.
    reads_tables: bool = True
    # What another kind of form prints and this one never does (a project table's 项目名称 row on a
    # department-wide form): a page printing it is not this form's, whatever else it shares.
    excludes: tuple[Signal, ...] = ()


@dataclass(frozen=True)
class Match:
    """How well a page's texts fit a form: the points of the signals found, the required ones missing."""

    form: Form
    points: int
    has_title: bool
    missing: tuple[str, ...]

    @property
    def recognised(self) -> bool:
        return not self.missing and self.points > 0

    @property
    def complaint(self) -> str:
        """Why the page is not this form's: `looks most like project_sichuan: no 项目名称 row`."""
        lacks = [m for m in self.missing if not m.endswith("(another form's)")]
        extra = [m for m in self.missing if m.endswith("(another form's)")]
        said = [f"no {m}" for m in lacks] + [f"prints {m}" for m in extra]
        return f"looks most like {self.form.name}: {', '.join(said)}"


def match(form: Form, texts: PageTexts) -> Match:
    found = [s for s in form.signals if texts.has(s)]
    missing = tuple(s.what for s in form.signals if s.required and s not in found)
    missing += tuple(f"{s.what} (another form's)" for s in form.excludes if texts.has(s))
    has_title = any(s.is_title for s in found)
    return Match(form, sum(s.points for s in found), has_title, missing)
