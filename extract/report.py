"""`read_report(path) -> Report`: open, validate, read pages, find sections, build typed records."""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from decimal import Decimal
from pathlib import Path

import pdfplumber
import pypdfium2 as pdfium
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfminer.pdfparser import PDFSyntaxError
from pdfminer.psexceptions import PSException
from pdfplumber.utils.exceptions import MalformedPDFException, PdfminerException

from . import errors, integrity, pdfium_pages
from .lib import stand_in_font
from .lib.text import join_wrapped, parse_amount, parse_rate, split_projects, squash
from .models import BudgetLine, Indicator, KeyTask, Report, ReportFacts, ReportHeader
from .settings import DEFAULT_SETTINGS, ExtractSettings, TableSpec
from .stitch import LogicalRow, stitch
from .tables import Fragment, PageContent, TextLine, page_chars, read_page, text_lines

_PDF_MAGIC = b"%PDF-"
# What pdfminer raises on a damaged page while it is parsed (pdfplumber wraps any of its failures
# in PdfminerException): the file's fault, unlike anything else raised while pages are read.
_PAGE_PARSE_ERRORS = (PdfminerException, MalformedPDFException, PSException)


def read_report(path: str | Path, settings: ExtractSettings = DEFAULT_SETTINGS) -> Report:
    path = Path(path)
    data = path.read_bytes()
    _check_bytes(path, data)
    pages = _read_pages(path, data, settings)
    if sum(p.char_count for p in pages) < settings.min_text_chars:
        raise errors.NoTextLayerError(path)
    warnings = integrity.check_file(path, data, len(pages))
    integrity.check_pages(path, pages)
    lines = [line for p in pages for line in p.lines]
    header = _header(path, data, lines, len(pages))  # fails fast on files that are not reports
    sections = _assign_sections(pages, settings)
    rows: dict[str, list[LogicalRow]] = {}
    for spec in settings.tables:
        frags = sections.get(spec.name, [])
        if not frags and spec.name in settings.required_tables:
            raise errors.MissingSectionError(path, f"no {spec.title} table")
        try:
            rows[spec.name] = stitch(frags, spec)
        except errors.TableShapeError as exc:
            raise errors.MalformedTableError(path, f"{spec.title}: {exc}") from None
    try:
        budget = tuple(_budget_line(r, settings) for r in rows["budget_lines"])
    except errors.NumberParseError as exc:
        raise errors.MalformedTableError(path, f"七、预算信息: {exc}") from None
    names = frozenset(b.line_name for b in budget)
    report = Report(
        **asdict(header),
        budget_lines=budget,
        key_tasks=tuple(_key_task(r, names) for r in rows["key_tasks"]),
        indicators=tuple(_indicator(r) for r in rows["indicators"]),
        facts=_read_facts(lines),
        integrity_warnings=warnings,
    )
    integrity.check_report(path, report, (squash(line.text) for line in lines))
    return report


def _check_bytes(path: Path, data: bytes) -> None:
    if not data:
        raise errors.EmptyFileError(path)
    if _PDF_MAGIC not in data[:1024]:
        raise errors.NotAPdfError(path)
    # Every complete PDF ends with %%EOF (incremental updates append another); a download cut short does not.
    if b"%%EOF" not in data[-2048:]:
        raise errors.TruncatedPdfError(path, "no %%EOF marker at the end")


def _check_page_count(path: Path, count: int, settings: ExtractSettings) -> None:
    """Checked before any page is parsed: a thousands-of-pages file costs nothing."""
    if count == 0:
        raise errors.TruncatedPdfError(path, "no pages")
    if count > settings.max_pages:
        raise errors.TooManyPagesError(path, f"{count} pages, limit {settings.max_pages}")


@contextmanager
def _open_pdf(path: Path, data: bytes, settings: ExtractSettings) -> Iterator[pdfplumber.PDF]:
    """Open with pdfplumber, turning pdfminer's many failure types into one ReportError each.

    `data` is the file's content, already read (and hashed) by the caller: read once."""
    reading_pages = False
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            _check_page_count(path, len(pdf.pages), settings)
            reading_pages = True
            yield pdf
    except (errors.ReportError, MemoryError):
        raise
    except Exception as exc:  # pdfminer raises many unrelated types on damaged files
        if reading_pages and not isinstance(exc, _PAGE_PARSE_ERRORS):
            raise  # our code reading the pages failed: a bug, not a damaged file (extract.guarded)
        # pdfplumber wraps pdfminer's own exception as the first argument of PdfminerException.
        inner = exc.args[0] if exc.args and isinstance(exc.args[0], Exception) else exc
        if isinstance(inner, MemoryError):
            raise inner from None  # the caller's memory limit, not a damaged file
        if isinstance(inner, (PDFPasswordIncorrect, PDFEncryptionError)):
            raise errors.EncryptedPdfError(path) from None
        if isinstance(inner, PDFSyntaxError):
            raise errors.TruncatedPdfError(path, str(inner) or type(inner).__name__) from None
        raise errors.TruncatedPdfError(path, f"{type(inner).__name__}: {inner}") from None


@contextmanager
def _open_pdfium(path: Path, data: bytes, settings: ExtractSettings) -> Iterator[pdfium.PdfDocument]:
    stand_in_font.install()  # before PDFium substitutes any font in this process
    try:
        pdf = pdfium.PdfDocument(data)  # the content the caller already read: the file is read once
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise errors.EncryptedPdfError(path) from None
        raise errors.TruncatedPdfError(
            path, str(exc).split("(PDFium: ")[-1].rstrip(").") or "unreadable"
        ) from None
    try:
        _check_page_count(path, len(pdf), settings)
        yield pdf
    finally:
        pdf.close()


