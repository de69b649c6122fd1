"""Turn a section's table fragments (one per page) into logical rows.

Handles: repeated or missing header rows, rows cut by a page break (the rest of their cells
continues at the top of the next page with the other cells empty), and vertically merged cells
printed once per merge (carried down, also across pages, where they may be printed again).
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import TableShapeError
from .forms.lib.table_spec import TableSpec, kept
from .lib.text import squash
from .models import Provenance
from .tables import Fragment, Row


@dataclass
class LogicalRow:
    values: dict[str, str | None]  # raw cell text, wrapped lines still joined by '\n'
    provenance: Provenance


# Header cells are short labels; a long cell is data even if it happens to contain a header word.
_MAX_HEADER_CHARS = 30


def header_mapping(row: Row, spec: TableSpec) -> list[str | None] | None:
    """Field per column if `row` is a header row of `spec`, else None (kept per row's texts, as a
    form tries a row against every block's header, some more than once; a copy each time)."""
    mapping = kept(spec.header_rows, row.cells, lambda: (_header_mapping(row.cells, spec),))[0]
    return None if mapping is None else list(mapping)


def _header_mapping(cells: tuple[str | None, ...], spec: TableSpec) -> list[str | None] | None:
    mapping: list[str | None] = []
    used: set[str] = set()
    for text in cells:
        key = squash(text)
        field = None
        if len(key) <= _MAX_HEADER_CHARS and (key or text is not None):
            field = next((f for f in spec.fields_matching(key) if f not in used), None)
        if field:
            used.add(field)
        mapping.append(field)
    matched = [f for f, t in zip(mapping, cells, strict=True) if f and squash(t)]
    return mapping if len(matched) >= spec.header_min_matches else None


def _empty(text: str | None) -> bool:
    return not squash(text)


def stitch(fragments: list[Fragment], spec: TableSpec) -> list[LogicalRow]:
    mapping: list[str | None] | None = None
    header_x0: tuple[float | None, ...] = ()
    rows: list[LogicalRow] = []
    unprinted: dict[str, list[LogicalRow]] = {f: [] for f in spec.carry_down}
    # An empty ruled row at the foot of a page is the start of the row the next page continues.
    empty_start: LogicalRow | None = None
    last_printed: dict[str, str | None] = {f: None for f in spec.carry_down}
    for index, frag in enumerate(fragments):
        at_page_top = True
        for position, row in enumerate(frag.rows):
            found = header_mapping(row, spec)
            if found is not None:
                if mapping is None and rows:  # the rows before it were read without their header
                    raise TableShapeError(f"{spec.name}: header row after data rows (pages out of order?)")
                mapping, header_x0 = found, row.cell_x0
                continue
            columns = _columns_for(row, mapping, header_x0, spec)
            values: dict[str, str | None] = {f: None for f in (c.field for c in spec.columns)}
            for field, text in zip(columns, row.cells, strict=False):
                if field and text is not None:
                    values[field] = text
                elif not _empty(text):  # a cell under no header: its text would be lost
                    raise TableShapeError(f"{spec.name}: text outside every column ({squash(text)[:20]})")
            continues = (
                at_page_top
                and index > 0
                and rows
                and row.page > rows[-1].provenance.pages[-1]
                and (
                    rows[-1] is empty_start
                    or all(_empty(values[f]) for f in spec.new_row_fields)
                    or all(_empty(values[f]) for f in spec.identity_fields)
                )
            )
            top_of_next_page = at_page_top and index > 0
            at_page_top = False
            if all(_empty(v) for v in values.values()):
                if position == len(frag.rows) - 1 and index < len(fragments) - 1 and row.cells:
                    # Its cells are the row's own (a merge starting there, not the one above it).
                    empty_start = LogicalRow(
                        values, Provenance(row.page, (row.page,), row.bbox, row.cell_range)
                    )
                    rows.append(empty_start)
                    _fill_merges_printed_later(
                        unprinted, values, empty_start, True, False, last_printed, spec
                    )
                continue
            if continues and rows[-1] is empty_start:
                # Printed here: an empty start holds no text to show where the row is.
                empty_start.provenance = Provenance(row.page, (row.page,), row.bbox, row.cell_range)
            if continues:
                _merge_into(rows[-1], values, row, spec)
            else:
                rows.append(LogicalRow(values, Provenance(row.page, (row.page,), row.bbox, row.cell_range)))
            _fill_merges_printed_later(
                unprinted, values, rows[-1], not continues, top_of_next_page, last_printed, spec
            )
            empty_start = None
    if rows and rows[-1] is empty_start:
        rows.pop()  # nothing continued it: a ruled blank at the end of the table
    _carry_down(rows, spec)
    return rows


def _columns_for(
    row: Row, mapping: list[str | None] | None, header_x0: tuple[float | None, ...], spec: TableSpec
) -> list[str | None]:
    if mapping is None:
        if len(row.cells) == len(spec.columns):  # headerless table in the printed column order
            return [c.field for c in spec.columns]
        raise TableShapeError(f"{spec.name}: no header row found before the first data row")
    if len(row.cells) == len(mapping):
        return mapping
    # A fragment on a later page can have fewer or more column boundaries (merged cells); align by x.
    out: list[str | None] = []
    for x0 in row.cell_x0:
        match = None
        if x0 is not None:
            best = min((abs(x0 - hx), i) for i, hx in enumerate(header_x0) if hx is not None)
            if best[0] <= 3:
                match = mapping[best[1]]
        out.append(match)
    return out


def _merge_into(target: LogicalRow, values: dict[str, str | None], row: Row, spec: TableSpec) -> None:
    for field, text in values.items():
        if _empty(text):
            continue
        if field in spec.carry_down and not _empty(target.values[field]):
            continue  # a merged cell's fragment on the new page repeats nothing new
        prev = target.values[field]
        target.values[field] = text if _empty(prev) else f"{prev}\n{text}"
    prov = target.provenance
    if row.page not in prov.pages:
        target.provenance = Provenance(prov.page, (*prov.pages, row.page), prov.bbox, prov.cell_range)


def _fill_merges_printed_later(
    unprinted: dict[str, list[LogicalRow]],
    values: dict[str, str | None],
    target: LogicalRow,
    is_new: bool,
    top_of_next_page: bool,
    last_printed: dict[str, str | None],
    spec: TableSpec,
) -> None:
    """Give a merged cell's rows before a page break the text it prints after it.

    A browser prints a merged cell's text in the middle of the merge: one crossing a page break can
    start empty and show its text at the top of the next page. `unprinted` holds, per merged field,
    the rows of such a merge still waiting for their text. A merge continuing empty at the top of a
    page after one that printed its text is that merge's tail: carried down as usual. A merge never
    continues across a change of the level above it: where this row prints a new outer value, the
    inner merge's waiting rows outside the outer merge's own belong to the one before (`last_printed`:
    the last text printed per merged field).
    """
    new_outer: list[LogicalRow] | None = None  # the rows of an outer merge this row starts anew
    for depth, field in enumerate(spec.carry_down):
        value = values[field]
        waiting = unprinted[field]
        if not _empty(value):
            if top_of_next_page:
                inside = (
                    waiting if new_outer is None else [r for r in waiting if any(r is o for o in new_outer)]
                )
                for row in inside:
                    row.values[field] = value
            if new_outer is None and value != last_printed[field]:
                new_outer = [*waiting, target] if top_of_next_page else [target]
            last_printed[field] = value
            unprinted[field] = []
        elif value is None:
            if any(values[outer] is not None for outer in spec.carry_down[:depth]):
                unprinted[field] = []  # covered sideways by a new outer cell: no merge of its own
            elif waiting and is_new:
                waiting.append(target)  # inside the waiting merge
        elif not top_of_next_page:
            unprinted[field] = [target] if is_new else []  # a merge starting without its text
        elif waiting and is_new:
            waiting.append(target)  # still without it on this page


def _carry_down(rows: list[LogicalRow], spec: TableSpec) -> None:
    carried: dict[str, str | None] = {f: None for f in spec.carry_down}
    for row in rows:
        for depth, field in enumerate(spec.carry_down):
            if _empty(row.values[field]):
                row.values[field] = carried[field]
            else:
                # An outer merge printed again past a page break is the same merge: the inner merges
                # it holds continue (their cells left empty) unless printed anew.
                if row.values[field] != carried[field]:
                    for inner in spec.carry_down[depth + 1 :]:
                        carried[inner] = None
                carried[field] = row.values[field]
