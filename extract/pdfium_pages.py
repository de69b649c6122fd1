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

from .lib.cells import Char
from .lib.geometry import rule

_SKIP = {0, 0xFFFE, 0xFFFF, 0x0A, 0x0D}
_SPACE = 0x20
_IDENTITY = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
_MAX_FORM_DEPTH = 15
_WALKED = (raw.FPDF_PAGEOBJ_TEXT, raw.FPDF_PAGEOBJ_PATH, raw.FPDF_PAGEOBJ_FORM)
_MOVETO, _LINETO = raw.FPDF_SEGMENT_MOVETO, raw.FPDF_SEGMENT_LINETO


@dataclass
class PdfiumPage:
    """The part of pdfplumber's Page that TableFinder and our tables read: characters as
    `extract.lib.cells.Char` tuples (`char_tuples`; `chars` gives them as pdfplumber's dicts), rules
    as pdfplumber's edge dicts."""

    page_number: int
    width: float
    height: float
    char_tuples: list[Char] = field(default_factory=list)
    edges: list[dict] = field(default_factory=list)

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        return (0.0, 0.0, self.width, self.height)

    @property
    def chars(self) -> list[dict]:
        return [_char(*c[:5]) for c in self.char_tuples]


def read_page(pdf: pdfium.PdfDocument, index: int) -> PdfiumPage:
    page = pdf[index]
    try:
        width, height = page.get_size()
        out = PdfiumPage(index + 1, width, height)
        text = page.get_textpage()
        try:
            reader = _PageReader(_handle(text.raw), height, out)
            reader.text_page_chars(text.count_chars())
            reader.walk(_handle(page.raw), _count_page_objects, _page_object, _IDENTITY, 0)
        finally:
            text.close()
        return out
    finally:
        page.close()


def _char(text: str, x0: float, top: float, x1: float, bottom: float) -> dict:
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


# PDFium's functions as the reader calls them, once per character or object (73,000 characters
# and 35,000 text objects on the fixture corpus's 87 pages): handles as plain addresses, so that no
# call makes or unwraps a ctypes pointer object. The same C functions; pypdfium2's own prototypes
# wrap every handle in one.
def _plain(function, restype, *argtypes):
    return ctypes.cast(function, ctypes.CFUNCTYPE(restype, *argtypes))


def _unconverted(function, restype):
    """The function called with no conversion of its arguments: the loop over a page's characters
    passes ctypes objects made once a page (the text page's handle, `byref` of its outputs) and
    character indexes (C ints), ≈ 100-160 ns a call faster than through `argtypes`."""
    return ctypes.cast(function, ctypes.CFUNCTYPE(restype))


_VP, _INT = ctypes.c_void_p, ctypes.c_int
_unicode = _unconverted(raw.FPDFText_GetUnicode, ctypes.c_uint)
_is_generated = _unconverted(raw.FPDFText_IsGenerated, _INT)
_text_object = _unconverted(raw.FPDFText_GetTextObject, _VP)
_char_origin = _unconverted(raw.FPDFText_GetCharOrigin, _INT)
_char_matrix = _unconverted(raw.FPDFText_GetMatrix, _INT)
_font_size = _plain(raw.FPDFTextObj_GetFontSize, _INT, _VP, _VP)
_font = _plain(raw.FPDFTextObj_GetFont, _VP, _VP)
_glyph_width = _plain(raw.FPDFFont_GetGlyphWidth, _INT, _VP, ctypes.c_uint, ctypes.c_float, _VP)
_count_page_objects = _plain(raw.FPDFPage_CountObjects, _INT, _VP)
_page_object = _plain(raw.FPDFPage_GetObject, _VP, _VP, _INT)
_count_form_objects = _plain(raw.FPDFFormObj_CountObjects, _INT, _VP)
_form_object = _plain(raw.FPDFFormObj_GetObject, _VP, _VP, ctypes.c_ulong)
_object_type = _plain(raw.FPDFPageObj_GetType, _INT, _VP)
_object_matrix = _plain(raw.FPDFPageObj_GetMatrix, _INT, _VP, _VP)
_count_segments = _plain(raw.FPDFPath_CountSegments, _INT, _VP)
_segment = _plain(raw.FPDFPath_GetPathSegment, _VP, _VP, _INT)
_segment_point = _plain(raw.FPDFPathSegment_GetPoint, _INT, _VP, _VP, _VP)
_segment_type = _plain(raw.FPDFPathSegment_GetType, _INT, _VP)
_segment_closes = _plain(raw.FPDFPathSegment_GetClose, _INT, _VP)