def _read_pages(path: Path, data: bytes, settings: ExtractSettings) -> list[PageContent]:
    out = []
    if settings.backend == "pdfium":
        with _open_pdfium(path, data, settings) as pdf:
            for index in range(len(pdf)):
                try:
                    page = pdfium_pages.read_page(pdf, index)
                except pdfium.PdfiumError as exc:  # a damaged page tree: the page is gone
                    raise errors.IntegrityError(path, f"PDFium cannot load page {index + 1}: {exc}") from None
                out.append(read_page(page, settings))
        return out
    with _open_pdf(path, data, settings) as pdf:
        for plumber_page in pdf.pages:
            out.append(read_page(plumber_page, settings))
            plumber_page.close()  # drop pdfminer's layout cache: memory stays flat over long reports
    return out


def read_header(path: str | Path, settings: ExtractSettings = DEFAULT_SETTINGS) -> ReportHeader:
    """Department, fiscal year and title from the first page only: cheap enough to sort an inbox."""
    path = Path(path)
    data = path.read_bytes()
    _check_bytes(path, data)
    if settings.backend == "pdfium":
        with _open_pdfium(path, data, settings) as pdf:
            page_count, chars = len(pdf), page_chars(pdfium_pages.read_page(pdf, 0))
    else:
        with _open_pdf(path, data, settings) as pdf:
            page_count, chars = len(pdf.pages), page_chars(pdf.pages[0])  # read while the file is open
    lines = text_lines(1, chars, [], settings.line_tolerance)
    if sum(len(line.text) for line in lines) < settings.min_text_chars:
        raise errors.NoTextLayerError(path)
    return _header(path, data, lines, page_count)


def _header(path: Path, data: bytes, lines: list[TextLine], page_count: int) -> ReportHeader:
    title, department, fiscal_year, city = _read_header(path, lines)
    return ReportHeader(
        source_file=path.name,
        sha256=hashlib.sha256(data).hexdigest(),
        title=title,
        department=department,
        fiscal_year=fiscal_year,
        city=city,
        page_count=page_count,
    )


_YEAR = re.compile(r"[（(]?(20\d{2})年度?[）)]?")
_DEPARTMENT = re.compile(r"^一[、.．]?预算部门(?:（单位）|\(单位\))?名称[:：]?(.*)$")
_CITY = re.compile(r"^(.{2,10}?[市州盟县区])(?:市|州|县|区)?级")


def _read_header(path: Path, lines: list[TextLine]) -> tuple[str, str, int, str | None]:
    """Title, department, fiscal year and city from the text before section 一's end."""
    squashed = [squash(line.text) for line in lines]
    dept_at = next((i for i, s in enumerate(squashed) if _DEPARTMENT.match(s)), None)
    prelude = "".join(squashed[: dept_at if dept_at is not None else 12])
    if not ("自评" in prelude and ("整体支出" in prelude or "绩效" in prelude)):
        raise errors.NotASelfEvaluationReportError(path, "no self-evaluation report title on the first page")
    if dept_at is None:
        raise errors.MissingSectionError(path, "no 一、预算部门名称 line")
    department_line = _DEPARTMENT.match(squashed[dept_at])
    assert department_line is not None  # dept_at is the first line this matched
    department = department_line.group(1)
    if not department and dept_at + 1 < len(squashed):
        department = squashed[dept_at + 1]
    year = _YEAR.search(prelude)
    if not department or not year:
        raise errors.MissingSectionError(path, "department name or fiscal year not found in the header")
    title_end = prelude.find("报告")
    title = prelude[: title_end + 2] if title_end >= 0 else prelude
    title = _YEAR.sub("", title) if title.startswith(("（", "(")) else title
    city = _CITY.match(title)
    return title, department, int(year.group(1)), city.group(1) if city else None


def _assign_sections(pages: list[PageContent], settings: ExtractSettings) -> dict[str, list[Fragment]]:
    """Each table fragment belongs to the last section title printed above it (in reading order)."""
    out: dict[str, list[Fragment]] = {}
    current: TableSpec | None = None
    for page in pages:
        events: list[tuple[float, int, TextLine | Fragment]] = [(line.top, 0, line) for line in page.lines]
        events += [(frag.bbox[1], 1, frag) for frag in page.fragments]
        for _, _, item in sorted(events, key=lambda e: (e[0], e[1])):
            if isinstance(item, TextLine):
                text = squash(item.text)
                spec = next((s for s in settings.tables if re.match(s.title_pattern, text)), None)
                if spec is not None:
                    current = spec
                elif re.match(settings.section_title, text):
                    current = None
            elif current is not None:
                out.setdefault(current.name, []).append(item)
    return out


def _line_type(name: str, settings: ExtractSettings) -> str:
    key = squash(name)
    return next((t for t, pattern in settings.line_type_patterns if re.match(pattern, key)), "project")


def _budget_line(row: LogicalRow, settings: ExtractSettings) -> BudgetLine:
    v = row.values
    name = join_wrapped(v["line_name"]) or ""
    return BudgetLine(
        line_name=name,
        line_type=_line_type(name, settings),
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
