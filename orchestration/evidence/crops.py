"""A finding's printed row, cut out of its source PDF with the row's box drawn on it.

PDFium renders only the crop (not the whole page) at twice the PDF's 72 dpi, Pillow draws the box
and the PNG is saved with a small palette: table rows are black text on white with a few rules, so
16 colours (fast octree) lose nothing one can see and keep each image to tens of kilobytes. zlib's
default level: level 9 and `optimize` took 4-5 times longer per image for 5% fewer bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

# Room around the row: enough to show the neighbouring rules and the start of the next rows.
MARGIN_X_PT = 12.0
MARGIN_Y_PT = 24.0
RENDER_SCALE = 2.0
BOX_WIDTH_PX = 3
BOX_COLOUR = (214, 39, 40)
PALETTE_COLOURS = 16


@dataclass(frozen=True)
class Crop:
    """Where the image was cut from: 1-based page, and (x0, top, x1, bottom) in PDF points."""

    page: int
    bbox_pt: tuple[float, float, float, float]
    width_px: int
    height_px: int


def crop_bbox(
    row_bbox_pt: tuple[float, float, float, float], page_width_pt: float, page_height_pt: float
) -> tuple[float, float, float, float]:
    x0, top, x1, bottom = row_bbox_pt
    return (
        max(0.0, x0 - MARGIN_X_PT),
        max(0.0, top - MARGIN_Y_PT),
        min(page_width_pt, x1 + MARGIN_X_PT),
        min(page_height_pt, bottom + MARGIN_Y_PT),
    )


def render_row(pdf, page_number: int, row_bbox_pt: tuple[float, float, float, float], out_png: Path) -> Crop:
    """Render the row's surroundings on page `page_number` (1-based) of an open PdfDocument to PNG."""
    from PIL import Image, ImageDraw

    page = pdf[page_number - 1]
    try:
        width_pt, height_pt = page.get_size()
        cx0, ctop, cx1, cbottom = crop_bbox(row_bbox_pt, width_pt, height_pt)
        # PDFium's crop is what to cut off each side: left, bottom, right, top.
        bitmap = page.render(
            scale=RENDER_SCALE, crop=(cx0, height_pt - cbottom, width_pt - cx1, ctop), may_draw_forms=False
        )
        image = bitmap.to_pil().convert("RGB")
    finally:
        page.close()
    x0, top, x1, bottom = row_bbox_pt
    box = [(x0 - cx0) * RENDER_SCALE, (top - ctop) * RENDER_SCALE, (x1 - cx0) * RENDER_SCALE]
    box.append((bottom - ctop) * RENDER_SCALE)
    ImageDraw.Draw(image).rectangle(box, outline=BOX_COLOUR, width=BOX_WIDTH_PX)
    out_png.parent.mkdir(parents=True, exist_ok=True)
    image.quantize(colors=PALETTE_COLOURS, method=Image.Quantize.FASTOCTREE).save(out_png)
    return Crop(page_number, (cx0, ctop, cx1, cbottom), image.width, image.height)
