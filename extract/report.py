"""`read_report(path) -> Report | ProjectFile`: open, validate, read pages, hand them to the file's form.

A PDF's pages come from its text layer (extract.tables); a spreadsheet's sheets and a Word file's
body from extract.sheets: the same page content, read by the same forms."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pdfplumber
import pypdfium2 as pdfium
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfminer.pdfparser import PDFSyntaxError
from pdfminer.psexceptions import PSException
from pdfplumber.utils.exceptions import MalformedPDFException, PdfminerException

from . import errors, ocr_pages, ocr_review, pdfium_pages, sheets
from .forms import FORMS, best_match
from .forms.lib.form import Document, Form
from .forms.lib.runs import table_runs
from .integrity import file_checks, records
from .lib import stand_in_font
from .lib.cells import TEXT
from .models import ProjectFile, Report, ReportHeader
from .settings import DEFAULT_SETTINGS, ExtractSettings
from .tables import PageContent, read_page

_LOG = logging.getLogger(__name__)
_PDF_MAGIC = b"%PDF-"
# What pdfminer raises on a damaged page while it is parsed (pdfplumber wraps any of its failures
# in PdfminerException): the file's fault, unlike anything else raised while pages are read.
_PAGE_PARSE_ERRORS = (PdfminerException, MalformedPDFException, PSException)
# PDFium keeps every object it has parsed until its document is closed (about 0.1 MB a page of a
# spreadsheet's print, so 100 MB over a 1,000-page compilation): a long file is read this many
# pages at a time, the document opened afresh for each stretch (4.6 ms for 1,000 pages).
PAGES_PER_OPENING = 100


def read_report(
    path: str | Path, settings: ExtractSettings = DEFAULT_SETTINGS, expected_sha256: str | None = None
) -> Report | ProjectFile:
    """The file's records, read by the form whose first page it has (`extract.forms.FORMS`).

    With `expected_sha256` (the inbox scan's hash), bytes that hash otherwise are not read:
    `ChangedWhileReadError`. Everything is read from the one copy of the bytes that was hashed."""
    path = Path(path)
    data = read_bytes(path, expected_sha256)
    warnings: tuple[str, ...] = ()
    boxes: dict[int, tuple[ocr_pages.OcrBox, ...]] = {}
    if sheets.is_table_file(path):
        pages = sheets.read_pages(path, data, settings)
    else:
        _check_bytes(path, data)
        xrefs = file_checks.CrossReferences(data)  # read once, for both
        repaired = file_checks.as_repaired(data, xrefs)
        pages, boxes = _read_pages(path, repaired, settings)
        if sum(p.char_count for p in pages) < settings.min_text_chars:
            raise errors.NoTextLayerError(path)
        # A page number read by OCR may be misread: it does not confirm the order of OCR pages.
        page_order_confirmed = not boxes and records.check_page_numbers(path, pages)
        warnings = file_checks.check_file(path, data, len(pages), page_order_confirmed, xrefs)
        records.check_pages(path, pages)
        if _text_layer_unreadable(pages[0], boxes, settings):
            # A text layer that is not what is drawn (a font's map to Unicode lost in a re-distilled
            # file) can still be read: the first page by OCR, then every page if that shows a form.
            first, boxes = _read_pages(path, repaired, settings, force=True, only=[0])
            recognised_form(path, first[0])
            rest, more = _read_pages(path, repaired, settings, force=True, only=list(range(1, len(pages))))
            pages, boxes = [*first, *rest], {**boxes, **more}
    form = recognised_form(path, pages[0])  # fails fast on files that are not reports
    if not form.reads_tables:
        result = form.read(_document(path, data, len(pages), pages, settings, warnings))
        return ocr_review.review(result, boxes, settings.ocr_review_below)
    files = [
        form.read(_document(path, data, len(pages), run, settings, warnings))
        for form, run in table_runs(form, pages, FORMS, best_match)
    ]
    merged = _merged([f for f in files if isinstance(f, ProjectFile)])
    return ocr_review.review(merged, boxes, settings.ocr_review_below)


def _text_layer_unreadable(
    first: PageContent, boxes: dict[int, tuple[ocr_pages.OcrBox, ...]], settings: ExtractSettings
) -> bool:
    """A first page read from its text layer in which no form is recognised, when OCR may try it."""
    if settings.ocr != "auto" or 1 in boxes or settings.backend != "pdfium":
        return False
    return not best_match(first).recognised


def read_bytes(path: Path, expected_sha256: str | None = None) -> bytes:
    """The file's bytes, read once; the reason as a ReportError when they cannot be read, or when
    they are no longer the bytes the caller hashed."""
    try:
        data = path.read_bytes()
    except PermissionError:
        raise errors.PermissionDeniedError(path) from None
    except FileNotFoundError:
        raise errors.ChangedWhileReadError(path, "removed") from None
    except IsADirectoryError:
        raise errors.ChangedWhileReadError(path, "replaced by a folder") from None
    except OSError as exc:
        raise errors.UnreadableFileError(path, exc.strerror or type(exc).__name__) from None
    if expected_sha256 is not None and hashlib.sha256(data).hexdigest() != expected_sha256:
        raise errors.ChangedWhileReadError(path)
    return data


def _page(path: Path, pdf: pdfium.PdfDocument, index: int):
    try:
        return pdfium_pages.read_page(pdf, index)
    except pdfium.PdfiumError as exc:  # a damaged page tree (a cycle, thousands of levels): the page is gone
        raise errors.IntegrityError(path, f"PDFium cannot load page {index + 1}: {exc}") from None


def recognised_form(path: Path, first_page: PageContent) -> Form:
    """The form the first page is printed in; else NotASelfEvaluationReportError naming the closest."""
    found = best_match(first_page)
    if found.recognised:
        return found.form
    if found.points == 0:
        raise errors.NotASelfEvaluationReportError(path, "no self-evaluation report title on the first page")
    raise errors.NotASelfEvaluationReportError(path, found.complaint)


def _merged(files: list[ProjectFile]) -> ProjectFile:
    """One file of tables from the runs' files, in printed order."""
    first = files[0]
    return ProjectFile(
        source_file=first.source_file,
        sha256=first.sha256,
        page_count=first.page_count,
        projects=tuple(p for f in files for p in f.projects),
        integrity_warnings=first.integrity_warnings,
        department_tables=tuple(d for f in files for d in f.department_tables),
        ocr_pages=first.ocr_pages,
    )


def _document(
    path: Path,
    data: bytes,
    page_count: int,
    pages: list[PageContent],
    settings: ExtractSettings,
    warnings: tuple[str, ...] = (),
) -> Document:
    sha256 = hashlib.sha256(data).hexdigest()
    return Document(path, data, sha256, page_count, tuple(pages), settings, warnings)


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


def _read_pages(
    path: Path, data: bytes, settings: ExtractSettings, force: bool = False, only: list[int] | None = None
) -> tuple[list[PageContent], dict[int, tuple[ocr_pages.OcrBox, ...]]]:
    """The pages' content, and the recognised text lines of those read by OCR (by page number).

    A text layer unreadable on one page is not trusted on the others: a re-distiller rewrote the
    file's fonts, and where it gave their glyphs plausible characters (≥ read as `g`) no check sees
    it. Every page is then read by OCR."""
    out: list[PageContent] = []
    boxes: dict[int, tuple[ocr_pages.OcrBox, ...]] = {}
    if settings.backend == "pdfium":
        indices: Sequence[int] | None = only
        start = 0
        from_text: dict[int, int] = {}  # the pages read from their text layer: index -> place in `out`
        unreadable = False
        while indices is None or start < len(indices):
            with _open_pdfium(path, data, settings) as pdf:
                indices = range(len(pdf)) if indices is None else indices
                for index in indices[start : start + PAGES_PER_OPENING]:
                    page = _page(path, pdf, index)
                    why = _ocr_reason(page, settings, force or unreadable)
                    unreadable = unreadable or why == ocr_pages.UNREADABLE_TEXT
                    if why is None:
                        from_text[index] = len(out)
                        out.append(read_page(page, settings))
                        continue
                    _LOG.info("%s: page %d of %d read by OCR (%s)", path.name, index + 1, len(pdf), why)
                    scanned = ocr_pages.read_page(pdf, index)
                    boxes[index + 1] = scanned.boxes
                    # A recognised character placed on a rule is no text a broken rule lost (what the
                    # integrity check counts): misreadings are flagged on the records instead.
                    out.append(dataclasses.replace(read_page(scanned.page, settings), chars_outside_cells=0))
            start += PAGES_PER_OPENING
        if unreadable and from_text:  # pages before the first unreadable one
            again, more = _read_pages(path, data, settings, force=True, only=list(from_text))
            for index, content in zip(from_text, again, strict=True):
                out[from_text[index]] = content
            boxes.update(more)
        return out, boxes
    with _open_pdf(path, data, settings) as pdf:
        for plumber_page in pdf.pages:
            out.append(read_page(plumber_page, settings))
            plumber_page.close()  # drop pdfminer's layout cache: memory stays flat over long reports
    return out, boxes


def _ocr_reason(page: pdfium_pages.PdfiumPage, settings: ExtractSettings, force: bool) -> str | None:
    """Why the page is read by OCR (docs/ocr.md), or None to read its text layer."""
    if settings.ocr == "never":
        return None
    if settings.ocr == "always" or force:
        return "always" if settings.ocr == "always" else "text layer not trusted"
    return ocr_pages.needs_ocr([c[TEXT] for c in page.char_tuples])


def read_header(
    path: str | Path, settings: ExtractSettings = DEFAULT_SETTINGS, expected_sha256: str | None = None
) -> ReportHeader:
    """Department, fiscal year and title from the first page only: cheap enough to sort an inbox.
    `expected_sha256` as for `read_report`: the header belongs to exactly those bytes."""
    path = Path(path)
    data = read_bytes(path, expected_sha256)
    if sheets.is_table_file(path):
        pages = sheets.read_pages(path, data, settings)
        return recognised_form(path, pages[0]).read_header(
            _document(path, data, len(pages), pages[:1], settings)
        )
    _check_bytes(path, data)
    if settings.backend == "pdfium":
        with _open_pdfium(path, data, settings) as pdf:
            page_count = len(pdf)
        first = _read_pages(path, data, settings, only=[0])[0][0]
        if settings.ocr == "auto" and not best_match(first).recognised:
            # A text layer that does not show what is drawn: the page read by OCR, if that shows a form
            # (else the text layer's own reason stands: not a report, or no text).
            seen = _read_pages(path, data, settings, force=True, only=[0])[0][0]
            first = seen if best_match(seen).recognised else first
    else:
        with _open_pdf(path, data, settings) as pdf:
            page_count, first = len(pdf.pages), read_page(pdf.pages[0], settings)  # read while open
    if first.char_count < settings.min_text_chars:
        raise errors.NoTextLayerError(path)
    return recognised_form(path, first).read_header(_document(path, data, page_count, [first], settings))
