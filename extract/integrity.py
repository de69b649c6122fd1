"""Integrity checks between extraction and load: a report is loaded right or rejected with a reason.

Two kinds of check, both run by `read_report` (so `selfeval extract` prints what `build` loads):

- the file's bytes (`check_file`): every Flate stream inflates completely with a correct
  checksum, pdfminer finds as many pages as PDFium, and PDFium loads each one. Most damage lands
  in compressed streams (fonts, page contents): readers inflate what they can and carry on,
  dropping glyphs or whole lines, so the checksum is the one reliable sign. Every object referred
  to must exist, and every page object be in the page tree, in the order the file stores the
  pages. A file whose cross-reference table is unreadable (both readers then find the objects by
  scanning the file) is loaded with a warning; one whose readable table points an object at the
  wrong offset is rejected (PDFium reads whatever bytes the entry points at);
- the records (`check_report`): what the report states in section 四 agrees with its tables, every
  table row has its required cells, no row of a table is printed twice, sections 一 to 九 are all
  printed and in order, and no text field holds control characters, U+FFFD or private-use code
  points.
"""

from __future__ import annotations

import base64
import io
import itertools
import re
import unicodedata
import zlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import astuple
from pathlib import Path
from typing import cast

from . import errors
from .models import Report

# Inflated in pieces of this size and thrown away: a decompression bomb costs time, not memory.
_INFLATE_CHUNK_BYTES = 1 << 20
_STREAM = re.compile(rb"stream\r?\n")
_END_STREAM = b"endstream"
_OBJECT_HEADER = re.compile(rb"(\d+)\s+(\d+)\s+obj\b")
_FILTERS = re.compile(rb"/Filter\s*(\[[^\]]*\]|/\w+)")
_FILTER_NAME = re.compile(rb"/(\w+)")
# Text encodings undone before the zlib stream they wrap (reportlab writes ASCII85 over Flate).
_TEXT_DECODERS = {
    b"ASCII85Decode": lambda body: base64.a85decode(body.strip().removesuffix(b"~>").removeprefix(b"<~")),
    b"ASCIIHexDecode": lambda body: bytes.fromhex(
        re.sub(rb"\s", b"", body).removesuffix(b">").decode("ascii")
    ),
}
# Enough of the text before `stream` to hold its dictionary (fonts' dictionaries are the longest).
_DICT_LOOKBACK_BYTES = 2048


def check_file(path: Path, data: bytes, page_count: int) -> tuple[str, ...]:
    """Reject a damaged file (IntegrityError); return warnings about faults the readers repair."""
    _check_flate_streams(path, data)
    return _check_structure(path, data, page_count)


def _check_flate_streams(path: Path, data: bytes) -> None:
    for match in _STREAM.finditer(data):
        before = data[max(0, match.start() - _DICT_LOOKBACK_BYTES) : match.start()]
        header = list(_OBJECT_HEADER.finditer(before))
        if not header or not before.rstrip().endswith(b">>"):
            continue  # the word 'stream' inside other data, not a stream keyword after a dictionary
        dictionary = before[header[-1].end() :]
        filters = _FILTERS.search(dictionary)
        names = _FILTER_NAME.findall(filters.group(1)) if filters else []
        if b"FlateDecode" not in names:
            continue
        before_flate = names[: names.index(b"FlateDecode")]
        if any(n not in _TEXT_DECODERS for n in before_flate):
            continue  # a filter we cannot undo wraps the zlib stream
        end = data.find(_END_STREAM, match.end())
        body = data[match.end() : end if end >= 0 else len(data)]
        name = f"{int(header[-1].group(1))} {int(header[-1].group(2))}"
        try:
            for decoder in before_flate:
                body = _TEXT_DECODERS[decoder](body)
        except ValueError as exc:
            raise errors.IntegrityError(path, f"stream of object {name} is corrupt ({exc})") from None
        problem = _inflate_problem(body)
        if problem:
            raise errors.IntegrityError(path, f"stream of object {name} {problem}")


def _inflate_problem(body: bytes) -> str | None:
    """Why a Flate stream is damaged, or None. zlib checks the Adler-32 checksum at the stream's end."""
    inflater = zlib.decompressobj()
    try:
        inflater.decompress(body, _INFLATE_CHUNK_BYTES)
        while inflater.unconsumed_tail and not inflater.eof:
            inflater.decompress(inflater.unconsumed_tail, _INFLATE_CHUNK_BYTES)
    except zlib.error as exc:
        return "fails its checksum" if "incorrect data check" in str(exc) else f"is corrupt ({exc})"
    return None if inflater.eof else "ends before its data does"


