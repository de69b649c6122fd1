"""A file of tables cut into runs, each read by one form: a compilation may mix forms, even on a page.

The file's text lines and table rows, in reading order, are cut into segments at each title line of a
table form (a title with its year line below it stays one segment). Each segment is scored against
every form, as a page is: a segment another table form recognises (and the current run's form does not
read as well) starts a run of its own; a segment no form recognises (a table's continuation, a title
repeated above it on the next page) stays with the run before it. A run's pages hold only its own
lines and rows, so a table ending and another form's table starting on one page are each read whole.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ...lib.text import squash
from ...tables import Fragment, PageContent, Row, TextLine, printed_line, reading_order
from .form import Form, Match, PageTexts, match

Item = TextLine | Row


def table_runs(
    first: Form,
    pages: list[PageContent],
    forms: tuple[Form, ...],
    best_match: Callable[[PageTexts], Match],
) -> list[tuple[Form, list[PageContent]]]:
    titles = [s.pattern for f in forms if f.reads_tables for s in f.signals if s.is_title]
    runs: list[tuple[Form, list[Item]]] = []
    for segment in _segments(pages, titles):
        texts = _texts(segment)
        found = best_match(texts)
        if not runs:
            runs.append((found.form if found.recognised and found.form.reads_tables else first, segment))
            continue
        form = runs[-1][0]
        if found.recognised and found.form.reads_tables and found.form is not form:
            current = match(form, texts)
            # A segment the run's form reads as well (say, a national table without its title, which
            # the Sichuan form fits as well) stays in the run.
            if not current.recognised or current.points < found.points:
                runs.append((found.form, segment))
                continue
        runs[-1][1].extend(segment)
    by_number = {page.number: page for page in pages}
    return [(form, _pages(items, by_number)) for form, items in runs]


def _segments(pages: list[PageContent], titles: list[str]) -> list[list[Item]]:
    segments: list[list[Item]] = [[]]
    after_title = False
    for page in pages:
        for item in reading_order(page):
            line = printed_line(item)
            is_title = line is not None and any(re.search(p, line) for p in titles)
            if is_title and not after_title and segments[-1]:
                segments.append([])
            segments[-1].append(item)
            after_title = is_title
    return segments


def _texts(items: list[Item]) -> PageTexts:
    lines = [line for line in map(printed_line, items) if line is not None]
    cells = [squash(t) for item in items if isinstance(item, Row) for t in item.cells if t]
    return PageTexts(tuple(lines), tuple(lines) + tuple(c for c in cells if c))


def _pages(items: list[Item], by_number: dict[int, PageContent]) -> list[PageContent]:
    """The run's items as pages of their own: each page's lines and rows of this run only (all of a
    page's, as printed, when the run holds the whole page)."""
    numbers = list(dict.fromkeys(item.page for item in items))
    out = []
    for number in numbers:
        mine = [item for item in items if item.page == number]
        source = by_number[number]
        if len(mine) == len(reading_order(source)):
            out.append(source)
            continue
        rows = tuple(item for item in mine if isinstance(item, Row))
        lines = tuple(item for item in mine if isinstance(item, TextLine))
        fragments = (Fragment(number, _bbox(rows), rows),) if rows else ()
        out.append(PageContent(number, fragments, lines, source.char_count, source.chars_outside_cells))
    return out


def _bbox(rows: tuple[Row, ...]) -> tuple[float, float, float, float]:
    return (
        min(r.bbox[0] for r in rows),
        min(r.bbox[1] for r in rows),
        max(r.bbox[2] for r in rows),
        max(r.bbox[3] for r in rows),
    )
