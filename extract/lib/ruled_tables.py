"""The cells of a page's ruled tables, exactly as pdfplumber's `TableFinder` finds them with the
'lines' strategy on both axes, on tuples and indexes instead of dicts and pairwise scans.

Why by hand: TableFinder was half of `tables.read_page`'s CPU on the fixture corpus after cell
texts (extract.lib.cells): it copies an edge dict for every snap and join (`move_object`,
`resize_object`), tests every vertical rule against every horizontal one, and for every
intersection scans all later intersections and rebuilds sets of edge boxes for every pair it
compares. Here the same steps run on (x0, top, x1, bottom, length) tuples: intersections found by
bisecting the horizontal rules' heights, cells by walking each intersection's column and row.
tests/test_ruled_tables.py compares every table of every committed fixture PDF, and randomly made
grids, with pdfplumber's own TableFinder.

The steps, from pdfplumber (table.py, utils/geometry.py, utils/clustering.py), in its order and
with its floating-point expressions:
1. vertical rules at least `edge_min_length_prefilter` long, horizontal ones too, plus the explicit
   horizontal lines (not filtered);
2. snap: rules whose x0 (vertical) or top (horizontal) chain within the snap tolerance move by
   (cluster mean - own position); join: rules on one line that touch within the join tolerance
   are extended to the farthest end; rules shorter than `edge_min_length` are dropped;
3. an intersection where a vertical rule's x0 is within the tolerance of a horizontal rule's span
   and that rule's top within the tolerance of the vertical's span: the point (x0, top);
4. from each intersection (in x, then y order) the smallest cell: the first point below it joined
   to it by a common vertical rule, the first to its right joined by a common horizontal one,
   whose corner opposite is an intersection joined to both;
5. cells grouped into tables by shared corners, in pdfplumber's order; tables of one cell dropped.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from operator import itemgetter

from pdfplumber import utils
from pdfplumber.table import TableSettings

from .cells import clusters

BBox = tuple[float, float, float, float]
# A rule: x0, top, x1, bottom, and its length as pdfplumber keeps it (the edge's "width" for a
# horizontal rule, "height" for a vertical one; the key its min-length filters read).
Rule = tuple[float, float, float, float, float]
_X0, _TOP, _X1, _BOTTOM, _LENGTH = range(5)
_SLACK = 1e-6  # candidate ranges are bisected this much wider; the exact test then decides


def find_tables(edges: Iterable[dict], settings: TableSettings) -> list[list[BBox]]:
    """The cells of each table `TableFinder(page, settings).tables` finds, in its order, from the
    page's edges (pdfplumber-style dicts): 'lines' strategies, explicit horizontal lines only."""
    if (settings.vertical_strategy, settings.horizontal_strategy) != ("lines", "lines"):
        raise ValueError("only the 'lines' strategy on both axes")
    if settings.explicit_vertical_lines:
        raise ValueError("no explicit vertical lines")
    edges = list(edges)
    prefilter = settings.edge_min_length_prefilter
    vertical = [
        (e["x0"], e["top"], e["x1"], e["bottom"], e["height"])
        for e in edges
        if e["orientation"] == "v" and e["height"] >= prefilter
    ]
    horizontal = [
        (e["x0"], e["top"], e["x1"], e["bottom"], e["width"])
        for e in edges
        if e["orientation"] == "h" and e["width"] >= prefilter
    ]
    for line in settings.explicit_horizontal_lines or []:
        if not isinstance(line, dict):
            raise ValueError("explicit horizontal lines as objects only")
        horizontal += [
            (e["x0"], e["top"], e["x1"], e["bottom"], e["width"])
            for e in utils.obj_to_edges(line)
            if e["orientation"] == "h"
        ]
    if settings.snap_x_tolerance > 0 or settings.snap_y_tolerance > 0:
        vertical = _snapped(vertical, _X0, settings.snap_x_tolerance)
        horizontal = _snapped(horizontal, _TOP, settings.snap_y_tolerance)
    minimum = settings.edge_min_length
    vertical = _joined(vertical, _X0, _TOP, _BOTTOM, settings.join_y_tolerance)
    horizontal = _joined(horizontal, _TOP, _X0, _X1, settings.join_x_tolerance)
    vertical = [e for e in vertical if e[_LENGTH] >= minimum]
    horizontal = [e for e in horizontal if e[_LENGTH] >= minimum]
    points = _intersections(
        vertical, horizontal, settings.intersection_x_tolerance, settings.intersection_y_tolerance
    )
    return _tables(_cells(points))


def _snapped(rules: list[Rule], key: int, tolerance: float) -> list[Rule]:
    """pdfplumber's `snap_objects`: each moved by its cluster's mean minus its own position."""
    out: list[Rule] = []
    for cluster in clusters(rules, key, tolerance):
        mean = sum(r[key] for r in cluster) / len(cluster)
        for x0, top, x1, bottom, length in cluster:
            if key == _X0:  # a vertical rule moves sideways
                move = mean - x0
                out.append((x0 + move, top, x1 + move, bottom, length))
            else:
                move = mean - top
                out.append((x0, top + move, x1, bottom + move, length))
    return out


