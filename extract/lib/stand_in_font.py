"""One bundled font stands in, in PDFium, for every font a PDF does not embed: never the machine's.

PDFium draws a font the PDF does not embed (STSong-Light in iText/reportlab reports) with a system
font it picks, and which characters it then keeps depends on that font: its text page leaves out a
text object whose glyphs the pick lacks, as on a server with no CJK fonts. With this stand-in every
code point has a glyph (a box), so the text page holds every text object on every machine; the
geometry itself comes from the PDF's widths (see `extract.pdfium_pages`).

`stand_in.ttf` (652 bytes) is made by `uv run --with fonttools python -m extract.lib.stand_in_font`.
"""

from __future__ import annotations

import ctypes
import sys
from pathlib import Path

import pypdfium2.raw as raw

FONT_PATH = Path(__file__).with_name("stand_in.ttf")
_FACE_NAME = b"SelfevalStandIn"
_DEFAULT_CHARSET = 1
_info: raw.FPDF_SYSFONTINFO | None = None  # PDFium keeps the pointer (and ctypes the callbacks in it)


def install() -> None:
    """Make the stand-in PDFium's only system font, in this process; before any document is read.

    PDFium's font mapper is process-wide and caches the faces it found; installing once, first, keeps
    every substitution on the stand-in. Idempotent.
    """
    global _info
    if _info is not None:
        return
    data = FONT_PATH.read_bytes()
    handle = ctypes.c_void_p(1)  # an opaque, non-null handle: there is one font

    def release(_this):
        return None

    def enum_fonts(_this, _mapper):
        return None

    def map_font(_this, _weight, _italic, _charset, _pitch, _face, _exact):
        return handle.value

    def get_font(_this, _face):
        return handle.value

    def get_font_data(_this, _font, table, buffer, size):
        if table != 0:  # a single table (e.g. 'ttcf', asked to tell collections): none
            return 0
        if buffer and size >= len(data):
            ctypes.memmove(buffer, data, len(data))
        return len(data)

    def get_face_name(_this, _font, buffer, size):
        if buffer and size > len(_FACE_NAME):
            ctypes.memmove(buffer, _FACE_NAME + b"\0", len(_FACE_NAME) + 1)
        return len(_FACE_NAME) + 1

    def get_font_charset(_this, _font):
        return _DEFAULT_CHARSET

    def delete_font(_this, _font):
        return None

    fields = dict(raw.FPDF_SYSFONTINFO._fields_)
    callbacks = {
        "Release": release,
        "EnumFonts": enum_fonts,
        "MapFont": map_font,
        "GetFont": get_font,
        "GetFontData": get_font_data,
        "GetFaceName": get_face_name,
        "GetFontCharset": get_font_charset,
        "DeleteFont": delete_font,
    }
    info = raw.FPDF_SYSFONTINFO(version=1, **{name: fields[name](fn) for name, fn in callbacks.items()})
    raw.FPDF_SetSystemFontInfo(ctypes.byref(info))
    _info = info


def _make(path: Path) -> None:
    """Write the stand-in: one box glyph, 1000 units wide, for every code point (cmap format 13)."""
    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib.tables._c_m_a_p import CmapSubtable

    pen = TTGlyphPen(None)
    for point in ((50, -100), (50, 800), (950, 800), (950, -100)):
        (pen.lineTo if pen.points else pen.moveTo)(point)
    pen.closePath()
    builder = FontBuilder(1000, isTTF=True)
    builder.setupGlyphOrder([".notdef", "box"])
    builder.setupCharacterMap({0x41: "box"})
    builder.setupGlyf({".notdef": TTGlyphPen(None).glyph(), "box": pen.glyph()})
    builder.setupHorizontalMetrics({".notdef": (1000, 0), "box": (1000, 50)})
    builder.setupHorizontalHeader(ascent=880, descent=-120)
    builder.setupNameTable({"familyName": _FACE_NAME.decode(), "styleName": "Regular"})
    builder.setupOS2(sTypoAscender=880, sTypoDescender=-120, usWinAscent=880, usWinDescent=120)
    builder.setupPost()
    many_to_one = CmapSubtable.newSubtable(13)
    many_to_one.platformID, many_to_one.platEncID, many_to_one.language = 3, 10, 0
    many_to_one.cmap = {c: "box" for c in range(0x21, 0x110000) if not 0xD800 <= c <= 0xDFFF}
    builder.font["cmap"].tables = [many_to_one]
    builder.updateHead(created=0, modified=0)  # the same bytes on every run
    builder.font.recalcTimestamp = False
    builder.font.save(str(path))


if __name__ == "__main__":
    _make(Path(sys.argv[1]) if len(sys.argv) > 1 else FONT_PATH)
