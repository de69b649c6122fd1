"""Project-table pages built from rows of (text, x0, x1) cells: a form's rules tested without a PDF."""

from __future__ import annotations

from pathlib import Path

from extract.forms.lib.form import Document
from extract.settings import DEFAULT_SETTINGS
from extract.tables import Fragment, PageContent, Row, TextLine

Cell = tuple[str | None, float, float]


def row(page: int, top: float, *cells: Cell) -> Row:
    return Row(
        cells=tuple(text for text, _, _ in cells),
        cell_x0=tuple(x0 for _, x0, _ in cells),
        page=page,
        bbox=(cells[0][1], top, cells[-1][2], top + 20),
        cell_x1=tuple(x1 for _, _, x1 in cells),
    )


def page(number: int, lines: list[tuple[float, str]], rows: list[Row]) -> PageContent:
    """A page printing these text lines (top, text) and one ruled table of these rows."""
    frag = Fragment(number, (0, rows[0].bbox[1], 400, rows[-1].bbox[3]), tuple(rows))
    text = tuple(TextLine(number, top, t) for top, t in lines)
    return PageContent(number, (frag,), text, char_count=sum(len(t) for _, t in lines) + 100)


def document(*pages: PageContent) -> Document:
    return Document(Path("synthetic.pdf"), b"", "0" * 64, len(pages), pages, DEFAULT_SETTINGS)
