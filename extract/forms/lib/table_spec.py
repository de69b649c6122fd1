"""A table as data: the record field each column fills and the header synonyms that name it."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from functools import cached_property
from typing import TypeVar

from ...lib.text import regex

# Texts a form's memo keeps (`kept`) before it starts afresh.
KEPT_TEXTS = 10_000

_K = TypeVar("_K", bound=Hashable)
_V = TypeVar("_V")


def kept(memo: dict[_K, _V], key: _K, make: Callable[[], _V]) -> _V:
    """`memo[key]`, made by `make()` the first time it is asked for (never None); the memo starts
    afresh once it holds KEPT_TEXTS keys."""
    found = memo.get(key)
    if found is None:
        if len(memo) >= KEPT_TEXTS:
            memo.clear()
        found = memo[key] = make()
    return found


@dataclass(frozen=True)
class ColumnSpec:
    """A table column: the record field it fills and a regex its (whitespace-free) header text matches."""

    field: str
    header_pattern: str

    def __post_init__(self) -> None:
        regex(self.header_pattern)  # compiled as the forms are declared (`form.Signal`)


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

    def fields_matching(self, key: str) -> tuple[str, ...]:
        """The fields of the columns whose header pattern `key` (a whitespace-free text) matches, in
        column order. Kept per text: every row of a table is tried against every block's header."""
        return kept(
            self.matched,
            key,
            lambda: tuple(c.field for c in self.columns if regex(c.header_pattern).search(key)),
        )

    @cached_property
    def matched(self) -> dict[str, tuple[str, ...]]:
        """`fields_matching`'s memo (not part of the spec's value)."""
        return {}

    @cached_property
    def header_rows(self) -> dict[tuple[str | None, ...], tuple[list[str | None] | None]]:
        """`stitch.header_mapping`'s memo, by a row's cell texts (not part of the spec's value)."""
        return {}
