"""Cell texts of a ruled table, exactly as pdfplumber's `Table.extract(keep_blank_chars=True)`
reads them, with each character looked at once.

Why by hand: `Table.extract` tests every character of the page against every row and then every
character of a row against every cell (`char_in_bbox`: 1.1 million calls for the 87 pages of the
fixture corpus), and runs its word extractor's general machinery (a WordExtractor and a TextMap per
cell); with the per-character dicts that feed it, it was 60% of the extraction's CPU. Here a
character finds its cell by bisecting the table's grid lines, characters are tuples, and the
text of a cell is put together by the same rules in a few lines. tests/test_cells.py compares every
table of every committed fixture PDF with pdfplumber's own result.

The rules, from pdfplumber (utils/text.py, table.py), with its defaults (x and y tolerance 3):
- a character is in a cell when its midpoint is: x0 <= (x0 + x1) / 2 < x1, top <= (top + bottom) / 2
  < bottom;
- a cell's characters, in page order, split into runs of one `upright` value; each run into lines
  (chained clusters of `top`, or of `x0` for rotated text, at most 3 apart), each line sorted by x0
  (rotated: top, bottom), and each line into words: a new word where a character starts left of
  the previous one's start or more than 3 past its end, or its top is more than 3 away (rotated:
  the same with the axes swapped); an empty character is a word of its own; ligatures expanded;
- words, clustered into lines again by their tops (the smallest of their characters'), are joined
  with spaces, lines with newlines.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from itertools import groupby
from operator import itemgetter
from typing import Final, Literal

from pdfplumber.utils.text import DEFAULT_X_TOLERANCE, DEFAULT_Y_TOLERANCE, LIGATURES

BBox = tuple[float, float, float, float]
# A character: text, x0, top, x1, bottom, upright (a pdfplumber char's keys of the same names).
Char = tuple[str, float, float, float, float, bool]
TEXT: Final = 0
X0: Final = 1
TOP: Final = 2
X1: Final = 3
BOTTOM: Final = 4
UPRIGHT: Final = 5


def as_char(c: dict) -> Char:
    """A pdfplumber-style character dict as a Char (upright unless it says otherwise)."""
    return (c["text"], c["x0"], c["top"], c["x1"], c["bottom"], c.get("upright", True))


class Grid:
    """Which cells hold a point: the table's distinct cell edges cut it into slots, and each slot
    lists the cells covering it. A midpoint bisected into its slot is in exactly those cells, by
    the same half-open comparisons as pdfplumber's `char_in_bbox`: every cell edge is a grid line."""

    def __init__(self, cells: Iterable[BBox]) -> None:
        cells = list(dict.fromkeys(cells))
        self.xs = sorted({v for c in cells for v in (c[0], c[2])})
        self.ys = sorted({v for c in cells for v in (c[1], c[3])})
        col = {x: i for i, x in enumerate(self.xs)}
        row = {y: j for j, y in enumerate(self.ys)}
        self.slots: dict[tuple[int, int], list[BBox]] = {}
        for cell in cells:
            for i in range(col[cell[0]], col[cell[2]]):
                for j in range(row[cell[1]], row[cell[3]]):
                    self.slots.setdefault((i, j), []).append(cell)


def table_texts(
    cells: Sequence[BBox], rows: Iterable[Sequence[BBox | None]], chars: Iterable[Char]
) -> tuple[list[list[str | None]], int]:
    """Each row's cell texts (None where a row has no cell, "" for an empty one), as
    `Table.extract(keep_blank_chars=True)` gives them; and how many printed (not blank) characters
    lie inside the table's box but in none of its cells."""
    if not cells:
        return [[None for _ in row] for row in rows], 0
    grid = Grid(cells)
    held: dict[BBox, list[Char]] = {}
    outside = 0
    xs, ys, slots = grid.xs, grid.ys, grid.slots
    left, right, top, bottom = xs[0], xs[-1], ys[0], ys[-1]
    for c in chars:  # once per character of the page, for every table: inlined
        h, v = (c[X0] + c[X1]) / 2, (c[TOP] + c[BOTTOM]) / 2
        if not (left <= h < right and top <= v < bottom):
            continue
        holders = slots.get((bisect.bisect_right(xs, h) - 1, bisect.bisect_right(ys, v) - 1))
        if not holders:
            outside += bool(c[TEXT].strip())
            continue
        for cell in holders:
            held.setdefault(cell, []).append(c)
    texts = [
        [None if cell is None else (text(held[cell]) if cell in held else "") for cell in row] for row in rows
    ]
    return texts, outside


