"""Spreadsheets (.xlsx, .xlsm, .xls, .ods) and Word files (.docx) read into the page content the
forms read from a PDF (`extract.tables.PageContent`): a sheet is a page, a Word file one page.

Cells come as the sheet displays them (`extract.lib.number_format`), formulas by their cached
values; a merged cell prints its text in its first visible cell and covers the others (None), as a
ruled PDF table does. Hidden sheets, rows and columns are skipped: what is hidden is not what was
published (its PDF does not print it either). Positions are grid units: a cell's x0/x1 are its
first and past-last visible column, a row's top its visible row number.

A row is a table row when any of its cells has a border, or it holds two texts or more; a row of
one text without borders is a free text line (a title, a unit line, prose); a blank row ends a
table fragment. A Word file's tables are tables and its paragraphs lines.
"""

from __future__ import annotations

import io
import warnings
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from . import errors
from .lib.cell_range import cell_range
from .lib.file_kinds import is_table_file as is_table_file  # where extract.report looks for it
from .lib.number_format import display
from .lib.text import squash, unify_ideographs
from .settings import ExtractSettings
from .tables import Fragment, PageContent, Row, TextLine

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# The OLE directory names a VBA project in UTF-16: an .xls with macros.
_XLS_VBA = "_VBA_PROJECT".encode("utf-16-le")


@dataclass
class Cell:
    text: str
    ruled: bool = False

    def __post_init__(self) -> None:
        # A line break typed in a cell is \n, or \r\n from Windows (stored as _x000D_ in xlsx).
        self.text = self.text.replace("\r\n", "\n").replace("\r", "\n")


@dataclass
class Grid:
    """One sheet (or Word table) as stored: 1-based (row, column) -> cell, merges inclusive."""

    name: str
    cells: dict[tuple[int, int], Cell] = field(default_factory=dict)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # first row, col, last row, col
    hidden_rows: set[int] = field(default_factory=set)
    hidden_cols: set[int] = field(default_factory=set)


def read_pages(path: Path, data: bytes, settings: ExtractSettings) -> list[PageContent]:
    """The file's sheets (or its one Word page) as page content; ReportError for a file not to load."""
    if not data:
        raise errors.EmptyFileError(path)
    if data.startswith(_OLE_MAGIC):  # an .xls, whatever its name says (sites serve .xls as .xlsx)
        grids = _xls(path, data, settings)
    else:
        names = _checked_zip(path, data, settings)
        kind = _zip_kind(names) or path.suffix.lower()
        if kind == ".docx":
            return [_docx(path, data, names)]
        grids = _ods(path, data, settings) if kind == ".ods" else _xlsx(path, data, names, settings)
    pages: list[PageContent] = []
    for grid in grids:
        _trim(grid)
        rows = max((r for r, _ in grid.cells), default=0)
        cols = max((c for _, c in grid.cells), default=0)
        _check_size(path, grid.name, rows, cols, settings)
        pages.append(page_content(grid, len(pages) + 1))
    if not pages:
        raise errors.NotASelfEvaluationReportError(path, "no visible sheet")
    if len(pages) > settings.max_pages:
        raise errors.TooManyPagesError(path, f"{len(pages)} sheets, limit {settings.max_pages}")
    return pages


def _trim(grid: Grid) -> None:
    """Borders past the last text (a template's ruled blank rows, a whole column formatted) go: the
    used range is where text is."""
    texts = [at for at, cell in grid.cells.items() if cell.text.strip()]
    last_row = max([r for r, _ in texts] + [m[0] for m in grid.merges], default=0)
    last_col = max([c for _, c in texts] + [m[1] for m in grid.merges], default=0)
    grid.cells = {(r, c): cell for (r, c), cell in grid.cells.items() if r <= last_row and c <= last_col}
    grid.merges = [(r0, c0, min(r1, last_row), min(c1, last_col)) for r0, c0, r1, c1 in grid.merges]