def _joined(rules: list[Rule], line: int, start: int, end: int, tolerance: float) -> list[Rule]:
    """pdfplumber's `merge_edges` after snapping: per line (rules of one top, or one x0), rules
    sorted by start, each extended over the next while they touch within `tolerance`."""
    out: list[Rule] = []
    for _, group in _grouped(sorted(rules, key=itemgetter(line)), line):
        group.sort(key=itemgetter(start))
        joined = [group[0]]
        for r in group[1:]:
            last = joined[-1]
            if r[start] <= last[end] + tolerance:
                if r[end] > last[end]:
                    joined[-1] = _extended(last, end, r[end])
            else:
                joined.append(r)
        out += joined
    return out


def _grouped(rules: list[Rule], key: int) -> list[tuple[float, list[Rule]]]:
    groups: list[tuple[float, list[Rule]]] = []
    for r in rules:
        if groups and groups[-1][0] == r[key]:
            groups[-1][1].append(r)
        else:
            groups.append((r[key], [r]))
    return groups


def _extended(rule: Rule, end: int, value: float) -> Rule:
    """pdfplumber's `resize_object` of x1 (width = new x1 - x0) or bottom (height += the change)."""
    x0, top, x1, bottom, length = rule
    if end == _X1:
        return (x0, top, value, bottom, value - x0)
    return (x0, top, x1, value, length + (value - bottom))


class _Point:
    """An intersection: the boxes of the vertical and horizontal rules meeting there."""

    __slots__ = ("horizontal", "vertical")

    def __init__(self) -> None:
        self.vertical: set[BBox] = set()
        self.horizontal: set[BBox] = set()


def _intersections(
    vertical: list[Rule], horizontal: list[Rule], x_tolerance: float, y_tolerance: float
) -> dict[tuple[float, float], _Point]:
    """pdfplumber's `edges_to_intersections`: each vertical rule against the horizontal rules
    whose top it may reach (bisected), by the same test."""
    horizontal = sorted(horizontal, key=itemgetter(_TOP))
    tops = [h[_TOP] for h in horizontal]
    points: dict[tuple[float, float], _Point] = {}
    for v in vertical:
        v_x0, v_top, _, v_bottom, _ = v
        low = bisect.bisect_left(tops, v_top - y_tolerance - _SLACK)
        high = bisect.bisect_right(tops, v_bottom + y_tolerance + _SLACK)
        for h in horizontal[low:high]:
            h_x0, h_top, h_x1, _, _ = h
            if (
                (v_top <= (h_top + y_tolerance))
                and (v_bottom >= (h_top - y_tolerance))
                and (v_x0 >= (h_x0 - x_tolerance))
                and (v_x0 <= (h_x1 + x_tolerance))
            ):
                point = points.get((v_x0, h_top))
                if point is None:
                    point = points[(v_x0, h_top)] = _Point()
                point.vertical.add(v[:4])
                point.horizontal.add(h[:4])
    return points


def _cells(points: dict[tuple[float, float], _Point]) -> list[BBox]:
    """pdfplumber's `intersections_to_cells`, walking each point's column and row only."""
    ordered = sorted(points)
    columns: dict[float, list[tuple[float, float]]] = {}
    rows: dict[float, list[tuple[float, float]]] = {}
    for p in ordered:  # in (x, y) order: a column's points top down, a row's left to right
        columns.setdefault(p[0], []).append(p)
        rows.setdefault(p[1], []).append(p)
    in_column = {p: i for column in columns.values() for i, p in enumerate(column)}
    in_row = {p: j for row in rows.values() for j, p in enumerate(row)}
    cells: list[BBox] = []
    for pt in ordered:
        here = points[pt]
        right = [
            (r, points[r])
            for r in rows[pt[1]][in_row[pt] + 1 :]
            if not here.horizontal.isdisjoint(points[r].horizontal)
        ]
        if not right:
            continue
        for below in columns[pt[0]][in_column[pt] + 1 :]:
            down = points[below]
            if here.vertical.isdisjoint(down.vertical):
                continue
            found = None
            for r, across in right:
                corner = points.get((r[0], below[1]))
                if (
                    corner is not None
                    and not corner.vertical.isdisjoint(across.vertical)
                    and not corner.horizontal.isdisjoint(down.horizontal)
                ):
                    found = (pt[0], pt[1], r[0], below[1])
                    break
            if found is not None:
                cells.append(found)
                break
    return cells


def _tables(cells: Sequence[BBox]) -> list[list[BBox]]:
    """pdfplumber's `cells_to_tables`: cells joined to a table by a shared corner, pass after pass
    over the cells left, in its order; the tables top to bottom, then left to right; one-cell
    tables dropped."""
    remaining = list(cells)
    tables: list[list[BBox]] = []
    while remaining:
        corners: set[tuple[float, float]] = set()
        table: list[BBox] = []
        while True:
            left: list[BBox] = []
            for cell in remaining:
                x0, top, x1, bottom = cell
                mine = ((x0, top), (x0, bottom), (x1, top), (x1, bottom))
                if not table or any(c in corners for c in mine):
                    corners.update(mine)
                    table.append(cell)
                else:
                    left.append(cell)
            grew = len(left) < len(remaining)
            remaining = left
            if not grew or not remaining:
                break
        tables.append(table)
    tables.sort(key=lambda t: min((c[1], c[0]) for c in t))
    return [t for t in tables if len(t) > 1]
