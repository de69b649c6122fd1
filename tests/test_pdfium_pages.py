"""The PDFium reader's assumptions about PDFium, checked on every committed fixture PDF."""

from __future__ import annotations

import pypdfium2 as pdfium
import pypdfium2.raw as raw
import pytest

from extract import pdfium_pages
from extract.lib import stand_in_font
from tests.test_cells import FIXTURE_PDFS


@pytest.mark.parametrize("path", FIXTURE_PDFS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_pdfium_generates_only_spaces_and_line_breaks(path):
    """`text_page_chars` asks PDFium whether a character is generated only of spaces: carriage
    returns and line feeds it drops whatever they are."""
    stand_in_font.install()
    pdf = pdfium.PdfDocument(path)
    try:
        generated = set()
        for index in range(len(pdf)):
            text = pdf[index].get_textpage()
            generated |= {
                raw.FPDFText_GetUnicode(text.raw, k)
                for k in range(text.count_chars())
                if raw.FPDFText_IsGenerated(text.raw, k)
            }
            text.close()
    finally:
        pdf.close()
    assert generated <= {0x20, 0x0D, 0x0A}


def test_page_characters_as_dicts_are_the_tuples():
    stand_in_font.install()
    pdf = pdfium.PdfDocument(FIXTURE_PDFS[0])
    try:
        page = pdfium_pages.read_page(pdf, 0)
    finally:
        pdf.close()
    assert page.char_tuples
    assert [
        (c["text"], c["x0"], c["top"], c["x1"], c["bottom"], c["upright"]) for c in page.chars
    ] == page.char_tuples
