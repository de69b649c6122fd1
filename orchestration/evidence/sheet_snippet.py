"""The cells a finding's row was read from in a spreadsheet or Word table, as a small table for the
evidence report: the region of its cell range (`Sheet1!A7:I7`) and one row either side, merged
cells spanning as in the sheet. What a page crop is for a PDF; the template escapes every cell."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from extract import DEFAULT_SETTINGS
from extract.lib import cell_range
from extract.sheets import read_pages

# Rows shown above and below the finding's own.
CONTEXT_ROWS = 1


@dataclass(frozen=True)
class SnippetCell:
    text: str
    colspan: int


@dataclass(frozen=True)
class SnippetRow:
    row_number: int  # as the sheet numbers it (1-based)
    is_hit: bool  # inside the finding's cell range
    cells: tuple[SnippetCell, ...]


@dataclass(frozen=True)
class SheetSnippet:
    cell_range: str
    rows: tuple[SnippetRow, ...]


def sheet_snippet(path: Path, where: str) -> SheetSnippet:
    """The region of `where` in the spreadsheet or Word file at `path`; ValueError if it is not there."""
    sheet, first, _, last, _ = cell_range.parse(where)
    pages = read_pages(path, path.read_bytes(), DEFAULT_SETTINGS)
    out: list[SnippetRow] = []
    for row in (r for page in pages for frag in page.fragments for r in frag.rows):
        if row.cell_range is None:
            continue
        row_sheet, number, _, _, _ = cell_range.parse(row.cell_range)
        if row_sheet != sheet or not first - CONTEXT_ROWS <= number <= last + CONTEXT_ROWS:
            continue
        out.append(SnippetRow(number, first <= number <= last, _cells(row)))
    if not any(r.is_hit for r in out):
        raise ValueError(f"{where} holds no table row in {path.name}")
    return SheetSnippet(where, tuple(out))


def _cells(row) -> tuple[SnippetCell, ...]:
    """The row's cells left to right: a cell spans the columns it covers; a column a merge from a
    row above covers is an empty cell, so the columns below stay aligned."""
    out: list[SnippetCell] = []
    reach = 0.0  # right edge of the last cell drawn
    for column, (text, x1) in enumerate(zip(row.cells, row.cell_x1, strict=False)):
        if text is not None:
            out.append(SnippetCell(text, max(1, int((x1 or column + 1) - column))))
            reach = x1 or column + 1
        elif column >= reach:  # covered from above: keep the column
            out.append(SnippetCell("", 1))
            reach = column + 1
    return tuple(out)
