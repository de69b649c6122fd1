"""Records never depend on the machine's fonts: geometry comes from the PDF, and one bundled font
stands in for any font a PDF does not embed."""

from __future__ import annotations

import ctypes
import json

import pdfplumber
import pypdfium2 as pdfium
import pypdfium2.raw as raw
import pytest

from extract import pdfium_pages
from extract.lib import stand_in_font
from tests.lib.machine import can_hide_fonts, selfeval_extract, with_machine_fonts, without_fonts
from tests.truth import PDF_DIR, fixture_names

# Made with reportlab: STSong-Light is not embedded, as in iText-made reports.
NOT_EMBEDDED = PDF_DIR / "nantong_culture_2023.pdf"
EMBEDDED = PDF_DIR / "suzhou_education_2022.pdf"  # LibreOffice: subset fonts embedded


def _pdfium_chars(path, index: int) -> list[dict]:
    stand_in_font.install()
    pdf = pdfium.PdfDocument(path)
    try:
        return pdfium_pages.read_page(pdf, index).chars
    finally:
        pdf.close()


def _span(c: dict) -> tuple:
    return (c["text"], round(c["top"]), c["x0"], c["x1"])


def _same_span(a: tuple, b: tuple) -> bool:
    """The same character from the same origin with the same advance, to float precision."""
    return a[0] == b[0] and abs(a[2] - b[2]) < 0.01 and abs(a[3] - b[3]) < 0.01


@pytest.mark.parametrize("path", [NOT_EMBEDDED, EMBEDDED], ids=["not_embedded", "embedded"])
def test_character_advances_are_the_pdfs_widths(path):
    """Each character's box spans exactly the advance pdfminer computes from the PDF's widths."""
    with pdfplumber.open(path) as pdf:
        for index, page in enumerate(pdf.pages):
            expected = sorted(_span(c) for c in page.chars)
            actual = sorted(_span(c) for c in _pdfium_chars(path, index))
            assert len(actual) == len(expected), f"page {index + 1}"
            off = [(a, e) for a, e in zip(actual, expected, strict=True) if not _same_span(a, e)]
            assert off == [], f"page {index + 1}"


def test_single_character_object_in_a_font_not_embedded_is_read():
    """'值' printed alone on a cell's second line: PDFium's text page drops it when the font it
    substitutes has no such glyph (a server without CJK fonts), unless the stand-in font is used."""
    chars = _pdfium_chars(NOT_EMBEDDED, 3)
    alone = [c for c in chars if c["text"] == "值" and round(c["x0"], 2) == 197.57]
    assert [(round(c["x1"], 2), round(c["bottom"], 2)) for c in alone] == [(206.57, 75.68)]


def test_stand_in_font_is_pdfiums_only_system_font():
    stand_in_font.install()
    pdf = pdfium.PdfDocument(NOT_EMBEDDED)
    try:
        page = pdf[0]
        text = page.get_textpage()
        obj = raw.FPDFText_GetTextObject(text.raw, 0)
        font = raw.FPDFTextObj_GetFont(obj)
        name = ctypes.create_string_buffer(64)
        raw.FPDFFont_GetFamilyName(font, name, 64)
        assert (name.value, raw.FPDFFont_GetIsEmbedded(font)) == (b"SelfevalStandIn", 0)
        text.close()
        page.close()
    finally:
        pdf.close()


@pytest.mark.skipif(not can_hide_fonts(), reason="hiding font directories needs root and unshare")
@pytest.mark.e2e
def test_every_fixture_extracts_the_same_with_system_fonts_hidden():
    pdfs = [PDF_DIR / f"{name}.pdf" for name in fixture_names()]
    with_fonts = selfeval_extract(pdfs, wrapper=with_machine_fonts)
    hidden = selfeval_extract(pdfs, wrapper=without_fonts)
    assert len([json.loads(line) for line in with_fonts.splitlines()]) == len(pdfs)
    assert hidden == with_fonts
