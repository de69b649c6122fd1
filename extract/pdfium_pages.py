"""Page objects read with pypdfium2 instead of pdfminer, for pdfplumber's table finder (opt-in).

pdfminer's content-stream interpreter is ~90% of pdfplumber's cost per page. PDFium (C++) reads the
same characters and rules several times faster; this module turns them into the dicts pdfplumber's
TableFinder and Table.extract use, so the table logic (and its accuracy) stays pdfplumber's.
Characters use PDFium's loose boxes (font ascent/descent, like pdfminer's), not tight glyph boxes,
so punctuation sits on the same text line as the characters around it.
"""

from __future__ import annotations

import ctypes
from dataclasses import dataclass, field

import pypdfium2 as pdfium
import pypdfium2.raw as raw

_SKIP = {0, 0xFFFE, 0xFFFF, 0x0A, 0x0D}


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
        _edges(page, height, out.edges)
        return out
    finally:
        page.close()


def _chars(page: pdfium.PdfPage, height: float, out: list[dict]) -> None:
    text = page.get_textpage()
    try:
        handle = text.raw
        for k in range(text.count_chars()):
            code = raw.FPDFText_GetUnicode(handle, k)
            # Known gap: PDFium flags some real space glyphs as generated (LibreOffice's "=76 人") and
            # generates spaces at some wraps, so spaces differ from pdfminer's; see ExtractSettings.backend.
            if code in _SKIP or raw.FPDFText_IsGenerated(handle, k):
                continue
            left, bottom, right, top = text.get_charbox(k, loose=True)
            out.append(
                {
                    "object_type": "char",
                    "text": chr(code),
                    "x0": left,
                    "x1": right,
                    "top": height - top,
                    "bottom": height - bottom,
                    "doctop": height - top,
                    "width": right - left,
                    "height": top - bottom,
                    "upright": True,
                }
            )
    finally:
        text.close()


def _edge_h(x0: float, x1: float, y: float) -> dict:
    lo, hi = min(x0, x1), max(x0, x1)
    return {
        "object_type": "line",
        "orientation": "h",
        "x0": lo,
        "x1": hi,
        "top": y,
        "bottom": y,
        "width": hi - lo,
        "height": 0.0,
    }


def _edge_v(x: float, y0: float, y1: float) -> dict:
    top, bottom = min(y0, y1), max(y0, y1)
    return {
        "object_type": "line",
        "orientation": "v",
        "x0": x,
        "x1": x,
        "top": top,
        "bottom": bottom,
        "width": 0.0,
        "height": bottom - top,
    }


def _edges(page: pdfium.PdfPage, height: float, out: list[dict]) -> None:
    """Every straight axis-parallel segment of every path: table rules, whether stroked or thin rects."""
    px, py = ctypes.c_float(), ctypes.c_float()
    for obj in page.get_objects(filter=[raw.FPDF_PAGEOBJ_PATH]):
        a, b, c, d, e, f = obj.get_matrix().get()
        start = prev = None
        for s in range(raw.FPDFPath_CountSegments(obj.raw)):
            seg = raw.FPDFPath_GetPathSegment(obj.raw, s)
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
                        out.append(_edge_h(x0, x1, y0))
                    elif abs(x0 - x1) < 0.5 and abs(y0 - y1) >= 0.5:
                        out.append(_edge_v(x0, y0, y1))
                prev = target
