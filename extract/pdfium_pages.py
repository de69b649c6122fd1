"""Page objects read with pypdfium2 instead of pdfminer, for pdfplumber's table finder (the default).

pdfminer's content-stream interpreter is ~90% of pdfplumber's cost per page. PDFium (C++) reads the
same characters and rules several times faster; this module turns them into the dicts pdfplumber's
TableFinder and Table.extract use, so the table logic (and its accuracy) stays pdfplumber's.
Characters use PDFium's loose boxes (font ascent/descent, like pdfminer's), not tight glyph boxes,
so punctuation sits on the same text line as the characters around it. Spaces are the PDF's own:
PDFium's guessed word breaks are dropped and the blank text objects it skips are put back, so cell
text is character for character what pdfminer reads.
"""

from __future__ import annotations

import ctypes
from dataclasses import dataclass, field

import pypdfium2 as pdfium
import pypdfium2.raw as raw

from .lib.geometry import rule

_SKIP = {0, 0xFFFE, 0xFFFF, 0x0A, 0x0D}
# Text objects narrower than this draw nothing (PDFium leaves them out of its text page).
_BLANK_WIDTH = 0.01
# Width given to such a space: about a space's advance in CJK and Latin fonts; only its position matters.
_SPACE_EM = 0.25


@dataclass
class PdfiumPage:
    """The part of pdfplumber's Page that TableFinder, Table.extract and our text lines use."""

    page_number: int
    width: float
    height: float
    chars: list[dict] = field(default_factory=list)
    edges: list[dict] = field(default_factory=list)

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        return (0.0, 0.0, self.width, self.height)


def read_page(pdf: pdfium.PdfDocument, index: int) -> PdfiumPage:
    page = pdf[index]
    try:
        width, height = page.get_size()
        out = PdfiumPage(index + 1, width, height)
        _chars(page, height, out.chars)
        _objects(page, height, out.chars, out.edges)
        return out
    finally:
        page.close()


def _chars(page: pdfium.PdfPage, height: float, out: list[dict]) -> None:
    """The glyphs PDFium's text page holds, minus the characters it invents.

    PDFium generates spaces (and line breaks) where it guesses words end; those are dropped, so a
    space here is always a glyph the PDF prints. Spaces PDFium leaves out are added by `_objects`.
    """
    text = page.get_textpage()
    try:
        handle = text.raw
        for k in range(text.count_chars()):
            code = raw.FPDFText_GetUnicode(handle, k)
            if code in _SKIP or raw.FPDFText_IsGenerated(handle, k):
                continue
            left, bottom, right, top = text.get_charbox(k, loose=True)
            out.append(_char(chr(code), left, right, height - top, height - bottom))
    finally:
        text.close()


def _char(text: str, x0: float, x1: float, top: float, bottom: float) -> dict:
    return {
        "object_type": "char",
        "text": text,
        "x0": x0,
        "x1": x1,
        "top": top,
        "bottom": bottom,
        "doctop": top,
        "width": x1 - x0,
        "height": bottom - top,
        "upright": True,
    }


def _objects(page: pdfium.PdfPage, height: float, chars: list[dict], edges: list[dict]) -> None:
    """Blank text objects (as spaces) and table rules, in one pass over the page's objects."""
    _walk(page.raw, raw.FPDFPage_CountObjects, raw.FPDFPage_GetObject, _IDENTITY, height, chars, edges, 0)


_IDENTITY = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
_MAX_FORM_DEPTH = 15


