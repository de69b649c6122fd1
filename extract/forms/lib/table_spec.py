"""A table as data: the record field each column fills and the header synonyms that name it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ColumnSpec:
    """A table column: the record field it fills and a regex its (whitespace-free) header text matches."""

    field: str
    header_pattern: str


@dataclass(frozen=True)
class TableSpec:
    name: str
    title: str  # as printed, for messages
    # Regex on a whitespace-free text line outside any table, e.g. '七、预算信息' (forms whose
    # tables follow a section title; '' where a table is found by its header row alone).
    title_pattern: str
    columns: tuple[ColumnSpec, ...]
    # A row is a (possibly repeated) header when at least this many cells match column patterns.
    header_min_matches: int
    # A row at the top of a page whose fields here are all empty is the rest of the row cut by the
    # page break above it, not a new row: Word prints such short cells in the row's first part.
    new_row_fields: tuple[str, ...]
    # ...and so is a row at the top of a page without these (every real row has them).
    identity_fields: tuple[str, ...]
    # Vertically merged cells printed once per merge, outermost first; a new outer value resets inner ones.
    carry_down: tuple[str, ...] = ()