def _handle(pointer) -> int:
    """A pypdfium2 handle's address."""
    return ctypes.cast(pointer, ctypes.c_void_p).value or 0


@dataclass(slots=True)
class _FontUse:
    """A text object's font at its size on the page: advances from the PDF's widths."""

    font: int
    size_x: float  # the nominal size scaled by the object's matrix, horizontally and vertically
    size_y: float
    widths: dict[str, float]  # per character at a font size of 1: one dict per font, shared

    def width(self, ch: str) -> float:
        """The character's advance at a font size of 1."""
        width = self.widths.get(ch)
        if width is None:
            value = ctypes.c_float()
            # The PDF's /W or /Widths entry, or the standard metrics of a non-embedded standard
            # font: never a stand-in font's.
            ok = _glyph_width(self.font, ord(ch), 1.0, ctypes.addressof(value))
            width = self.widths[ch] = value.value if ok else 0.0
        return width

    def advance(self, ch: str) -> float:
        return self.width(ch) * self.size_x

    def char(self, ch: str, x: float, y: float, height: float) -> Char:
        """The box of a glyph whose origin is (x, y) in PDF space: the advance by the line box."""
        baseline = height - y
        return (
            ch,
            x,
            baseline - _ABOVE_BASELINE * self.size_y,
            x + self.advance(ch),
            baseline + _BELOW_BASELINE * self.size_y,
            True,
        )


