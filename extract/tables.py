"""Ruled-table fragments and free text lines of one page, read by pdfplumber's rules.

The tables and cells pdfplumber's TableFinder finds (`lib.ruled_tables`), each cell's text as its
Table.extract reads it (`lib.cells`): the same results, without its cost per character and edge.

A fragment is the part of a table printed on one page; stitching fragments into records is
`stitch.py`'s job. Nothing here knows which table a fragment belongs to.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from operator import itemgetter

import pdfplumber.page
from pdfplumber.table import Table, TableSettings

from .lib import cells, ruled_tables
from .lib.cells import BOTTOM, TEXT, TOP, X0, X1
from .lib.geometry import rule
from .lib.text import squash, unify_ideographs
from .settings import ExtractSettings

BBox = tuple[float, float, float, float]


@dataclass(frozen=True)
class Row:
    cells: tuple[str | None, ...]  # None: covered by a merged cell
    cell_x0: tuple[float | None, ...]
    page: int
    bbox: BBox
    cell_x1: tuple[float | None, ...] = ()  # right edges: which header columns a merged cell spans
    cell_range: str | None = None  # read from a sheet or a Word table: `Sheet1!A7:I7` (extract.sheets)


@dataclass(frozen=True)
class Fragment:
    page: int
    bbox: BBox
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class TextLine:
    page: int
    top: float
    text: str


@dataclass(frozen=True)
class PageContent:
    number: int
    fragments: tuple[Fragment, ...]
    lines: tuple[TextLine, ...]
    char_count: int
    # Printed characters inside a table's box but in none of its cells: text a broken rule lost.
    chars_outside_cells: int = 0


def read_page(page, settings: ExtractSettings) -> PageContent:
    """Tables and free text of a page: a pdfplumber Page, an extract.pdfium_pages.PdfiumPage, or any
    page object with their `chars` (pdfplumber-style dicts), `edges`, `bbox` and `page_number`."""
    chars = page_chars(page)
    closing = closing_rules(page, settings.snap_tolerance)
    found = ruled_tables.find_tables(page.edges, TableSettings.resolve(settings.table_settings(closing)))
    fragments = []
    outside = 0
    for table_cells in found:
        # pdfplumber's rows (and columns) of the cells: `Table` reads nothing of the page for them.
        table = Table(page, table_cells)
        table_rows = table.rows
        # Blank characters kept: a space a line wraps at is real text (see lib.text.join_wrapped).
        texts, lost = cells.table_texts(table.cells, (r.cells for r in table_rows), chars)
        outside += lost
        rows = tuple(
            Row(
                cells=tuple(texts[i]),
                cell_x0=tuple(c[0] if c is not None else None for c in r.cells),
                page=page.page_number,
                bbox=_row_bbox(r),
                cell_x1=tuple(c[2] if c is not None else None for c in r.cells),
            )
            for i, r in enumerate(table_rows)
        )
        if rows:
            fragments.append(Fragment(page.page_number, table.bbox, rows))
    lines = text_lines(page.page_number, chars, [f.bbox for f in fragments], settings.line_tolerance)
    return PageContent(page.page_number, tuple(fragments), tuple(lines), len(chars), outside)


def page_chars(page) -> list[cells.Char]:
    """The page's characters as tuples (a PdfiumPage's own, or any page's pdfplumber-style dicts),
    radical code points unified: 目 where a browser-printed text layer has ⽬."""
    tuples = getattr(page, "char_tuples", None)
    chars = list(tuples) if tuples is not None else [cells.as_char(c) for c in page.chars]
    printed = "".join(c[TEXT] for c in chars)
    if unify_ideographs(printed) == printed:  # most pages: nothing to unify, told at C speed
        return chars
    out = []
    for c in chars:
        text = unify_ideographs(c[TEXT])
        out.append(c if text == c[TEXT] else (text, *c[1:]))
    return out


def _row_bbox(row) -> BBox:
    """The row's own box: a vertically merged cell starting here reaches further down than the row."""
    cells = [c for c in row.cells if c is not None]
    return (
        min(c[0] for c in cells),
        min(c[1] for c in cells),
        max(c[2] for c in cells),
        min(c[3] for c in cells),
    )