def clusters(items: list, key: int, tolerance: float) -> list[list]:
    """pdfplumber's `cluster_objects`: distinct key values chained where each is at most
    `tolerance` past the previous; the items grouped by cluster, in order within each."""
    if not items:
        return []
    values = sorted({item[key] for item in items})
    cluster, n, last = {}, 0, values[0]
    for value in values:
        if not value <= last + tolerance:
            n += 1
        cluster[value] = n
        last = value
    if n == 0:
        return [items]
    groups: list[list] = [[] for _ in range(n + 1)]
    for item in items:
        groups[cluster[item[key]]].append(item)
    return [g for g in groups if g]


def _words(line: list[Char], upright: bool) -> list[tuple[float, str]]:
    """(top, text) of each word of a sorted line (pdfplumber's `iter_chars_to_words` and
    `merge_chars`, blank characters kept, no punctuation split)."""
    start: Literal[1, 2]  # X0 or TOP: the axes of a line, and across it
    end: Literal[3, 4]
    across: Literal[1, 2]
    if upright:  # left to right
        start, end, across, tolerance, spread = X0, X1, TOP, DEFAULT_X_TOLERANCE, DEFAULT_Y_TOLERANCE
    else:  # top to bottom
        start, end, across, tolerance, spread = TOP, BOTTOM, X0, DEFAULT_Y_TOLERANCE, DEFAULT_X_TOLERANCE
    groups: list[list[Char]] = []
    current: list[Char] = []
    for c in line:
        if c[TEXT] == "":  # in pdfplumber's (empty) punctuation string: a word of its own
            if current:
                groups.append(current)
            groups.append([c])
            current = []
        elif current and (
            c[start] < current[-1][start]
            or c[start] > current[-1][end] + tolerance
            or abs(c[across] - current[-1][across]) > spread
        ):
            groups.append(current)
            current = [c]
        else:
            current.append(c)
    if current:
        groups.append(current)
    return [
        (min(c[TOP] for c in g), "".join(LIGATURES.get(c[TEXT], c[TEXT] or "") for c in g)) for g in groups
    ]


_LINE_ORDER = itemgetter(X0)
_ROTATED_LINE_ORDER = itemgetter(TOP, BOTTOM)


def text(chars: list[Char]) -> str:
    """pdfplumber's `extract_text(chars, keep_blank_chars=True)` (no layout), characters in page order."""
    if not chars:
        return ""
    tops = [c[TOP] for c in chars]
    if max(tops) <= min(tops) + DEFAULT_Y_TOLERANCE and all(c[UPRIGHT] for c in chars):
        # One line (most cells): every top chains to the lowest, so the characters make one
        # cluster, and the words (their tops among these) one line.
        return " ".join(w[1] for w in _words(sorted(chars, key=_LINE_ORDER), True))
    words: list[tuple[float, str]] = []
    for upright, run in groupby(chars, itemgetter(UPRIGHT)):
        run_chars = list(run)
        if upright:
            lines = clusters(run_chars, TOP, DEFAULT_Y_TOLERANCE)
            for line in lines:
                words += _words(sorted(line, key=_LINE_ORDER), True)
        else:
            for line in clusters(run_chars, X0, DEFAULT_X_TOLERANCE):
                words += _words(sorted(line, key=_ROTATED_LINE_ORDER), False)
    return "\n".join(" ".join(w[1] for w in line) for line in clusters(words, 0, DEFAULT_Y_TOLERANCE))