class _PageReader:
    """Characters and rules of one page, into a PdfiumPage."""

    def __init__(self, textpage: int, height: float, out: PdfiumPage) -> None:
        self.textpage = textpage
        self.height = height
        self.out = out
        self.held: set[int] = set()  # the text objects the text page holds
        self.widths: dict[int, dict[str, float]] = {}  # per font
        self.uses: dict[tuple, _FontUse] = {}  # per font, size and matrix
        self.matrix = raw.FS_MATRIX()
        self.value = ctypes.c_float()

    def font_use(self, obj: int, a: float, b: float, c: float, d: float) -> _FontUse:
        self.value.value = 0.0  # as read when PDFium cannot tell
        _font_size(obj, ctypes.addressof(self.value))
        nominal, font = self.value.value, _font(obj) or 0
        key = (font, nominal, a, b, c, d)
        use = self.uses.get(key)
        if use is None:
            size_x, size_y = nominal * math.hypot(a, b), nominal * math.hypot(c, d)
            use = self.uses[key] = _FontUse(font, size_x, size_y, self.widths.setdefault(font, {}))
        return use

    def text_page_chars(self, count: int) -> None:
        """The glyphs PDFium's text page holds, minus the spaces and line breaks it invents (PDFium
        invents nothing but spaces, carriage returns and line feeds: cpdf_textpage.cpp).

        `_FontUse.char`, inlined: this loop runs once per character of every page."""
        handle, height, held = ctypes.c_void_p(self.textpage), self.height, self.held
        append = self.out.char_tuples.append
        x, y, matrix = ctypes.c_double(), ctypes.c_double(), self.matrix
        px, py, pm = ctypes.byref(x), ctypes.byref(y), ctypes.byref(matrix)
        current, use, widths = None, None, {}
        size_x = above = below = 0.0
        for k in range(count):
            code = _unicode(handle, k)
            if code in _SKIP or (code == _SPACE and _is_generated(handle, k)):
                continue
            key = _text_object(handle, k)
            if key != current:  # a text object's characters come one after another
                current = key
                held.add(key)
                _char_matrix(handle, k, pm)
                use = self.font_use(key, matrix.a, matrix.b, matrix.c, matrix.d)
                widths, size_x = use.widths, use.size_x
                above, below = _ABOVE_BASELINE * use.size_y, _BELOW_BASELINE * use.size_y
            _char_origin(handle, k, px, py)
            ch = chr(code)
            width = widths.get(ch)
            if width is None:
                assert use is not None  # the first character's text object set it
                width = use.width(ch)
            x0, baseline = x.value, height - y.value
            append((ch, x0, baseline - above, x0 + width * size_x, baseline + below, True))

    def walk(self, parent: int, count, get, outer, depth: int) -> None:
        """Objects of a page or form XObject; `outer` maps the parent's space to the page's."""
        matrix = raw.FS_MATRIX()
        pm = ctypes.addressof(matrix)
        held = self.held
        for i in range(count(parent)):
            obj = get(parent, i)
            if not obj or obj in held:  # a text object the text page holds: read already
                continue
            kind = _object_type(obj)
            if kind not in _WALKED:
                continue
            if not _object_matrix(obj, pm):
                continue
            m = _concat((matrix.a, matrix.b, matrix.c, matrix.d, matrix.e, matrix.f), outer)
            if kind == raw.FPDF_PAGEOBJ_TEXT:
                self.left_out_text(obj, m)
            elif kind == raw.FPDF_PAGEOBJ_PATH:
                _edges(obj, m, self.height, self.out.edges)
            elif depth < _MAX_FORM_DEPTH:
                self.walk(obj, _count_form_objects, _form_object, m, depth + 1)

    def left_out_text(self, obj: int, matrix) -> None:
        """A text object the text page does not hold draws nothing: a space, at its origin.

        LibreOffice prints a space between CJK text and digits as an object of its own ('用车 1 辆');
        pdfminer reads it as a space glyph. PDFium cannot tell such an object's text (it reads text
        through the text page), but measured on the corpus every one is exactly one space. With the
        stand-in font (`lib.stand_in_font`) no object that prints a character is left out.
        """
        use = self.font_use(obj, *matrix[:4])
        self.out.char_tuples.append(use.char(" ", matrix[4], matrix[5], self.height))


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


def _edges(obj: int, matrix, height: float, out: list[dict]) -> None:
    """Every straight axis-parallel segment of a path: table rules, whether stroked or thin rects."""
    px, py = ctypes.c_float(), ctypes.c_float()
    ax, ay = ctypes.addressof(px), ctypes.addressof(py)
    a, b, c, d, e, f = matrix
    start = prev = None
    for s in range(_count_segments(obj)):
        seg = _segment(obj, s)
        _segment_point(seg, ax, ay)
        x, y = px.value, py.value
        point = (a * x + c * y + e, height - (b * x + d * y + f))
        kind = _segment_type(seg)
        if kind == _MOVETO or prev is None:
            start = prev = point
            continue
        if kind == _LINETO:
            _rule(prev, point, out)
        prev = point
        if start is not None and _segment_closes(seg):  # a line back to the subpath's start
            _rule(prev, start, out)
            prev = start


def _rule(p0: tuple[float, float], p1: tuple[float, float], out: list[dict]) -> None:
    """The segment as a rule (`lib.geometry.rule`), if it is horizontal or vertical: tested here,
    once per segment of every path (a browser draws each rule as a thin rectangle)."""
    (x0, y0), (x1, y1) = p0, p1
    if abs(y0 - y1) < 0.5 and abs(x0 - x1) >= 0.5:
        out.append(rule(x0, y0, x1, y0))
    elif abs(x0 - x1) < 0.5 and abs(y0 - y1) >= 0.5:
        out.append(rule(x0, y0, x0, y1))
