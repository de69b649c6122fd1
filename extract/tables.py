"""Ruled-table fragments and free text lines of one page, from pdfplumber.

A fragment is the part of a table printed on one page; stitching fragments into records is
`stitch.py`'s job. Nothing here knows which table a fragment belongs to.
"""

from __future__ import annotations

from dataclasses import dataclass

import pdfplumber.page
from pdfplumber.table import Table, TableFinder, TableSettings

from .lib.geometry import rule
from .settings import ExtractSettings

BBox = tuple[float, float, float, float]


@dataclass(frozen=True)
class Row:
    cells: tuple[str | None, ...]  # None: covered by a merged cell
    cell_x0: tuple[float | None, ...]
    page: int
    bbox: BBox


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


def read_page(page, settings: ExtractSettings) -> PageContent:
    """Tables and free text of a page: a pdfplumber Page or an extract.pdfium_pages.PdfiumPage."""
    closing = _closing_rules(page, settings.snap_tolerance)
    tables = TableFinder(page, TableSettings.resolve(settings.table_settings(closing))).tables
    fragments = []
    for table in tables:
        # Blank characters kept: a space a line wraps at is real text (see lib.text.join_wrapped).
        texts = _inside(table, page.chars).extract(keep_blank_chars=True)
        rows = tuple(
            Row(
                cells=tuple(texts[i]),
                cell_x0=tuple(c[0] if c is not None else None for c in r.cells),
                page=page.page_number,
                bbox=_row_bbox(r),
            )
            for i, r in enumerate(table.rows)
        )
        if rows:
            fragments.append(Fragment(page.page_number, tuple(table.bbox), rows))
    chars = page.chars
    lines = text_lines(page.page_number, chars, [f.bbox for f in fragments], settings.line_tolerance)
    return PageContent(page.page_number, tuple(fragments), tuple(lines), len(chars))


@dataclass(frozen=True)
class _Chars:
    """The one part of a page `Table.extract` reads."""

    chars: list[dict]


def _inside(table: Table, chars: list[dict]) -> Table:
    """The table over only the characters inside it: `Table.extract` tests every character of its
    page against every row, and a row holds a character by the same midpoint test."""
    x0, top, x1, bottom = table.bbox
    held = [
        c
        for c in chars
        if x0 <= (c["x0"] + c["x1"]) / 2 < x1 and top <= (c["top"] + c["bottom"]) / 2 < bottom
    ]
    return Table(_Chars(held), table.cells)


def _row_bbox(row) -> BBox:
    """The row's own box: a vertically merged cell starting here reaches further down than the row."""
    cells = [c for c in row.cells if c is not None]
    return (
        min(c[0] for c in cells),
        min(c[1] for c in cells),
        max(c[2] for c in cells),
        min(c[3] for c in cells),
    )


def _closing_rules(page: pdfplumber.page.Page, tol: float) -> list[dict]:
    """Horizontal rules a table fragment is missing where its vertical rules stop.

    iText/reportlab-style generators draw a row cut by a page break without its closing rule; the
    column rules still end at the page's last text line, so the rule is put back there. Without it
    pdfplumber's 'lines' strategy finds no closed cell and silently drops the row.
    """
    edges = page.edges
    vertical = [e for e in edges if e["orientation"] == "v" and e["height"] > tol]
    horizontal = [e for e in edges if e["orientation"] == "h"]
    if len(vertical) < 2:
        return []
    missing: dict[float, list[float]] = {}
    for v in vertical:
        for y in (v["top"], v["bottom"]):
            closed = any(
                abs(h["top"] - y) <= tol and h["x0"] - tol <= v["x0"] <= h["x1"] + tol for h in horizontal
            )
            if not closed:
                missing.setdefault(round(y, 1), []).append(v["x0"])
    return [rule(min(xs), y, max(xs), y) for y, xs in missing.items() if len(xs) >= 2]


def text_lines(page_number: int, chars: list[dict], exclude: list[BBox], tol: float) -> list[TextLine]:
    """Lines of text outside the table fragments (section titles, headings, prose)."""

    def inside(c: dict) -> bool:
        cx, cy = (c["x0"] + c["x1"]) / 2, (c["top"] + c["bottom"]) / 2
        return any(b[0] <= cx <= b[2] and b[1] <= cy <= b[3] for b in exclude)

    free = sorted((c for c in chars if not inside(c)), key=lambda c: (c["top"], c["x0"]))
    lines: list[list[dict]] = []
    for c in free:
        if lines and abs(c["top"] - lines[-1][0]["top"]) <= tol:
            lines[-1].append(c)
        else:
            lines.append([c])
    out = []
    for line in lines:
        line.sort(key=lambda c: c["x0"])
        text = "".join(c["text"] for c in line).strip()
        if text:
            out.append(TextLine(page_number, line[0]["top"], text))
    return out