def _walk(parent, count, get, outer, height: float, chars: list[dict], edges: list[dict], depth: int) -> None:
    """Objects of a page or form XObject; `outer` maps the parent's space to the page's."""
    matrix = raw.FS_MATRIX()
    for i in range(count(parent)):
        obj = get(parent, i)
        kind = raw.FPDFPageObj_GetType(obj)
        if kind not in (raw.FPDF_PAGEOBJ_TEXT, raw.FPDF_PAGEOBJ_PATH, raw.FPDF_PAGEOBJ_FORM):
            continue
        if not raw.FPDFPageObj_GetMatrix(obj, matrix):
            continue
        m = _concat((matrix.a, matrix.b, matrix.c, matrix.d, matrix.e, matrix.f), outer)
        if kind == raw.FPDF_PAGEOBJ_TEXT:
            _blank_text(obj, m, height, chars)
        elif kind == raw.FPDF_PAGEOBJ_PATH:
            _edges(obj, m, height, edges)
        elif depth < _MAX_FORM_DEPTH:
            form = (raw.FPDFFormObj_CountObjects, raw.FPDFFormObj_GetObject)
            _walk(obj, *form, m, height, chars, edges, depth + 1)


def _concat(first, then):
    """The PDF matrix that applies `first`, then `then`."""
    a1, b1, c1, d1, e1, f1 = first
    a2, b2, c2, d2, e2, f2 = then
    return (
        a1 * a2 + b1 * c2,
        a1 * b2 + b1 * d2,
        c1 * a2 + d1 * c2,
        c1 * b2 + d1 * d2,
        e1 * a2 + f1 * c2 + e2,
        e1 * b2 + f1 * d2 + f2,
    )


def _blank_text(obj, matrix, height: float, out: list[dict]) -> None:
    """A text object that draws nothing is a space PDFium's text page leaves out.

    PDFium skips text objects of zero width, and LibreOffice prints a space between CJK text and
    digits as such an object of its own ('用车 1 辆'); pdfminer reads it as a space glyph. Measured
    on the corpus: every blank text object is exactly one space pdfminer reports, at its origin.
    """
    left, bottom, right, top = ctypes.c_float(), ctypes.c_float(), ctypes.c_float(), ctypes.c_float()
    if not raw.FPDFPageObj_GetBounds(obj, left, bottom, right, top):
        return
    if right.value - left.value > _BLANK_WIDTH:
        return
    nominal = ctypes.c_float()
    if not raw.FPDFTextObj_GetFontSize(obj, nominal) or not nominal.value:
        return
    a, _, _, d, x, y = matrix
    size = nominal.value * abs(d or a)  # upright text only, like the rest of this module
    font = raw.FPDFTextObj_GetFont(obj)
    ascent, descent = ctypes.c_float(), ctypes.c_float()
    if not (raw.FPDFFont_GetAscent(font, size, ascent) and raw.FPDFFont_GetDescent(font, size, descent)):
        return
    baseline = height - y
    out.append(_char(" ", x, x + _SPACE_EM * size, baseline - ascent.value, baseline - descent.value))


def _edges(obj, matrix, height: float, out: list[dict]) -> None:
    """Every straight axis-parallel segment of a path: table rules, whether stroked or thin rects."""
    px, py = ctypes.c_float(), ctypes.c_float()
    a, b, c, d, e, f = matrix
    start = prev = None
    for s in range(raw.FPDFPath_CountSegments(obj)):
        seg = raw.FPDFPath_GetPathSegment(obj, s)
        raw.FPDFPathSegment_GetPoint(seg, px, py)
        point = (a * px.value + c * py.value + e, height - (b * px.value + d * py.value + f))
        kind = raw.FPDFPathSegment_GetType(seg)
        if kind == raw.FPDF_SEGMENT_MOVETO or prev is None:
            start = prev = point
            continue
        targets = [point]
        if raw.FPDFPathSegment_GetClose(seg) and start is not None:
            targets.append(start)
        for target in targets:
            if kind == raw.FPDF_SEGMENT_LINETO or target is start:
                (x0, y0), (x1, y1) = prev, target
                if abs(y0 - y1) < 0.5 and abs(x0 - x1) >= 0.5:
                    out.append(rule(x0, y0, x1, y0))
                elif abs(x0 - x1) < 0.5 and abs(y0 - y1) >= 0.5:
                    out.append(rule(x0, y0, x0, y1))
            prev = target