def _check_size(path: Path, sheet: str, rows: int, cols: int, settings: ExtractSettings) -> None:
    """The used range (rows x columns up to the last text): a sheet of no form is not read whole."""
    if rows * cols > settings.max_sheet_cells:
        raise errors.SheetTooLargeError(
            path, f"sheet {sheet}: {rows} rows x {cols} columns, limit {settings.max_sheet_cells} cells"
        )


# --- grid -> page content -------------------------------------------------------------------------


def page_content(grid: Grid, number: int, top: int = 0) -> PageContent:
    """The sheet's table fragments and free text lines (module docstring)."""
    lines: list[TextLine] = []
    fragments: list[Fragment] = []
    run: list[Row] = []
    for row, texts, ruled in _visible_rows(grid, number, top):
        if ruled or texts >= 2:
            run.append(row)
            continue
        if run:
            fragments.append(_fragment(run, number))
            run = []
        if texts == 1:
            text = next(t for t in row.cells if squash(t))
            lines.append(TextLine(number, row.bbox[1], text or ""))
    if run:
        fragments.append(_fragment(run, number))
    return PageContent(number, tuple(fragments), tuple(lines), _char_count(fragments, lines))


def _visible_rows(grid: Grid, number: int, top: int) -> Iterator[tuple[Row, int, bool]]:
    """(row, how many texts it holds, whether a cell of it has a border), visible rows top to bottom."""
    last_row = max([r for r, _ in grid.cells] + [m[2] for m in grid.merges], default=0)
    last_col = max([c for _, c in grid.cells] + [m[3] for m in grid.merges], default=0)
    rows = [r for r in range(1, last_row + 1) if r not in grid.hidden_rows]
    cols = [c for c in range(1, last_col + 1) if c not in grid.hidden_cols]
    x_of = {c: i for i, c in enumerate(cols)}
    # (row, col) -> (first visible row, col of its merge); the anchor maps to itself.
    anchor: dict[tuple[int, int], tuple[int, int]] = {}
    span_end: dict[tuple[int, int], int] = {}  # anchor -> its merge's last visible column
    merge_of: dict[tuple[int, int], tuple[int, int, int, int]] = {}
    for merge in grid.merges:
        r0, c0, r1, c1 = merge
        vis_r = [r for r in range(r0, r1 + 1) if r not in grid.hidden_rows]
        vis_c = [c for c in range(c0, c1 + 1) if c not in grid.hidden_cols]
        if not vis_r or not vis_c:
            continue
        first = (vis_r[0], vis_c[0])
        span_end[first] = vis_c[-1]
        merge_of[first] = merge
        for r in vis_r:
            for c in vis_c:
                anchor[(r, c)] = first
    for y, r in enumerate(rows):
        texts: list[str | None] = []
        x0s: list[float | None] = []
        x1s: list[float | None] = []
        ruled = False
        count = 0
        used: list[int] = []  # columns holding text, a border or a merge
        for c in cols:
            at = anchor.get((r, c), (r, c))
            found = merge_of.get(at)
            cell = grid.cells.get((found[0], found[1]) if found else (r, c))
            if found or (cell is not None and (cell.ruled or cell.text)):
                used.append(c)
            if found:
                merge = found
                ruled = ruled or any(
                    grid.cells.get((mr, mc), _BLANK).ruled
                    for mr in range(merge[0], merge[2] + 1)
                    for mc in range(merge[1], merge[3] + 1)
                )
            elif cell is not None:
                ruled = ruled or cell.ruled
            if at != (r, c):
                texts.append(None)
                x0s.append(None)
                x1s.append(None)
                continue
            text = unify_ideographs(cell.text) if cell is not None else ""
            count += bool(squash(text))
            texts.append(text)
            x0s.append(float(x_of[c]))
            x1s.append(float(x_of[span_end.get(at, c)] + 1))
        bbox = (0.0, float(top + y), float(len(cols)), float(top + y + 1))
        where = cell_range(grid.name, r, used[0], r, used[-1]) if used else None
        yield Row(tuple(texts), tuple(x0s), number, bbox, tuple(x1s), where), count, ruled


