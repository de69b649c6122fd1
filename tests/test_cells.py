"""extract.lib.cells reads every table cell exactly as pdfplumber's `Table.extract` does."""

from __future__ import annotations

import random

import pdfplumber
import pypdfium2 as pdfium
import pytest
from pdfplumber.table import TableFinder, TableSettings
from pdfplumber.utils.text import extract_text

from extract import pdfium_pages, tables
from extract.lib import cells, stand_in_font
from extract.lib.text import unify_ideographs
from extract.settings import DEFAULT_SETTINGS
from tests.truth import FIXTURES

# Damaged by design: no reader opens them.
_UNOPENABLE = {"empty.pdf", "encrypted.pdf", "not_a_pdf.pdf", "truncated.pdf"}
FIXTURE_PDFS = sorted(p for p in FIXTURES.rglob("*.pdf") if p.name not in _UNOPENABLE)


def _midpoint_in(box, c: cells.Char) -> bool:
    """pdfplumber's test of a character in a cell (`Table.extract`'s char_in_bbox)."""
    x0, top, x1, bottom = box
    return x0 <= (c[cells.X0] + c[cells.X1]) / 2 < x1 and top <= (c[cells.TOP] + c[cells.BOTTOM]) / 2 < bottom


def _outside_cells(table, chars: list[cells.Char]) -> int:
    """By definition: printed characters in the table's box, in none of its cells."""
    return sum(
        1
        for c in chars
        if c[cells.TEXT].strip()
        and _midpoint_in(table.bbox, c)
        and not any(_midpoint_in(cell, c) for cell in table.cells)
    )


class _DictPage:
    """A page object with pdfplumber-style character dicts (as pdfplumber's or an OCR reader's),
    their text unified as `tables.page_chars` unifies it: what pdfplumber's own Table.extract reads."""

    def __init__(self, page) -> None:
        self.page_number, self.bbox, self.edges = page.page_number, page.bbox, page.edges
        self.chars = [dict(c, text=unify_ideographs(c["text"])) for c in page.chars]


def _differences(page) -> tuple[int, list]:
    """Tables on the page, and every cell (or lost-character count) read differently from pdfplumber."""
    chars = tables.page_chars(page)
    page = _DictPage(page)
    assert tables.page_chars(page) == chars  # the same characters, from tuples or from dicts
    closing = tables.closing_rules(page, DEFAULT_SETTINGS.snap_tolerance)
    found = TableFinder(page, TableSettings.resolve(DEFAULT_SETTINGS.table_settings(closing))).tables
    diffs: list = []
    for table in found:
        expected = table.extract(keep_blank_chars=True)
        actual, outside = cells.table_texts(table.cells, (r.cells for r in table.rows), chars)
        diffs += [
            (page.page_number, want, got)
            for want_row, got_row in zip(expected, actual, strict=True)
            for want, got in zip(want_row, got_row, strict=True)
            if want != got
        ]
        if outside != _outside_cells(table, chars):
            diffs.append((page.page_number, "outside", outside))
    return len(found), diffs


def test_corpus_is_every_committed_pdf_that_opens():
    assert len(FIXTURE_PDFS) >= 45


def on_pdfium_pages(path, read):
    """`read(page)` of each of the PDF's pages, as extract.pdfium_pages reads them."""
    stand_in_font.install()
    pdf = pdfium.PdfDocument(path)
    try:
        return [read(pdfium_pages.read_page(pdf, i)) for i in range(len(pdf))]
    finally:
        pdf.close()


@pytest.mark.parametrize("path", FIXTURE_PDFS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_cells_read_as_pdfplumber_reads_them_from_pdfium_pages(path):
    results = on_pdfium_pages(path, _differences)
    assert [d for _, diffs in results for d in diffs] == []


@pytest.mark.slow
@pytest.mark.parametrize("path", FIXTURE_PDFS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_cells_read_as_pdfplumber_reads_them_from_pdfminer_pages(path):
    with pdfplumber.open(path) as pdf:
        results = [_differences(page) for page in pdf.pages]
    assert [d for _, diffs in results for d in diffs] == []


def test_the_corpus_has_tables_to_compare():
    results = on_pdfium_pages(FIXTURES / "pdfs" / "seed_suzhou_police_2022.pdf", _differences)
    assert sum(count for count, _ in results) >= 10


def _random_chars(rng: random.Random) -> list[dict]:
    """Characters on a few close lines, some rotated, blank, empty or ligatures, in shuffled runs."""
    out = []
    for _ in range(rng.randint(1, 40)):
        x0 = rng.choice([rng.uniform(0, 60), round(rng.uniform(0, 60))])
        top = rng.choice([0, 2.5, 3, 5, 6.1, 9])
        width = rng.choice([0, 2, 5, 9])
        out.append(
            {
                "text": rng.choice(["目", "a", " ", "", "ﬁ", "1", "\u3000"]),
                "x0": x0,
                "x1": x0 + width,
                "top": top + rng.choice([0, 0.4, 3.0]),
                "bottom": top + 9,
                "upright": rng.random() > 0.15,
                "doctop": top,
            }
        )
    return out


@pytest.mark.parametrize("seed", range(400))
def test_text_is_pdfplumbers_extract_text(seed):
    """Word breaks, line clustering (of characters, then of words), rotated runs, empty characters
    and ligatures: the same string as pdfplumber's extract_text with blank characters kept."""
    chars = _random_chars(random.Random(seed))
    assert cells.text([cells.as_char(c) for c in chars]) == extract_text(chars, keep_blank_chars=True)


def test_a_character_is_in_the_cell_its_midpoint_is_in():
    """Left and top edges belong to the cell, right and bottom edges to the next one."""
    left, right = (0.0, 0.0, 10.0, 10.0), (10.0, 0.0, 20.0, 10.0)
    on_edge = ("x", 8.0, 2.0, 12.0, 6.0, True)  # midpoint x = 10
    texts, outside = cells.table_texts([left, right], [[left, right]], [on_edge])
    assert (texts, outside) == ([["", "x"]], 0)


def test_printed_character_in_the_box_but_in_no_cell_is_counted():
    """An L-shaped table: its box has a corner no cell covers."""
    a, b, c = (0.0, 0.0, 10.0, 10.0), (10.0, 0.0, 20.0, 10.0), (0.0, 10.0, 10.0, 20.0)
    lost, blank = ("x", 14.0, 14.0, 16.0, 16.0, True), (" ", 14.0, 14.0, 16.0, 16.0, True)
    assert cells.table_texts([a, b, c], [[a, b], [c, None]], [lost, blank])[1] == 1
