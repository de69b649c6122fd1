"""extract.lib.ruled_tables finds the tables and cells pdfplumber's TableFinder finds."""

from __future__ import annotations

import itertools
import random

import pdfplumber
import pytest
from pdfplumber.table import TableFinder, TableSettings

from extract import tables
from extract.lib import ruled_tables
from extract.lib.geometry import rule
from extract.settings import DEFAULT_SETTINGS
from tests.test_cells import FIXTURE_PDFS, on_pdfium_pages
from tests.truth import FIXTURES


class _Page:
    """What TableFinder reads of a page with the 'lines' strategy."""

    def __init__(self, edges: list[dict], width: float = 600.0, height: float = 800.0) -> None:
        self.edges, self.bbox = edges, (0.0, 0.0, width, height)


def _both(page) -> tuple[list, list]:
    """pdfplumber's tables (their cells, in order) and ours, as the page's tables are read."""
    closing = tables.closing_rules(page, DEFAULT_SETTINGS.snap_tolerance)
    settings = TableSettings.resolve(DEFAULT_SETTINGS.table_settings(closing))
    expected = [t.cells for t in TableFinder(page, settings).tables]
    return expected, ruled_tables.find_tables(page.edges, settings)


@pytest.mark.parametrize("path", FIXTURE_PDFS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_tables_found_as_pdfplumber_finds_them_on_pdfium_pages(path):
    pairs = on_pdfium_pages(path, _both)
    assert [p for p, (want, got) in enumerate(pairs, start=1) if want != got] == []


@pytest.mark.slow
@pytest.mark.parametrize("path", FIXTURE_PDFS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_tables_found_as_pdfplumber_finds_them_on_pdfminer_pages(path):
    with pdfplumber.open(path) as pdf:
        pairs = [_both(page) for page in pdf.pages]
    assert [p for p, (want, got) in enumerate(pairs, start=1) if want != got] == []


def test_fixture_pages_have_many_tables():
    pairs = on_pdfium_pages(FIXTURES / "pdfs" / "seed_suzhou_police_2022.pdf", _both)
    assert sum(len(got) for _, got in pairs) >= 10


def _random_rules(rng: random.Random) -> list[dict]:
    """A grid with jittered, broken, doubled and missing rules, and a second small grid beside it."""
    out = []
    grids = [(50.0, 60.0, rng.randint(1, 6), rng.randint(1, 8)), (400.0, 500.0, 2, 2)]
    for left, top, columns, rows in grids:
        xs = [left + 60 * i + rng.choice([0, 0, 0.4, -1.2, 2.9, 3.5]) for i in range(columns + 1)]
        ys = [top + 20 * j + rng.choice([0, 0, 0.3, -2.0, 3.2]) for j in range(rows + 1)]
        for y in ys:
            if rng.random() < 0.1:
                continue  # a missing rule
            pieces = rng.choice([1, 1, 2, 3])
            cuts = sorted({xs[0], xs[-1], *(rng.uniform(xs[0], xs[-1]) for _ in range(pieces - 1))})
            for a, b in itertools.pairwise(cuts):
                gap = rng.choice([0, 0, 1.5, 4.0])  # touching, joined within tolerance, or broken
                out.append(rule(a, y + rng.choice([0, 0.2]), b - gap, y + rng.choice([0, 0.2])))
        for x in xs:
            if rng.random() < 0.1:
                continue
            out.append(rule(x, ys[0] - rng.choice([0, 2.5, 4]), x, ys[-1] + rng.choice([0, 1, 5])))
            if rng.random() < 0.2:
                out.append(rule(x + 0.5, ys[0], x + 0.5, ys[len(ys) // 2]))  # a doubled border
        if rng.random() < 0.3:
            out.append(rule(xs[0], ys[0], xs[0] + 2, ys[0]))  # too short to count
    rng.shuffle(out)
    return out


@pytest.mark.parametrize("seed", range(200))
def test_tables_of_random_grids_as_pdfplumber_finds_them(seed):
    rng = random.Random(seed)
    page = _Page(_random_rules(rng))
    closing = [rule(30.0, 300.0, 500.0, 300.0)] if rng.random() < 0.3 else []
    settings = TableSettings.resolve(DEFAULT_SETTINGS.table_settings(closing))
    expected = [t.cells for t in TableFinder(page, settings).tables]
    assert ruled_tables.find_tables(page.edges, settings) == expected