_BLANK = Cell("")


def _char_count(fragments: list[Fragment], lines: list[TextLine]) -> int:
    in_cells = sum(len(t) for f in fragments for r in f.rows for t in r.cells if t)
    return in_cells + sum(len(line.text) for line in lines)


def _fragment(rows: list[Row], number: int) -> Fragment:
    top, bottom = rows[0].bbox[1], rows[-1].bbox[3]
    return Fragment(number, (rows[0].bbox[0], top, rows[0].bbox[2], bottom), tuple(rows))


def _zip_kind(names: set[str]) -> str | None:
    """What a zip container holds, by its members: a renamed file is read as what it is."""
    if "word/document.xml" in names:
        return ".docx"
    if "xl/workbook.xml" in names:
        return ".xlsx"
    if "content.xml" in names and "mimetype" in names:
        return ".ods"
    return None


# --- integrity of zip containers ------------------------------------------------------------------


def _checked_zip(path: Path, data: bytes, settings: ExtractSettings) -> set[str]:
    """The member names of an OOXML/ODF container, once it is known safe to open."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, EOFError, ValueError) as exc:
        head = data[:512].lstrip().lower()
        if head.startswith((b"<html", b"<!doctype html", b"<table", b"<?xml")) or b"<html" in head:
            # Web applications' "export to Excel": an HTML or XML page under a spreadsheet's name.
            why = "a web page or XML saved under a spreadsheet's name"
            raise errors.DamagedFileError(path, why) from None
        raise errors.DamagedFileError(path, f"not a readable zip container ({exc})") from None
    unpacked = sum(i.file_size for i in infos)
    if len(infos) > settings.max_zip_members or unpacked > settings.max_unpacked_bytes:
        raise errors.ZipBombError(
            path, f"{len(infos)} members, {unpacked} bytes unpacked (limit {settings.max_unpacked_bytes})"
        )
    for info in infos:
        ratio = info.file_size // max(1, info.compress_size)
        if info.file_size > (1 << 20) and ratio > settings.max_compression_ratio:
            raise errors.ZipBombError(path, f"{info.filename} expands {ratio}-fold")
    names = {i.filename for i in infos}
    if any(n.endswith("vbaProject.bin") or n.startswith(("Basic/", "Scripts/")) for n in names):
        raise errors.MacrosError(path, "the file carries macros (VBA project or Basic library)")
    if any(n.startswith("xl/externalLinks/") for n in names):
        raise errors.ExternalLinksError(path, "cells take values from other workbooks (xl/externalLinks)")
    return names


# --- xlsx (openpyxl) ------------------------------------------------------------------------------


def _xlsx(path: Path, data: bytes, names: set[str], settings: ExtractSettings) -> list[Grid]:
    import openpyxl  # imported on use: PDF-only runs never pay for it
    from openpyxl.utils import column_index_from_string

    try:
        with warnings.catch_warnings():  # "extension not supported": parts it skips, none we read
            warnings.simplefilter("ignore")
            book = openpyxl.load_workbook(io.BytesIO(data), data_only=True, keep_links=False)
            formulas = openpyxl.load_workbook(
                io.BytesIO(data), data_only=False, read_only=True, keep_links=False
            )
    except Exception as exc:  # openpyxl raises many unrelated types on damaged files
        raise errors.DamagedFileError(path, f"{type(exc).__name__}: {exc}") from None
    grids: list[Grid] = []
    try:
        for sheet in book.worksheets:
            if sheet.sheet_state != "visible":
                continue
            _check_cached_values(path, sheet, formulas[sheet.title])
            grid = Grid(sheet.title)
            for row in sheet.iter_rows():
                for c in row:
                    ruled = any(getattr(c.border, side).style for side in ("left", "right", "top", "bottom"))
                    if c.value is None and not ruled:
                        continue
                    grid.cells[(c.row, c.column)] = Cell(display(c.value, c.number_format), ruled)
            grid.merges = [(m.min_row, m.min_col, m.max_row, m.max_col) for m in sheet.merged_cells.ranges]
            grid.hidden_rows = {r for r, d in sheet.row_dimensions.items() if d.hidden}
            for key, dim in sheet.column_dimensions.items():
                if dim.hidden:
                    first = dim.min or column_index_from_string(key)
                    grid.hidden_cols.update(range(first, (dim.max or first) + 1))
            grids.append(grid)
    finally:
        formulas.close()
    return grids


def _check_cached_values(path: Path, sheet, formula_sheet) -> None:
    """A formula saved without its result (a workbook written by a library, never opened) shows
    nothing the publisher saw: rejected, not read as blank."""
    for row in formula_sheet.iter_rows():
        for c in row:
            if getattr(c, "data_type", None) == "f" and sheet.cell(c.row, c.column).value is None:
                raise errors.MissingCachedValueError(
                    path, f"{cell_range(sheet.title, c.row, c.column, c.row, c.column)} holds {c.value}"
                )


# --- xls (xlrd) -----------------------------------------------------------------------------------


def _xls(path: Path, data: bytes, settings: ExtractSettings) -> list[Grid]:
    import xlrd

    if len(data) > settings.max_unpacked_bytes:
        raise errors.SheetTooLargeError(path, f"{len(data)} bytes, limit {settings.max_unpacked_bytes}")
    if _XLS_VBA in data:
        raise errors.MacrosError(path, "the file carries macros (VBA project)")
    if "EncryptedPackage".encode("utf-16-le") in data:
        raise errors.DamagedFileError(path, "an encrypted workbook (password to open)")
    try:
        book = xlrd.open_workbook(file_contents=data, formatting_info=True, on_demand=True)
    except Exception as exc:  # xlrd raises many unrelated types on damaged files
        raise errors.DamagedFileError(path, f"{type(exc).__name__}: {exc}") from None
    grids: list[Grid] = []
    try:
        for index in range(book.nsheets):
            sheet = book.sheet_by_index(index)
            if sheet.visibility != 0:
                continue
            grid = Grid(sheet.name)
            for r in range(sheet.nrows):
                for c in range(sheet.row_len(r)):
                    xf = book.xf_list[sheet.cell_xf_index(r, c)]
                    b = xf.border
                    sides = (b.left_line_style, b.right_line_style, b.top_line_style, b.bottom_line_style)
                    ruled = any(sides)
                    text = _xls_text(book, sheet.cell(r, c), xf)
                    if text or ruled:
                        grid.cells[(r + 1, c + 1)] = Cell(text, ruled)
            grid.merges = [(r0 + 1, c0 + 1, r1, c1) for r0, r1, c0, c1 in sheet.merged_cells]
            grid.hidden_rows = {r + 1 for r, info in sheet.rowinfo_map.items() if info.hidden}
            grid.hidden_cols = {c + 1 for c, info in sheet.colinfo_map.items() if info.hidden}
            grids.append(grid)
            book.unload_sheet(index)
    finally:
        book.release_resources()
    return grids


def _xls_text(book, cell, xf) -> str:
    import xlrd

    fmt = book.format_map[xf.format_key].format_str if xf.format_key in book.format_map else "General"
    if cell.ctype == xlrd.XL_CELL_DATE:
        return display(xlrd.xldate.xldate_as_datetime(cell.value, book.datemode), fmt)
    if cell.ctype == xlrd.XL_CELL_NUMBER:
        return display(cell.value, fmt)
    if cell.ctype == xlrd.XL_CELL_BOOLEAN:
        return display(bool(cell.value), fmt)
    if cell.ctype == xlrd.XL_CELL_ERROR:
        return xlrd.error_text_from_code.get(cell.value, "#ERR")
    return str(cell.value) if cell.ctype == xlrd.XL_CELL_TEXT else ""


# --- ods (odfpy) ----------------------------------------------------------------------------------


def _ods(path: Path, data: bytes, settings: ExtractSettings) -> list[Grid]:
    from odf import opendocument, teletype
    from odf.namespaces import TABLENS, TEXTNS

    try:
        doc = opendocument.load(io.BytesIO(data))
    except Exception as exc:  # odfpy raises many unrelated types on damaged files
        raise errors.DamagedFileError(path, f"{type(exc).__name__}: {exc}") from None
    ruled_styles = _ods_ruled_styles(doc)
    hidden_styles = _ods_styles(
        doc, "table-properties", lambda props: props.getAttrNS(TABLENS, "display") == "false"
    )
    grids: list[Grid] = []
    for table in doc.spreadsheet.childNodes:
        if table.qname != (TABLENS, "table"):
            continue
        grid = Grid(table.getAttrNS(TABLENS, "name") or f"Sheet{len(grids) + 1}")
        col = 1
        for column in _descendants(table, (TABLENS, "table-column")):
            repeat = int(column.getAttrNS(TABLENS, "number-columns-repeated") or 1)
            if column.getAttrNS(TABLENS, "visibility") in ("collapse", "filter"):
                grid.hidden_cols.update(range(col, col + repeat))
            col += repeat
        r = 1
        for row in _descendants(table, (TABLENS, "table-row")):
            repeat = int(row.getAttrNS(TABLENS, "number-rows-repeated") or 1)
            if row.getAttrNS(TABLENS, "visibility") in ("collapse", "filter"):
                grid.hidden_rows.update(range(r, r + min(repeat, 1 << 20)))
            c = 1
            for cell in row.childNodes:
                if cell.qname not in ((TABLENS, "table-cell"), (TABLENS, "covered-table-cell")):
                    continue
                times = int(cell.getAttrNS(TABLENS, "number-columns-repeated") or 1)
                paragraphs = [p for p in cell.childNodes if p.qname == (TEXTNS, "p")]
                text = "\n".join(teletype.extractText(p) for p in paragraphs)
                ruled = cell.getAttrNS(TABLENS, "style-name") in ruled_styles
                if cell.getAttrNS(TABLENS, "formula") and not paragraphs and not _ods_value(cell):
                    where = cell_range(grid.name, r, c, r, c)
                    formula = cell.getAttrNS(TABLENS, "formula")
                    raise errors.MissingCachedValueError(path, f"{where} holds {formula}")
                copies = times * repeat
                if text:  # a repeated cell is one element: its copies are counted before they are made
                    _check_size(path, grid.name, r + repeat - 1, c + times - 1, settings)
                elif copies > _ODS_FILLER_CELLS:
                    ruled = False  # borders repeated to the sheet's end: formatting, not a table
                if (text or ruled) and cell.qname == (TABLENS, "table-cell"):
                    for k in range(times):
                        for dr in range(repeat):
                            grid.cells[(r + dr, c + k)] = Cell(text, ruled)
                rows_spanned = int(cell.getAttrNS(TABLENS, "number-rows-spanned") or 1)
                cols_spanned = int(cell.getAttrNS(TABLENS, "number-columns-spanned") or 1)
                if rows_spanned > 1 or cols_spanned > 1:
                    grid.merges.append((r, c, r + rows_spanned - 1, c + cols_spanned - 1))
                c += times
            r += repeat
        if table.getAttrNS(TABLENS, "style-name") in hidden_styles:
            continue
        grids.append(grid)
    return grids


def _ods_value(cell) -> str | None:
    from odf.namespaces import OFFICENS

    for attr in ("value", "date-value", "time-value", "boolean-value", "string-value"):
        value = cell.getAttrNS(OFFICENS, attr)
        if value is not None:
            return value
    return None


def _descendants(node, qname) -> Iterator:
    """Elements of this name under `node` in document order, not inside a nested one of the same name."""
    for child in node.childNodes:
        if getattr(child, "qname", None) == qname:
            yield child
        elif child.nodeType == child.ELEMENT_NODE and child.qname[1] not in ("table", "table-row"):
            yield from _descendants(child, qname)


# Empty bordered cells repeated more than this (a whole column formatted) are formatting, not cells.
_ODS_FILLER_CELLS = 10_000
_ODS_BORDERS = ("border", "border-left", "border-right", "border-top", "border-bottom")


def _ods_ruled_styles(doc) -> set[str]:
    """Names of cell styles that draw a border on any side."""
    from odf.namespaces import FONS

    def ruled(props) -> bool:
        sides = [props.getAttrNS(FONS, a) for a in _ODS_BORDERS]
        return any(s and s.strip().lower() not in ("none", "hidden") for s in sides)

    return _ods_styles(doc, "table-cell-properties", ruled)


def _ods_styles(doc, properties: str, test) -> set[str]:
    """Names of the styles whose `properties` element passes `test`."""
    from odf.namespaces import STYLENS

    out: set[str] = set()
    for styles in (doc.automaticstyles, doc.styles):
        for style in styles.childNodes:
            if getattr(style, "qname", None) != (STYLENS, "style"):
                continue
            for props in style.childNodes:
                if getattr(props, "qname", None) == (STYLENS, properties) and test(props):
                    out.add(style.getAttrNS(STYLENS, "name"))
    return out


# --- docx (python-docx) ---------------------------------------------------------------------------


def _docx(path: Path, data: bytes, names: set[str]) -> PageContent:
    """The document's paragraphs as text lines and its tables as fragments, in body order, one page;
    a table's cells are addressed `Table2!B7` (the second table, grid row 7, column B)."""
    import docx
    from docx.oxml.ns import qn

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises many unrelated types on damaged files
        raise errors.DamagedFileError(path, f"{type(exc).__name__}: {exc}") from None
    lines: list[TextLine] = []
    fragments: list[Fragment] = []
    top = 0
    tables = 0
    for child in document.element.body.iterchildren():
        if child.tag == qn("w:p"):
            text = "".join(t.text or "" for t in child.iter(qn("w:t")))
            if text.strip():
                lines.append(TextLine(1, float(top), unify_ideographs(text)))
            top += 1
        elif child.tag == qn("w:tbl"):
            tables += 1
            grid = _docx_grid(child, f"Table{tables}", qn)
            rows = [row for row, _, _ in _visible_rows(grid, 1, top)]
            if rows:
                fragments.append(_fragment(rows, 1))
            top += max((r for r, _ in grid.cells), default=0) + 1
    return PageContent(1, tuple(fragments), tuple(lines), _char_count(fragments, lines))