def closing_rules(page: pdfplumber.page.Page, tol: float) -> list[dict]:
    """Horizontal rules a table fragment is missing where its vertical rules stop.

    iText/reportlab-style generators and browsers draw a row cut by a page break without its closing
    rule (and a browser the row continuing on the next page without its opening one); the column
    rules still end at the page's last text line, so the rule is put back there. Without it
    pdfplumber's 'lines' strategy finds no closed cell and silently drops the row.
    """
    edges = page.edges
    # Browsers draw each column rule as one thin filled rectangle per row: only where the whole run
    # of segments ends does a rule stop, and the rectangles' own ends (as short as the border is
    # thick) close nothing.
    vertical = _vertical_runs([e for e in edges if e["orientation"] == "v"], tol)
    horizontal = sorted(
        (e for e in edges if e["orientation"] == "h" and e["width"] > tol), key=itemgetter("top")
    )
    if len(vertical) < 2:
        return []
    tops = [h["top"] for h in horizontal]
    ends = [(x, y) for x, top, bottom in vertical for y in (top, bottom)]
    open_at: set[float] = set()  # heights where a rule ends without a horizontal rule closing it
    for x, y in ends:
        # The rules at about that height (a browser draws hundreds a page), then the exact test.
        near = horizontal[bisect_left(tops, y - 2 * tol - 1) : bisect_right(tops, y + 2 * tol + 1)]
        closed = any(abs(h["top"] - y) <= tol and h["x0"] - tol <= x <= h["x1"] + tol for h in near)
        if not closed:
            open_at.add(round(y, 1))
    out = []
    for y in sorted(open_at):
        # Across every rule ending there: a closed neighbour (a rule just beside the open cell's
        # border, as collapsed borders are) must not leave the open cell short of its corner.
        across = [x for x, end in ends if abs(end - y) <= tol]
        # One open end beside others is a cell left open where its neighbours close: a spreadsheet
        # draws no bottom border under a merged cell going on past the page break. A lone rule
        # ending is no table's edge.
        if len(across) < 2:
            continue
        out.append(rule(min(across), y, max(across), y))
    return out


def _vertical_runs(vertical: list[dict], tol: float) -> list[tuple[float, float, float]]:
    """(x, top, bottom) of each column rule: segments at one x that touch, joined; short ones left out."""
    columns: list[list[dict]] = []
    for e in sorted(vertical, key=lambda e: e["x0"]):
        if columns and e["x0"] - columns[-1][0]["x0"] <= 0.5:
            columns[-1].append(e)
        else:
            columns.append([e])
    runs: list[tuple[float, float, float]] = []
    for column in columns:
        x = column[0]["x0"]
        column.sort(key=lambda e: e["top"])
        top, bottom = column[0]["top"], column[0]["bottom"]
        for e in column[1:]:
            if e["top"] > bottom + tol:
                runs.append((x, top, bottom))
                top = e["top"]
            bottom = max(bottom, e["bottom"])
        runs.append((x, top, bottom))
    return [run for run in runs if run[2] - run[1] > tol]


def text_lines(page_number: int, chars: list[cells.Char], exclude: list[BBox], tol: float) -> list[TextLine]:
    """Lines of text outside the table fragments (section titles, headings, prose)."""
    free = []
    for c in chars:
        cx, cy = (c[X0] + c[X1]) / 2, (c[TOP] + c[BOTTOM]) / 2
        for b in exclude:
            if b[0] <= cx <= b[2] and b[1] <= cy <= b[3]:
                break
        else:
            free.append(c)
    free.sort(key=itemgetter(TOP, X0))
    lines: list[list[cells.Char]] = []
    for c in free:
        if lines and abs(c[TOP] - lines[-1][0][TOP]) <= tol:
            lines[-1].append(c)
        else:
            lines.append([c])
    out = []
    for line in lines:
        line.sort(key=itemgetter(X0))
        text = "".join(c[TEXT] for c in line).strip()
        if text:
            out.append(TextLine(page_number, line[0][TOP], text))
    return out


def reading_order(page: PageContent) -> list[TextLine | Row]:
    """The page's free text lines and table rows, top to bottom (a line before a row at one height)."""
    events: list[tuple[float, int, TextLine | Row]] = [(line.top, 0, line) for line in page.lines]
    events += [(row.bbox[1], 1, row) for frag in page.fragments for row in frag.rows]
    return [item for _, _, item in sorted(events, key=lambda e: (e[0], e[1]))]


def printed_line(item: TextLine | Row) -> str | None:
    """A text line, or a table row printing one text only (a title in a ruled spreadsheet row),
    whitespace removed; None for a row of several cells."""
    if isinstance(item, TextLine):
        return squash(item.text)
    texts = [key for t in item.cells if (key := squash(t))]
    return texts[0] if len(texts) == 1 else None


def printed_lines(page: PageContent) -> list[str]:
    """The page's printed lines (`printed_line`), top to bottom."""
    return [line for line in map(printed_line, reading_order(page)) if line is not None]
