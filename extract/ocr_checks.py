"""How sure a page read by OCR is of each recognised line: what the recogniser says, checked against
the page's own ink (docs/ocr.md, "Nothing wrong without a flag").

- A line is as sure as its **least sure character** (not the line's mean, which a long line of sure
  characters lifts above the threshold while one character in it is misread: 门 read as 内 at 0.55).
- A lone mark an empty cell prints — the dash `—` or the slash `/` — is sure when the cell's ink is
  that one stroke and nothing else (the recogniser is often unsure of a lone stroke: 0.5–0.9).
- A character the recogniser read out of a table's vertical rule (a leading or trailing `1` or `|`
  on the rule: `0%` read `10%`) makes its line unsure, and so does a number no table prints: a digit
  right after a percent sign (`0.2‰` read `0.2%0`).
- Ink no recognised line covers is a sign or a digit the detector missed, unless it is one flat or
  leaning stroke with no other unread ink beside it: the dash or slash of an empty cell, which reads
  as the blank cell it means.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

# Ink on the (levels-stretched) red channel, 0-255: what extract.ocr_pages reads as print.
INK = 160
# ... and faint too: a thin dash scanned at 150 dpi is grey.
FAINT_INK = 224
# A stroke is flat (a dash or a hyphen) when it is at least this many times wider than tall.
_FLAT = 2.0
# ... and leans (a slash) when x grows at least this much per pixel up, and it is taller than wide / 2.
_LEAN = 0.2
# Components of fewer pixels than this are specks (noise, JPEG ringing), not strokes.
_SPECK_PX = 4
# Ink this close to a found rule (points either side of its centre line) is the rule's.
_RULE_BAND_PT = 1.2
# A number is never printed with a digit (or an o) right after its percent sign: '0.2‰' read '0.2%0'.
_MALFORMED_NUMBER = re.compile(r"\d%[0-9oO]")
# Marks read from a vertical rule: a rule is a thin upright stroke, like these.
_RULE_LIKE = frozenset("1|lI[]")


def line_confidence(
    gray: np.ndarray,
    quad: Sequence[Sequence[float]],
    text: str,
    score: float,
    char_scores: Sequence[float] | None,
    spans: Sequence[tuple[float, float]] = (),
    rules: Sequence[dict] = (),
    scale: float = 1.0,
) -> float:
    """The confidence (0-1) a recognised line is taken with: its least sure character's (`score`,
    the line's mean, where the recogniser gave none per character); 1 for a lone dash or slash the
    ink confirms; 0 when a character at either end of it sits on a vertical rule (`spans`: each
    character's x span in points; `rules`: the page's rules as pdfplumber lines, in points; `scale`:
    pixels per point of `gray`)."""
    if text in ("—", "/") and lone_stroke(gray, quad, rules, scale) == text:
        return 1.0
    rules_x = [r["x0"] for r in rules if r["orientation"] == "v"]
    if _end_on_rule(text, spans, rules_x) or _MALFORMED_NUMBER.search(text):
        return 0.0
    if char_scores:
        return float(min(score, *char_scores))
    return float(score)


def lone_stroke(
    gray: np.ndarray, quad: Sequence[Sequence[float]], rules: Sequence[dict] = (), scale: float = 1.0
) -> str | None:
    """'—' when the ink inside the box is one flat stroke, '/' when it is one stroke leaning right,
    else None (no ink, several strokes, or a stroke of another shape). Ink on the page's rules the box
    reaches into (within _RULE_BAND_PT of one) is no part of it, nor rows or columns mostly ink."""
    import cv2

    xs, ys = [int(p[0]) for p in quad], [int(p[1]) for p in quad]
    left, top = max(min(xs), 0), max(min(ys), 0)
    crop = gray[top : max(ys) + 1, left : max(xs) + 1]
    ink = crop < FAINT_INK
    if not ink.size:
        return None
    band = _RULE_BAND_PT * scale
    for r in rules:
        x0, x1 = int(r["x0"] * scale - band) - left, int(r["x1"] * scale + band) + 1 - left
        y0, y1 = int(r["top"] * scale - band) - top, int(r["bottom"] * scale + band) + 1 - top
        if x1 > 0 and y1 > 0:
            ink[max(y0, 0) : y1, max(x0, 0) : x1] = False
    ink[ink.mean(axis=1) > 0.6, :] = False
    ink[:, ink.mean(axis=0) > 0.8] = False
    count, labels, stats, _ = cv2.connectedComponentsWithStats(ink.astype(np.uint8), connectivity=8)
    strokes = [i for i in range(1, count) if stats[i][4] >= _SPECK_PX]
    if len(strokes) != 1:
        return None
    return _stroke_shape(labels == strokes[0])


def _stroke_shape(stroke: np.ndarray) -> str | None:
    """'—' for a flat stroke (a mask of its pixels), '/' for one leaning right, else None."""
    sy, sx = np.nonzero(stroke)
    if not len(sx):
        return None
    w, h = int(np.ptp(sx)) + 1, int(np.ptp(sy)) + 1
    if w >= _FLAT * h:
        return "—"
    if h < 5 or w > 2 * h:
        return None
    slope = np.polyfit(sy.astype(float), sx.astype(float), 1)[0]  # x change per pixel down
    return "/" if slope < -_LEAN else None


def _end_on_rule(text: str, spans: Sequence[tuple[float, float]], rules_x: Sequence[float]) -> bool:
    """A thin upright mark at either end of the line whose span holds a vertical rule."""
    ends = {0, len(text) - 1} if text and len(spans) == len(text) else set()
    return any(text[i] in _RULE_LIKE and any(spans[i][0] <= x <= spans[i][1] for x in rules_x) for i in ends)


def is_empty_cell_mark(
    gray: np.ndarray,
    box: tuple[int, int, int, int],
    others: Sequence[tuple[int, int, int, int]],
) -> bool:
    """Unread ink `box` (pixels of `gray`) is the mark of an empty cell: one flat stroke (a dash) or
    one stroke leaning right (a slash), and no other unread ink within its own size of it (two flat
    strokes one above the other are '=', a bar under a chevron '≥': signs to flag, not marks)."""
    x0, y0, x1, y1 = box
    reach = max(x1 - x0, y1 - y0)
    if any(
        other != box
        and other[0] < x1 + reach
        and other[2] > x0 - reach
        and other[1] < y1 + reach
        and other[3] > y0 - reach
        for other in others
    ):
        return False
    return _stroke_shape(gray[y0:y1, x0:x1] < INK) is not None