def _check_structure(path: Path, data: bytes, page_count: int) -> tuple[str, ...]:
    """pdfminer's view of the file agrees with PDFium's; an unreadable cross-reference table is a warning."""
    from pdfminer.pdfdocument import PDFDocument, PDFXRefFallback
    from pdfminer.pdfpage import PDFPage
    from pdfminer.pdfparser import PDFParser

    try:
        document = PDFDocument(PDFParser(io.BytesIO(data)))
        # PDFium trusts a readable table's entries and reads whatever bytes they point at (a page
        # comes out blank), so a wrong offset is not repaired: the table must hold, or be unreadable.
        misplaced = next(
            (o for xref in document.xrefs for o in xref.get_objids() if _misplaced(data, o, xref.get_pos(o))),
            None,
        )
        if misplaced is not None:
            raise errors.IntegrityError(
                path, f"cross-reference table points object {misplaced} at the wrong offset"
            )
        # pdfminer types a page id as any object; the pages of a document are numbered by object.
        page_ids = [cast(int, page.pageid) for page in PDFPage.create_pages(document)]
    except (errors.ReportError, MemoryError):
        raise
    except Exception as exc:  # pdfminer raises many unrelated types on damaged files
        raise errors.IntegrityError(
            path, f"pdfminer cannot read the page tree ({type(exc).__name__})"
        ) from None
    if len(page_ids) != page_count:
        raise errors.IntegrityError(path, f"pdfminer reads {len(page_ids)} pages, PDFium {page_count}")
    _check_objects(path, document, page_ids)
    _check_page_order(path, data, page_ids)
    if any(isinstance(xref, PDFXRefFallback) for xref in document.xrefs):
        # Both readers then find every object by scanning the file: the same objects, checked above.
        return ("cross-reference table unreadable: objects found by scanning the file",)
    return ()


def _check_objects(path: Path, document, page_ids: list[int]) -> None:
    """Every object referred to exists (none deleted), and every page object is in the page tree.

    (A page listed twice is counted once by pdfminer, twice by PDFium: the page counts differ.)"""
    from pdfminer.pdftypes import PDFObjRef, PDFStream
    from pdfminer.psparser import LIT

    in_tree = set(page_ids)
    present = {objid for xref in document.xrefs for objid in xref.get_objids()}
    for objid in sorted(present):
        try:
            value = document.getobj(objid)
        except Exception:  # listed, but no object where the table says: as good as missing
            raise errors.IntegrityError(path, f"object {objid} cannot be read") from None
        if isinstance(value, dict) and value.get("Type") is LIT("Page") and objid not in in_tree:
            raise errors.IntegrityError(path, f"page object {objid} is missing from the page tree")
        pending = [value]
        while pending:
            value = pending.pop()
            if isinstance(value, PDFObjRef):
                if value.objid not in present:
                    raise errors.IntegrityError(path, f"object {value.objid} is referred to but missing")
            elif isinstance(value, PDFStream):
                pending.extend(value.attrs.values())
            elif isinstance(value, dict):
                pending.extend(value.values())
            elif isinstance(value, list):
                pending.extend(value)


def _check_page_order(path: Path, data: bytes, page_ids: list[int]) -> None:
    """Writers store pages in reading order; a page tree that lists them otherwise is the one sign
    of swapped pages (a re-ordered table reads as valid rows). Rejected rather than loaded wrong."""
    offsets = {int(m.group(1)): m.start() for m in _OBJECT_HEADER.finditer(data)}
    stored = [offsets[objid] for objid in page_ids if objid in offsets]
    for number, (before, after) in enumerate(itertools.pairwise(stored), start=1):
        if after < before:
            raise errors.IntegrityError(path, f"page {number + 1} is stored before page {number}")


def _misplaced(data: bytes, objid: int, position: tuple) -> bool:
    stream_objid, offset, _ = position
    if stream_objid is not None:  # inside an object stream: checked by inflating that stream
        return False
    found = _OBJECT_HEADER.match(data, offset)
    return found is None or int(found.group(1)) != objid


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


def _text_fields(report: Report) -> Iterable[tuple[str, str]]:
    yield "title", report.title
    yield "department", report.department
    for table in ("budget_lines", "key_tasks", "indicators"):
        for index, record in enumerate(getattr(report, table), start=1):
            for value in astuple(record)[:-1]:  # provenance last: numbers only
                for text in value if isinstance(value, tuple) else (value,):
                    if isinstance(text, str):
                        yield f"{table} row {index}", text


def _check_text(path: Path, report: Report) -> None:
    for where, text in _text_fields(report):
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
        counts = Counter(astuple(record)[:-1] for record in getattr(report, table))
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
