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
- A '%' whose ink has two circles side by side below its middle may be a '‰' (per mille) the
  recogniser read as '%' (at 0.9994): its line is unsure.
- A blank between a digit or Latin letter and a Chinese character as wide as a typed space prints
  is unsure: Word's automatic spacing prints the same blank with no space, so which was typed is not
  known (the reader sets no space there, Chinese print's convention).
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
_NUMBER_OR_LATIN = re.compile(r"[0-9A-Za-z]")
# Chinese characters (CJK Unified Ideographs and Extension A), as a regex range; one, as a regex.
IDEOGRAPHS = "\u3400-\u9fff"
CJK = re.compile(f"[{IDEOGRAPHS}]")
# A '%' with two circles side by side below its middle may be a '‰' read as '%' (docs/ocr.md): a
# circle is a component of a height within _CIRCLE of the glyph's, at least _ROUND of it wide.
_CIRCLE = (0.45, 0.8)
_ROUND = 0.4
# A blank between a digit or Latin letter and a Chinese character at least this share of the line's
# ink height may be a typed space or Word's automatic spacing, which print alike (docs/ocr.md): the
# line is unsure. Measured on the fixtures' scans: a typed space 0.33-0.54, Word's autospacing
# 0.15-0.6 (most 0.25-0.45), tight pairs (no space, no autospacing: Chromium, Calc) 0-0.3 (most under 0.2).
SPACE_OR_AUTOSPACE = 0.25


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
    the line's mean, where the recogniser gave none per character), unless its ink says otherwise
    (`ink_verdict`: `spans`, each character's x span in points; `rules`, the page's rules as
    pdfplumber lines, in points; `scale`, pixels per point of `gray`)."""
    return scored(ink_verdict(gray, quad, text, spans, rules, scale), score, char_scores)


def scored(verdict: float | None, score: float, char_scores: Sequence[float] | None) -> float:
    """`line_confidence` from its line's `ink_verdict`, found once for both of a line's confidences."""
    if verdict is not None:
        return verdict
    if char_scores:
        return float(min(score, *char_scores))
    return float(score)


def ink_verdict(
    gray: np.ndarray,
    quad: Sequence[Sequence[float]],
    text: str,
    spans: Sequence[tuple[float, float]],
    rules: Sequence[dict],
    scale: float,
) -> float | None:
    """What the line's ink says of its reading, whatever the recogniser's scores: 1 for a lone dash
    or slash the ink confirms; 0 when a character at either end of it sits on a vertical rule, a
    number is malformed, a '%' is drawn like a '‰', or a digit and a Chinese character stand a
    space's width apart; else None."""
    if text in ("—", "/") and lone_stroke(gray, quad, rules, scale) == text:
        return 1.0
    rules_x = [r["x0"] for r in rules if r["orientation"] == "v"]
    if _end_on_rule(text, spans, rules_x) or _MALFORMED_NUMBER.search(text):
        return 0.0
    if _percent_like_per_mille(gray, quad, text, spans, rules, scale):
        return 0.0
    if any(gap >= SPACE_OR_AUTOSPACE for gap in number_cjk_gaps(gray, quad, text, spans, rules, scale)):
        return 0.0
    return None


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
    ink = _without_rules(ink, (left, top), rules, scale)
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


def glyph_parts(
    gray: np.ndarray,
    quad: Sequence[Sequence[float]],
    span: tuple[float, float],
    last: bool,
    rules: Sequence[dict],
    scale: float,
) -> list[tuple[int, int, int, int]]:
    """The boxes (x0, y0, x1, y1, pixels of `gray`) of the ink components of the character whose x
    span (pixels) is `span` in the recognised line `quad`: those centred in the first half of its
    span, and ink following them within a fifth of their height (up to the span's end; beyond it, for
    the line's `last` character, up to a height past the line's box). The page's rules are masked."""
    import cv2

    top, bottom = _line_rows(quad)
    height = bottom - top
    left = max(int(span[0]) - height, 0)  # whole components of the character before
    right = int(max(p[0] for p in quad)) + height if last else int(span[1])
    ink = _line_ink(gray, quad, left, right, rules, scale)
    if not ink.size:
        return []
    _, _, stats, _ = cv2.connectedComponentsWithStats(ink.astype(np.uint8), connectivity=8)
    boxes = sorted(
        (int(x) + left, int(y) + top, int(x + w) + left, int(y + h) + top)
        for x, y, w, h, area in stats[1:]
        if area >= _SPECK_PX and h < 0.9 * height
    )
    start, half = span[0] - 2, (span[0] + span[1]) / 2 + 2
    chosen = [b for b in boxes if start <= (b[0] + b[2]) / 2 <= half]
    if not chosen:
        return []
    x1 = max(b[2] for b in chosen)
    reach = (max(b[3] for b in chosen) - min(b[1] for b in chosen)) / 5
    for b in boxes:
        if b not in chosen and (b[0] + b[2]) / 2 > half and b[0] <= x1 + reach:
            chosen.append(b)
            x1 = max(x1, b[2])
    return sorted(chosen)


def _percent_like_per_mille(
    gray: np.ndarray,
    quad: Sequence[Sequence[float]],
    text: str,
    spans: Sequence[tuple[float, float]],
    rules: Sequence[dict],
    scale: float,
) -> bool:
    """A '%' of the line whose ink is shaped like '‰' (`spans`: each character's x span in points)."""
    if len(spans) != len(text):
        return False
    return any(
        per_mille_like(glyph_parts(gray, quad, (x0 * scale, x1 * scale), i == len(text) - 1, rules, scale))
        for i, (ch, (x0, x1)) in enumerate(zip(text, spans, strict=True))
        if ch == "%"
    )


def per_mille_like(parts: Sequence[tuple[int, int, int, int]]) -> bool:
    """A glyph (its ink components' boxes) shaped like '‰': two whole circles side by side in its
    lower part (each a component as tall as _CIRCLE of the glyph and at least _ROUND of that wide,
    their tops level), where '%' has one. The two walls of a circle broken at its thin top and bottom
    (a serif font's, scanned) are narrower than a circle and do not count."""
    if not parts:
        return False
    y0, y1 = min(p[1] for p in parts), max(p[3] for p in parts)
    height = y1 - y0
    circles = [
        p
        for p in parts
        if p[1] >= y0 + 0.3 * height
        and _CIRCLE[0] * height <= p[3] - p[1] <= _CIRCLE[1] * height
        and p[2] - p[0] >= _ROUND * (p[3] - p[1])
    ]
    return any(
        b[0] >= a[2]
        and abs(b[1] - a[1]) <= 0.15 * height
        and abs((b[3] - b[1]) - (a[3] - a[1])) <= 0.2 * height
        for a in circles
        for b in circles
    )


def number_cjk_gaps(
    gray: np.ndarray,
    quad: Sequence[Sequence[float]],
    text: str,
    spans: Sequence[tuple[float, float]],
    rules: Sequence[dict],
    scale: float,
) -> list[float]:
    """The blank between each digit or Latin letter and a Chinese character beside it (either order)
    in a recognised line, as a share of the line's ink height: the widest run of ink-free columns
    inside the two characters' spans (`spans`: each one's x span in points; the recogniser's boxes
    are a few pixels off, so not the blank between their middles)."""
    pairs = [
        i
        for i in range(len(text) - 1)
        if (_NUMBER_OR_LATIN.match(text[i]) and CJK.match(text[i + 1]))
        or (CJK.match(text[i]) and _NUMBER_OR_LATIN.match(text[i + 1]))
    ]
    if not pairs or len(spans) != len(text):
        return []
    left = max(int(min(p[0] for p in quad)), 0)
    ink = _line_ink(gray, quad, left, int(max(p[0] for p in quad)) + 1, rules, scale)
    ink[ink.mean(axis=1) > 0.5, :] = False  # a rule's edge the box reaches into
    rows = np.nonzero(ink.any(axis=1))[0]
    if not len(rows):
        return []
    height = rows[-1] - rows[0] + 1
    gaps = []
    for i in pairs:
        x0, x1 = int(spans[i][0] * scale) - left, int(spans[i + 1][1] * scale) - left
        blank = np.asarray(~ink[:, max(x0, 0) : max(x1, 0)].any(axis=0))
        runs = [end - start for start, end in _runs(blank) if start > 0 and end < len(blank)]
        gaps.append(max(runs, default=0) / height)
    return gaps


def _runs(flags: np.ndarray) -> list[tuple[int, int]]:
    """(start, end) of each run of True in `flags`, end exclusive."""
    edges = np.diff(np.concatenate(([0], flags.astype(np.int8), [0])))
    return list(zip(np.nonzero(edges == 1)[0].tolist(), np.nonzero(edges == -1)[0].tolist(), strict=True))


def _line_rows(quad: Sequence[Sequence[float]]) -> tuple[int, int]:
    """The pixel rows (top, bottom exclusive) of a recognised line's box."""
    ys = [int(p[1]) for p in quad]
    return max(min(ys), 0), max(ys) + 1


def _line_ink(
    gray: np.ndarray,
    quad: Sequence[Sequence[float]],
    left: int,
    right: int,
    rules: Sequence[dict],
    scale: float,
) -> np.ndarray:
    """The ink of columns `left` to `right` (pixels) over a recognised line's rows, rules masked."""
    top, bottom = _line_rows(quad)
    return _without_rules(gray[top:bottom, left:right] < INK, (left, top), rules, scale)


def _without_rules(
    ink: np.ndarray, origin: tuple[int, int], rules: Sequence[dict], scale: float
) -> np.ndarray:
    """`ink` (a crop whose top-left pixel is `origin` on the page) with the ink within _RULE_BAND_PT
    of the page's rules cleared."""
    left, top = origin
    band = _RULE_BAND_PT * scale
    for r in rules:
        x0, x1 = int(r["x0"] * scale - band) - left, int(r["x1"] * scale + band) + 1 - left
        y0, y1 = int(r["top"] * scale - band) - top, int(r["bottom"] * scale + band) + 1 - top
        if x1 > 0 and y1 > 0:
            ink[max(y0, 0) : y1, max(x0, 0) : x1] = False
    return ink


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
