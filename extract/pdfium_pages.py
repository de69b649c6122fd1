"""Page objects read with pypdfium2 instead of pdfminer, for pdfplumber's table finder (the default).

pdfminer's content-stream interpreter is ~90% of pdfplumber's cost per page. PDFium (C++) reads the
same characters and rules several times faster; this module turns them into the dicts pdfplumber's
TableFinder and Table.extract use, so the table logic (and its accuracy) stays pdfplumber's.

Geometry comes from the PDF alone, so every machine reads the same records. A character's box runs
from its origin by the advance the PDF's widths give, over a fixed line box around the baseline;
PDFium's own char boxes take their extents from whatever font stands in for one the PDF does not
embed (STSong-Light in iText/reportlab reports), and its text page leaves out a text object whose
glyphs that font lacks. `lib.stand_in_font` makes the stand-in the same everywhere. Text objects the
text page still leaves out draw nothing (LibreOffice's blank spaces) and are put back as spaces.
Spaces are the PDF's own: PDFium's guessed word breaks are dropped, so cell text is character for
character what pdfminer reads.
"""

from __future__ import annotations

import ctypes
import math
from dataclasses import dataclass, field

import pypdfium2 as pdfium
import pypdfium2.raw as raw

from .lib.geometry import rule

_SKIP = {0, 0xFFFE, 0xFFFF, 0x0A, 0x0D}
_IDENTITY = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
_MAX_FORM_DEPTH = 15


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
        text = page.get_textpage()
        try:
            reader = _PageReader(text.raw, height, out)
            reader.text_page_chars(text.count_chars())
            reader.walk(page.raw, raw.FPDFPage_CountObjects, raw.FPDFPage_GetObject, _IDENTITY, 0)
        finally:
            text.close()
        return out
    finally:
        page.close()


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


# A glyph's line box, as fractions of the font size below and above the baseline: the ideographic em
# box of the standard CJK fonts (Adobe-GB1: -120 to 880). Fixed, not the font's: descriptors often
# say 0 (LibreOffice's subsets) and PDFium's fallback to the font program gives a digits-only subset a
# descent of +0.56 em, so two fonts on one baseline would no longer share a line.
_BELOW_BASELINE = 0.12
_ABOVE_BASELINE = 0.88


@dataclass(slots=True)
class _FontUse:
    """A text object's font at its size on the page: advances from the PDF's widths."""

    font: object
    size_x: float  # the nominal size scaled by the object's matrix, horizontally and vertically
    size_y: float
    widths: dict[str, float]  # per character at a font size of 1: one dict per font, shared

    def advance(self, ch: str) -> float:
        width = self.widths.get(ch)
        if width is None:
            value = ctypes.c_float()
            # The PDF's /W or /Widths entry, or the standard metrics of a non-embedded standard
            # font: never a stand-in font's.
            ok = raw.FPDFFont_GetGlyphWidth(self.font, ord(ch), 1.0, value)
            width = self.widths[ch] = value.value if ok else 0.0
        return width * self.size_x

    def char(self, ch: str, x: float, y: float, height: float) -> dict:
        """The box of a glyph whose origin is (x, y) in PDF space: the advance by the line box."""
        baseline = height - y
        return _char(
            ch,
            x,
            x + self.advance(ch),
            baseline - _ABOVE_BASELINE * self.size_y,
            baseline + _BELOW_BASELINE * self.size_y,
        )


def _address(obj) -> int:
    """Where a (non-null) PDFium handle points: its identity."""
    return ctypes.addressof(obj.contents)


# FPDFText_GetTextObject answering a plain address: compared for every character, so no cast each time.
_text_object_address = ctypes.cast(
    raw.FPDFText_GetTextObject, ctypes.CFUNCTYPE(ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int)
)


class _PageReader:
    """Characters and rules of one page, into a PdfiumPage."""

    def __init__(self, textpage, height: float, out: PdfiumPage) -> None:
        self.textpage = textpage
        self.height = height
        self.out = out
        self.held: set[int] = set()  # the text objects the text page holds
        self.widths: dict[int, dict[str, float]] = {}  # per font

    def font_use(self, obj, matrix) -> _FontUse:
        a, b, c, d = matrix[:4]
        nominal = ctypes.c_float()
        raw.FPDFTextObj_GetFontSize(obj, nominal)
        font = raw.FPDFTextObj_GetFont(obj)
        widths = self.widths.setdefault(_address(font), {})
        return _FontUse(font, nominal.value * math.hypot(a, b), nominal.value * math.hypot(c, d), widths)

    def text_page_chars(self, count: int) -> None:
        """The glyphs PDFium's text page holds, minus the spaces and line breaks it invents."""
        handle, height, chars, held = self.textpage, self.height, self.out.chars, self.held
        x, y, matrix = ctypes.c_double(), ctypes.c_double(), raw.FS_MATRIX()
        current, use = None, None
        for k in range(count):
            code = raw.FPDFText_GetUnicode(handle, k)
            if code in _SKIP or raw.FPDFText_IsGenerated(handle, k):
                continue
            key = _text_object_address(handle, k)
            if key != current:  # a text object's characters come one after another
                current = key
                held.add(key)
                raw.FPDFText_GetMatrix(handle, k, matrix)
                obj = raw.FPDFText_GetTextObject(handle, k)
                use = self.font_use(obj, (matrix.a, matrix.b, matrix.c, matrix.d))
            raw.FPDFText_GetCharOrigin(handle, k, x, y)
            assert use is not None  # the first character's text object set it
            chars.append(use.char(chr(code), x.value, y.value, height))

    def walk(self, parent, count, get, outer, depth: int) -> None:
        """Objects of a page or form XObject; `outer` maps the parent's space to the page's."""
        matrix = raw.FS_MATRIX()
        for i in range(count(parent)):
            obj = get(parent, i)
            kind = raw.FPDFPageObj_GetType(obj)
            if kind not in (raw.FPDF_PAGEOBJ_TEXT, raw.FPDF_PAGEOBJ_PATH, raw.FPDF_PAGEOBJ_FORM):
                continue
            if kind == raw.FPDF_PAGEOBJ_TEXT and _address(obj) in self.held:
                continue
            if not raw.FPDFPageObj_GetMatrix(obj, matrix):
                continue
            m = _concat((matrix.a, matrix.b, matrix.c, matrix.d, matrix.e, matrix.f), outer)
            if kind == raw.FPDF_PAGEOBJ_TEXT:
                self.left_out_text(obj, m)
            elif kind == raw.FPDF_PAGEOBJ_PATH:
                _edges(obj, m, self.height, self.out.edges)
            elif depth < _MAX_FORM_DEPTH:
                self.walk(obj, raw.FPDFFormObj_CountObjects, raw.FPDFFormObj_GetObject, m, depth + 1)

    def left_out_text(self, obj, matrix) -> None:
        """A text object the text page does not hold draws nothing: a space, at its origin.

        LibreOffice prints a space between CJK text and digits as an object of its own ('用车 1 辆');
        pdfminer reads it as a space glyph. PDFium cannot tell such an object's text (it reads text
        through the text page), but measured on the corpus every one is exactly one space. With the
        stand-in font (`lib.stand_in_font`) no object that prints a character is left out.
        """
        use = self.font_use(obj, matrix)
        self.out.chars.append(use.char(" ", matrix[4], matrix[5], self.height))


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