def _docx_grid(tbl, name: str, qn) -> Grid:
    """A Word table as a grid: gridSpan merges columns, vMerge continues a cell downwards."""
    grid = Grid(name)
    open_merge: dict[int, int] = {}  # first column -> index in grid.merges of the vertical merge going on
    for r, tr in enumerate(tbl.iterchildren(qn("w:tr")), start=1):
        before = tr.find(f"{qn('w:trPr')}/{qn('w:gridBefore')}")
        c = 1 + (int(before.get(qn("w:val"))) if before is not None else 0)
        for tc in tr.iterchildren(qn("w:tc")):
            props = tc.find(qn("w:tcPr"))
            span_el = props.find(qn("w:gridSpan")) if props is not None else None
            span = int(span_el.get(qn("w:val"))) if span_el is not None else 1
            vmerge = props.find(qn("w:vMerge")) if props is not None else None
            continues = vmerge is not None and vmerge.get(qn("w:val"), "continue") == "continue"
            if continues and c in open_merge:
                index = open_merge[c]
                r0, c0, _, c1 = grid.merges[index]
                grid.merges[index] = (r0, c0, r, c1)
            else:
                paragraphs = tc.findall(qn("w:p"))
                text = "\n".join("".join(t.text or "" for t in p.iter(qn("w:t"))) for p in paragraphs)
                grid.cells[(r, c)] = Cell(text, True)
                open_merge.pop(c, None)
                if vmerge is not None or span > 1:
                    grid.merges.append((r, c, r, c + span - 1))
                    if vmerge is not None:
                        open_merge[c] = len(grid.merges) - 1
            for k in range(c, c + span):
                grid.cells.setdefault((r, k), Cell("", True))
            c += span
    return grid
