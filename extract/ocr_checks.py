"""How sure a page read by OCR is of each recognised line: what the recogniser says, checked against
the page's own ink (docs/ocr.md, "Nothing wrong without a flag").

- A line is as sure as its **least sure character** (not the line's mean, which a long line of sure
  characters lifts above the threshold while one character in it is misread: 门 read as 内 at 0.55).
- A lone mark an empty cell prints — the dash `—` or the slash `/` — is sure when the cell's ink is
  that one stroke and nothing else (the recogniser is often unsure of a lone stroke: 0.5–0.9).
- A character the recogniser read out of a table's vertical rule (a leading or trailing `1` or `|`
  on the rule: `0%` read `10%`) makes its line unsure.
- Ink no recognised line covers is a sign or a digit the detector missed, unless it is one flat
  stroke with no other unread ink beside it: the dash of an empty cell, which reads as the blank cell
  it means.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

# Ink on the (levels-stretched) red channel; faint too: a thin dash scanned at 150 dpi is grey.
_FAINT_INK = 224
# A stroke is flat (a dash or a hyphen) when it is at least this many times wider than tall.
_FLAT = 2.0
# ... and leans (a slash) when x grows at least this much per pixel up, and it is taller than wide / 2.
_LEAN = 0.2
# Components of fewer pixels than this are specks (noise, JPEG ringing), not strokes.
_SPECK_PX = 4
# Marks read from a vertical rule: a rule is a thin upright stroke, like these.
_RULE_LIKE = frozenset("1|lI[]")


def line_confidence(
    gray: np.ndarray,
    quad: Sequence[Sequence[float]],
    text: str,
    score: float,
    char_scores: Sequence[float] | None,
    spans: Sequence[tuple[float, float]] = (),
    rules_x: Sequence[float] = (),
) -> float:
    """The confidence (0-1) a recognised line is taken with: its least sure character's (`score`,
    the line's mean, where the recogniser gave none per character); 1 for a lone dash or slash the
    ink confirms; 0 when a character at either end of it sits on a vertical rule (`spans`: each
    character's x span, `rules_x`: the vertical rules' x, in one unit)."""
    if text in ("—", "/") and lone_stroke(gray, quad) == text:
        return 1.0
    if _end_on_rule(text, spans, rules_x):
        return 0.0
    if char_scores:
        return float(min(score, *char_scores))
    return float(score)


def lone_stroke(gray: np.ndarray, quad: Sequence[Sequence[float]]) -> str | None:
    """'—' when the ink inside the box is one flat stroke, '/' when it is one stroke leaning right,
    else None (no ink, several strokes, or a stroke of another shape). Rules the box reaches into
    (rows or columns mostly ink) are no part of it."""
    import cv2

    xs, ys = [int(round(p[0])) for p in quad], [int(round(p[1])) for p in quad]
    crop = gray[max(min(ys), 0) : max(ys) + 1, max(min(xs), 0) : max(xs) + 1]
    ink = crop < _FAINT_INK
    if not ink.size:
        return None
    ink[ink.mean(axis=1) > 0.6, :] = False
    ink[:, ink.mean(axis=0) > 0.8] = False
    count, labels, stats, _ = cv2.connectedComponentsWithStats(ink.astype(np.uint8), connectivity=8)
    strokes = [i for i in range(1, count) if stats[i][4] >= _SPECK_PX]
    if len(strokes) != 1:
        return None
    x, y, w, h, _area = (int(v) for v in stats[strokes[0]])
    if w >= _FLAT * h:
        return "—"
    if h < 5 or w > 2 * h:
        return None
    sy, sx = np.nonzero(labels == strokes[0])
    slope = np.polyfit(sy.astype(float), sx.astype(float), 1)[0]  # x change per pixel down
    return "/" if slope < -_LEAN else None


def _end_on_rule(text: str, spans: Sequence[tuple[float, float]], rules_x: Sequence[float]) -> bool:
    """A thin upright mark at either end of the line whose span holds a vertical rule."""
    ends = {0, len(text) - 1} if text and len(spans) == len(text) else set()
    return any(
        text[i] in _RULE_LIKE and any(spans[i][0] <= x <= spans[i][1] for x in rules_x) for i in ends
    )


def is_lone_dash(box: tuple[int, int, int, int], others: Sequence[tuple[int, int, int, int]]) -> bool:
    """Unread ink `box` (pixels) is the dash of an empty cell: one flat stroke, and no other unread
    ink within its own width of it (two flat strokes one above the other are '=', a bar under a
    chevron '≥': signs to flag, not dashes)."""
    x0, y0, x1, y1 = box
    w, h = x1 - x0, max(y1 - y0, 1)
    if w < _FLAT * h:
        return False
    return not any(
        other != box and other[0] < x1 + w and other[2] > x0 - w and other[1] < y1 + w and other[3] > y0 - w
        for other in others
    )
