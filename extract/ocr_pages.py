"""Scanned pages read by OCR into the same page objects the PDF text reader makes (docs/ocr.md).

A page is rendered by PDFium, its small rotation measured from the table's long rules and undone,
the ruling lines found by morphology (they become pdfplumber line objects), and the text read by
RapidOCR (PP-OCR Chinese models inside the rapidocr wheel, run by onnxruntime on the CPU). Each
recognised character becomes a pdfplumber character dict at its place on the page, so
`extract.tables.read_page` finds the cells and fills them exactly as it does for a vector PDF, and
every form reads scans without code of its own.

Red ink (seals stamped over cells) is dropped by reading the red channel only, its levels stretched
so that what is lighter than print is paper: a red stamp is as light as the paper in that channel,
black print stays black.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import pypdfium2 as pdfium

from . import ocr_checks
from .lib.cells import as_char
from .lib.geometry import rule
from .pdfium_pages import PdfiumPage, _char

# Pixels per inch a page without a scan's own is rendered at: 10.5 pt print is ~30 px high.
OCR_DPI = 200
# Shortest run of ink taken for a rule, in points: longer than any glyph's stroke at body sizes.
_MIN_HORIZONTAL_RULE_PT = 25.0
_MIN_VERTICAL_RULE_PT = 12.0
# Rotations measured larger than this are not a scanner's skew (a landscape page, a photo): left alone.
_MAX_SKEW_DEG = 2.0


@dataclass(frozen=True)
class OcrBox:
    """One recognised text line: its box in PDF points (top-left origin), text and confidence 0-1
    (its least sure character's, checked against the ink: extract.ocr_checks); `mean_confidence`
    the same with the recogniser's mean over the line (None: as `confidence`)."""

    page: int
    bbox: tuple[float, float, float, float]
    text: str
    confidence: float
    mean_confidence: float | None = None


@dataclass(frozen=True)
class OcrPage:
    """A scanned page as the table reader takes it, with what the recogniser said and how sure it was."""

    page: PdfiumPage
    boxes: tuple[OcrBox, ...]
    skew_deg: float


@functools.cache
def engine() -> Any:
    """The recogniser, built once per process (loading its models takes ~0.3 s), models from its wheel."""
    from rapidocr import RapidOCR  # heavy import: only when a page is read by OCR

    return RapidOCR(
        params={
            "Global.log_level": "warning",
            "Global.use_cls": False,  # pages are upright once deskewed: no 180° text lines
            "Global.return_word_box": True,
            "Global.return_single_char_box": True,
            "Global.max_side_len": 4000,
            # Detection on the page scaled down (see _DETECT_SIDE_PX).
            "Det.limit_side_len": _DETECT_SIDE_PX,
            "Det.limit_type": "max",
            # One thread: CPU time per page is what a build pays; parallelism is per file.
            "EngineConfig.onnxruntime.intra_op_num_threads": 1,
            "EngineConfig.onnxruntime.inter_op_num_threads": 1,
            "EngineConfig.onnxruntime.enable_cpu_mem_arena": True,
            # Each text line recognised at its own width: the default pads every line to at least
            # 320x48 px, and a table's cells are mostly short ("95.5", "万元"): half the CPU time.
            "Rec.rec_img_shape": [3, 48, 48],
        }
    )


def render(pdf: pdfium.PdfDocument, index: int) -> np.ndarray:
    """The page as an RGB array: at a whole multiple of its scan's resolution where one image covers
    the page, else at OCR_DPI. Resampling a 150 dpi scan to 200 dpi blurs strokes the recogniser tells
    characters by (门 read as 内); at its own pixels it reads them right."""
    page = pdf[index]
    try:
        bitmap = page.render(scale=scan_dpi(page) / 72, rev_byteorder=True)  # RGB, no alpha
        try:
            return bitmap.to_numpy().copy()
        finally:
            bitmap.close()
    finally:
        page.close()


# Scans at resolutions outside this range are rendered at OCR_DPI.
_SCAN_DPI_RANGE = (100, 400)


def scan_dpi(page: pdfium.PdfPage) -> float:
    """A whole multiple of the resolution of the image covering most of the page (a scan), at least
    about OCR_DPI (150 dpi scans at 300: smaller print is read less well); else OCR_DPI."""
    import pypdfium2.raw as raw

    width, height = page.get_size()
    best, dpi = 0.0, float(OCR_DPI)
    for image in page.get_objects(filter=[raw.FPDF_PAGEOBJ_IMAGE], max_depth=2):
        x0, y0, x1, y1 = image.get_bounds()
        area = (x1 - x0) * (y1 - y0)
        if area > best and area > 0.5 * width * height:
            best, dpi = area, image.get_px_size()[0] / ((x1 - x0) / 72)
    if not _SCAN_DPI_RANGE[0] <= dpi <= _SCAN_DPI_RANGE[1]:
        return float(OCR_DPI)
    return dpi * math.ceil(OCR_DPI / dpi - 0.01)  # whole pixels of the scan, at least ~OCR_DPI


def read_page(pdf: pdfium.PdfDocument, index: int) -> OcrPage:
    page = pdf[index]
    try:
        width, height = page.get_size()
    finally:
        page.close()
    return read_image(render(pdf, index), index + 1, width, height)


def read_image(rgb: np.ndarray, page_number: int, width: float, height: float) -> OcrPage:
    """A page image (RGB, rendered from a page `width` x `height` points) read by OCR."""
    import cv2

    gray = _paper_white(rgb)  # red seals vanish, black print stays
    skew = measure_skew(_pooled(gray, gray.shape[1] / width))
    if abs(skew) > 0.02:
        gray = _rotate(gray, skew)
    scale = gray.shape[1] / width  # pixels per point as rendered
    # Stray ink and the printed area are found on a copy at about 150 dpi: a quarter of the pixels.
    # (Not the rules: pooled, a large title's strokes join into runs as long as a rule.)
    work = _pooled(gray, scale)
    work_scale = work.shape[1] / width
    out = PdfiumPage(page_number, width, height)
    result = engine()(cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR))
    found = result.boxes if result.boxes is not None else ()
    out.edges.extend(outside_text_lines(_rules(gray, scale), found, scale))
    rules_x = [e["x0"] for e in out.edges if e["orientation"] == "v"]
    boxes = []
    lines: list[list[dict]] = []
    for k, (quad, text, score) in enumerate(zip(found, result.txts or (), result.scores or (), strict=False)):
        if text.strip() in _SLASH_OR_ONE:  # a lone stroke: its ink, rules masked, tells / from 1
            text = ocr_checks.lone_stroke(gray, quad, out.edges, scale) or _slash_or_one(
                gray, quad, text.strip()
            )
        elif text.strip() == "二":  # a lone sign: = read as 二, or a smudged dash where unsure
            text = "=" if score >= _SURE else "—"
        words = _word_results(result, k)
        chars = _line_chars(quad, text, words, scale)
        if chars:
            lines.append(chars)
        xs, ys = [p[0] for p in quad], [p[1] for p in quad]
        bbox = (
            float(min(xs)) / scale,
            float(min(ys)) / scale,
            float(max(xs)) / scale,
            float(max(ys)) / scale,
        )
        read = "".join(c["text"] for c in chars)
        spans = [(c["x0"], c["x1"]) for c in chars]
        char_scores = [float(w[1]) for w in words or () if w[1] is not None and str(w[0]).strip()]
        verdict = ocr_checks.ink_verdict(gray, quad, read, spans, out.edges, scale)  # once: it crops ink
        confidence = ocr_checks.scored(verdict, float(score), char_scores)
        mean = ocr_checks.scored(verdict, float(score), None)
        boxes.append(OcrBox(page_number, bbox, read, confidence, mean))
    _close_cjk_gaps(lines, rules_x)
    out.char_tuples.extend(as_char(c) for line in lines for c in line)
    # Ink no recognised line covers (a sign or a number the detector missed): confidence 0, so the
    # record it lies in is flagged; a blank read there would otherwise load as a blank cell.
    shrunk = [np.asarray(quad, np.float64) * (work_scale / scale) for quad in found]
    unread = unread_ink(work, shrunk, work_scale)
    for x0, y0, x1, y1 in unread:
        if ocr_checks.is_empty_cell_mark(work, (x0, y0, x1, y1), unread):
            continue  # an empty cell's dash or slash: the cell reads blank, as it means
        box = (x0 / work_scale, y0 / work_scale, x1 / work_scale, y1 / work_scale)
        boxes.append(OcrBox(page_number, box, "", 0.0))
    return OcrPage(out, tuple(boxes), skew)


# How far (points) a glyph's stroke reaches out of its recognised line's box.
_STROKE_OUT_OF_BOX_PT = 1.0


def outside_text_lines(rules: list[dict], quads, scale: float) -> list[dict]:
    """The rules, less the strokes of large glyphs: a run wholly inside a recognised text line's box.

    A title's strokes (算's top bar and 项's beside it, joined across the gap between them) are as
    long as a short rule, and its upright strokes meet them: a small table inside the title, which
    took those characters out of the title line (`2023年度部门预算项目…` read as `2023年门预目…`: no
    fiscal year). A table's rule reaches past the text of its cells: never inside one line's box."""
    tol = _STROKE_OUT_OF_BOX_PT
    boxes = [
        (
            min(p[0] for p in q) / scale,
            min(p[1] for p in q) / scale,
            max(p[0] for p in q) / scale,
            max(p[1] for p in q) / scale,
        )
        for q in quads
    ]
    return [
        r
        for r in rules
        if not any(
            x0 - tol <= r["x0"]
            and r["x1"] <= x1 + tol
            and top - tol <= r["top"]
            and r["bottom"] <= bottom + tol
            for x0, top, x1, bottom in boxes
        )
    ]


# Unread ink smaller than this (in points, its longer side) is a speck, not a sign or a digit.
_MIN_UNREAD_INK_PT = 3.0


def unread_ink(gray: np.ndarray, quads, scale: float) -> list[tuple[int, int, int, int]]:
    """Boxes (pixels) of ink outside the rules that no recognised line's box covers."""
    import cv2

    ink = _ink(gray)
    long_h = max(int(_MIN_VERTICAL_RULE_PT * scale), 3)
    rules = cv2.bitwise_or(
        cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((1, long_h), np.uint8)),
        cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((long_h, 1), np.uint8)),
    )
    rules = cv2.dilate(rules, np.ones((5, 5), np.uint8))
    covered = np.zeros_like(ink)
    for quad in quads:
        cv2.fillPoly(covered, [np.asarray(quad, np.int32).reshape(-1, 1, 2)], 1)
    covered = cv2.dilate(covered, np.ones((5, 5), np.uint8))
    left = ink & (1 - rules) & (1 - covered)
    min_px = _MIN_UNREAD_INK_PT * scale
    return [(x, y, x + w, y + h) for x, y, w, h in _component_boxes(left) if max(w, h) >= min_px]


def _close_cjk_gaps(lines: list[list[dict]], rules_x: list[float]) -> None:
    """Two recognised pieces of one printed line ('8730' and '户') touch where no rule parts them,
    their gap is under a glyph's height and either side is Chinese: a gap pdfplumber would read as a
    space, which Chinese print does not set there."""
    for left in lines:
        a = left[-1]
        height = a["bottom"] - a["top"]
        beside = [
            line[0]
            for line in lines
            if line[0]["x0"] > a["x0"]
            and min(a["bottom"], line[0]["bottom"]) - max(a["top"], line[0]["top"]) >= height / 2
        ]
        if not beside:
            continue
        b = min(beside, key=lambda c: c["x0"])
        gap = b["x0"] - a["x1"]
        if not 0 < gap < height or not (_CJK.match(a["text"]) or _CJK.match(b["text"])):
            continue
        if any(a["x1"] <= x <= b["x0"] for x in rules_x):
            continue
        a["x1"] = b["x0"]
        a["width"] = a["x1"] - a["x0"]


def _word_results(result, k: int) -> tuple | None:
    words = getattr(result, "word_results", None)
    if not words or k >= len(words) or words[k] is None:
        return None
    return words[k]


# Detection runs on the page scaled so its longer side is this many pixels (~110 dpi for A4): ~3x
# less CPU than full size, the same boxes; recognition reads each line from the full-size image.
# (Detecting on the printed area only, at the same scale, saved ~15% on one-table pages but moved
# boxes enough to read one of the Suzhou scan's lines across a rule: not done.)
_DETECT_SIDE_PX = 1280


def _line_chars(quad, text: str, words: tuple | None, scale: float) -> list[dict]:
    """Character dicts of one recognised line: each at its own box where the recogniser gave one,
    else the line's width shared out evenly; every character with the line's top and bottom."""
    text = cjk_punctuation(text.strip())
    if text in _DASH_READINGS:
        text = "—"
    ys = [p[1] for p in quad]
    top, bottom = float(min(ys)) / scale, float(max(ys)) / scale
    x_left, x_right = float(min(p[0] for p in quad)) / scale, float(max(p[0] for p in quad)) / scale
    spans: list[tuple[float, float]] = []
    if words and len(words) == len(text) and all(w[2] is not None for w in words):
        # Each character reaches the next one's start: no gap inside a line reads as a space.
        starts = [float(min(p[0] for p in w[2])) / scale for w in words]
        ends = [*starts[1:], max(float(max(p[0] for p in words[-1][2])) / scale, starts[-1])]
        spans = list(zip(starts, ends, strict=True))
    else:
        step = (x_right - x_left) / max(len(text), 1)
        spans = [(x_left + i * step, x_left + (i + 1) * step) for i in range(len(text))]
    return [
        _char(ch, x0=x0, top=top, x1=max(x1, x0 + 0.1), bottom=bottom)
        for ch, (x0, x1) in zip(text, spans, strict=False)
    ]


# A dash printed alone in a cell ("nothing here") reads as the character for one, or a hyphen.
_DASH_READINGS = frozenset({"一", "-", "--", "一一", "——", "_"})
_CJK = ocr_checks.CJK
# A space the recogniser puts beside a Chinese character ('8730 户'): Chinese print sets none.
_SPACE_BY_CJK = re.compile(
    r"(?<=[\u3400-\u9fff\u3000-\u303f\uff00-\uffef])\s+|\s+(?=[\u3400-\u9fff\u3000-\u303f\uff00-\uffef])"
)
_FULL_WIDTH = str.maketrans({"(": "（", ")": "）", ";": "；", "!": "！", "?": "？"})
_COLON_COMMA = re.compile(r"(?<!\d)[:,]|[:,](?!\d)")


def cjk_punctuation(text: str) -> str:
    """Brackets and marks in a line with Chinese text as Chinese print sets them: full width.

    The recogniser answers ASCII '(' for both widths; Chinese forms print （万元） and 产出指标（50分）.
    A comma or colon between digits (1,234, 12:30) stays as it is; spaces beside Chinese go."""
    if not _CJK.search(text):
        return text
    text = _SPACE_BY_CJK.sub("", text.translate(_FULL_WIDTH))
    return _COLON_COMMA.sub(lambda m: {":": "：", ",": "，"}[m.group(0)], text)


# Levels of the red channel stretched to full contrast: darker than _BLACK is print, lighter than
# _PAPER is paper (what is left of a seal where JPEG blurred its colour, scanner noise).
_BLACK, _PAPER = 60, 175


_LEVELS = ((np.arange(256, dtype=np.float32) - _BLACK) * (255 / (_PAPER - _BLACK))).clip(0, 255)
_LEVELS = _LEVELS.astype(np.uint8)


def _paper_white(rgb: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(_LEVELS[rgb[:, :, 0]])


# Pixels per inch above which stray ink is looked for on a copy of half the size.
_POOL_ABOVE_DPI = 280


def _pooled(gray: np.ndarray, px_per_pt: float) -> np.ndarray:
    """`gray` at half its size, each pixel the darkest of its 2x2 block (a thin rule stays as dark),
    when it is rendered finer than _POOL_ABOVE_DPI; else `gray` itself."""
    h, w = gray.shape
    if px_per_pt * 72 <= _POOL_ABOVE_DPI or min(h, w) < 2:
        return gray
    # The four pixels of each block as strided views: a tenth of the CPU of a min over reshaped axes.
    top, bottom = gray[0 : h - 1 : 2], gray[1:h:2]
    return np.minimum(
        np.minimum(top[:, 0 : w - 1 : 2], top[:, 1:w:2]),
        np.minimum(bottom[:, 0 : w - 1 : 2], bottom[:, 1:w:2]),
    )


_SURE = 0.9
# A lone stroke in a cell: the recogniser often reads a printed '/' ("not applicable") as 1.
_SLASH_OR_ONE = frozenset({"1", "/", "l", "|", "I"})


def _slash_or_one(gray: np.ndarray, quad, text: str) -> str:
    """'/' when the stroke's ink leans right (x grows as it rises), '—' when it is flat, else '1'
    (or what was read)."""
    xs_box, ys_box = [int(p[0]) for p in quad], [int(p[1]) for p in quad]
    crop = gray[max(min(ys_box), 0) : max(ys_box) + 1, max(min(xs_box), 0) : max(xs_box) + 1]
    ink = crop < ocr_checks.FAINT_INK  # faint too: a thin dash scanned at 150 dpi is grey
    # A rule the box reaches into is no part of the stroke: rows or columns mostly ink are dropped.
    if ink.size:
        ink[ink.mean(axis=1) > 0.6, :] = False
        ink[:, ink.mean(axis=0) > 0.8] = False
    ys, xs = np.nonzero(ink)
    if len(xs) < 5:
        return text
    if np.ptp(xs) > 1.5 * np.ptp(ys):  # a flat stroke: the dash of an empty cell
        return "—"
    if np.ptp(ys) < 5:
        return text
    slope = np.polyfit(ys.astype(float), xs.astype(float), 1)[0]  # x change per pixel down
    if slope < -0.2:
        return "/"
    return "1" if text in ("1", "l", "|", "I") and abs(slope) < 0.1 else text


def _ink(gray: np.ndarray) -> np.ndarray:
    return (gray < ocr_checks.INK).astype(np.uint8)


def measure_skew(gray: np.ndarray) -> float:
    """The page's rotation in degrees (positive: counter-clockwise to undo), from its long rules."""
    import cv2

    ink = _ink(gray)
    # Short kernel: a rule tilted 2° still has 40 px straight runs.
    horizontal = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((1, 40), np.uint8))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(horizontal, connectivity=8)
    angles: list[tuple[float, float]] = []
    min_width = gray.shape[1] // 4
    for i in range(1, count):
        x, y, w, h, _area = stats[i]
        if w < min_width or h > w * math.tan(math.radians(_MAX_SKEW_DEG)) + 8:
            continue
        ys, xs = np.nonzero(labels[y : y + h, x : x + w] == i)
        slope = np.polyfit(xs.astype(float), ys.astype(float), 1)[0]
        angles.append((math.degrees(math.atan(slope)), float(w)))
    if not angles:
        return 0.0
    angles.sort()
    half, seen = sum(w for _, w in angles) / 2, 0.0
    for angle, w in angles:  # median weighted by length
        seen += w
        if seen >= half:
            return angle if abs(angle) <= _MAX_SKEW_DEG else 0.0
    return 0.0


def _rotate(gray: np.ndarray, degrees: float) -> np.ndarray:
    import cv2

    h, w = gray.shape
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
    return cv2.warpAffine(gray, matrix, (w, h), flags=cv2.INTER_LINEAR, borderValue=255)


def _rules(gray: np.ndarray, scale: float) -> list[dict]:
    """The ruling lines: straight runs of ink longer than any glyph stroke, as pdfplumber lines.

    A rule broken by a seal or a speck (a gap up to _MAX_RULE_GAP_PT) is one rule; a vertical run
    that meets no horizontal rule is a stroke of a large glyph (a title), not a rule."""
    import cv2

    ink = _ink(gray)
    found: dict[str, list[tuple[float, float, float]]] = {}  # (position across, start, end) in points
    for orientation, length_pt in (("h", _MIN_HORIZONTAL_RULE_PT), ("v", _MIN_VERTICAL_RULE_PT)):
        n = max(int(length_pt * scale), 3)
        shape = (1, n) if orientation == "h" else (n, 1)
        close = (1, 5) if orientation == "h" else (5, 1)
        closed = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, np.ones(close, np.uint8))
        mask = cv2.morphologyEx(closed, cv2.MORPH_OPEN, np.ones(shape, np.uint8))
        runs = []
        for x, y, w, h in _component_boxes(mask):
            if orientation == "h":
                runs.append(((y + h / 2) / scale, x / scale, (x + w) / scale))
            else:
                runs.append(((x + w / 2) / scale, y / scale, (y + h) / scale))
        # A vertical gap from one horizontal rule to the next is a merged cell, not a broken rule.
        found[orientation] = join_runs(runs, found.get("h") if orientation == "v" else None)
    horizontal, tol = found["h"], _RULE_TOUCH_PT
    out = [rule(x0, y, x1, y) for y, x0, x1 in horizontal]
    for across, top, bottom in found["v"]:
        if any(a - tol <= across <= b + tol and top - tol <= y <= bottom + tol for y, a, b in horizontal):
            out.append(rule(across, top, across, bottom))
    return out


def _component_boxes(mask: np.ndarray) -> list[tuple[int, int, int, int]]:
    """Bounding boxes (x, y, w, h) of the 8-connected components of a sparse mask: the boxes of their
    outer borders (a component inside another's hole is an outer border too), ~20x less CPU than
    labelling every pixel of a page."""
    import cv2

    contours, hierarchy = cv2.findContours(mask, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    if hierarchy is None:
        return []
    outer = [c for c, h in zip(contours, hierarchy[0], strict=True) if h[3] == -1]
    return [(x, y, w, h) for x, y, w, h in map(cv2.boundingRect, outer)]


_MAX_RULE_GAP_PT = 20.0
_RULE_TOUCH_PT = 3.0


def join_runs(
    runs: list[tuple[float, float, float]], across: list[tuple[float, float, float]] | None = None
) -> list[tuple[float, float, float]]:
    """Runs on one line (positions within 2 pt) with gaps up to _MAX_RULE_GAP_PT, joined; not a gap
    whose both ends meet one of the rules `across` (where a merged cell leaves the rule out)."""

    def meets(pos: float, at: float) -> bool:
        tol = _RULE_TOUCH_PT
        return any(abs(y - at) <= tol and a - tol <= pos <= b + tol for y, a, b in across or ())

    # The runs on each line, each line's in order along it: a run is joined to the one before it on
    # its own line only (sorted by rounded position instead, a column rule 1.4 pt beside a title's
    # glyph stroke further down the page was joined to that stroke and lost).
    lines: list[list[tuple[float, float, float]]] = []
    for run in sorted(runs):
        if lines and run[0] - lines[-1][0][0] <= 2:
            lines[-1].append(run)
        else:
            lines.append([run])
    out: list[list[float]] = []
    for line in lines:
        last: list[float] | None = None
        for pos, start, end in sorted(line, key=lambda r: r[1]):
            if (
                last is not None
                and start - last[2] <= _MAX_RULE_GAP_PT
                and not (meets(pos, last[2]) and meets(pos, start))
            ):
                last[2] = max(last[2], end)
            else:
                last = [pos, start, end]
                out.append(last)
    return [(p, a, b) for p, a, b in out]


# Share of a page's printed characters that no Chinese report prints, above which its text layer is
# not read: control codes and private-use code points (glyph ids of a font without its ToUnicode
# map), U+FFFD, CJK extension A (㧧㨋: codes mapped into the wrong block) and accented Latin (ÿ, Ā).
_UNREADABLE_SHARE = 0.05
_MIN_PAGE_CHARS = 20


# The same code points, one character class: told at C speed, not a Python call per character.
_UNREADABLE = re.compile("[\x00-\x1f\x7f-\x9f\u00c0-\u024f\u3400-\u4dbf\ue000-\uf8ff\ufffd-\uffff]")


# Characters a font's broken map to Unicode gives that no report prints, however few: a control code
# (a glyph's code read as itself; not U+0002, PDFium's mark for a hyphen ending a line), or an
# accented Latin letter beside a Chinese character. Ghostscript re-distilling a browser's print
# rewrites the maps' ranges wrongly: （盖章） reads `ÿ盖章Ā`, 年度 `\x80度`, 报表 `ç表` — a few
# characters a page, under the share above, among others it turns into plausible ones (≥ read as
# `g`, 、 as `1`). Pinyin keeps its tone marks among Latin letters (`（Ānhuī）`); × and ÷ are signs.
_ACCENTED = "\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f"
_IDEOGRAPHS = ocr_checks.IDEOGRAPHS
_MISMAPPED = re.compile(
    f"[\x00\x01\x03-\x08\x0e-\x1f\x7f-\x9f]|(?<=[{_IDEOGRAPHS}])[{_ACCENTED}]|[{_ACCENTED}](?=[{_IDEOGRAPHS}])"
)
# More mis-mapped characters than this on a page: its text layer is not read.
_MAX_MISMAPPED = 1


UNREADABLE_TEXT = "unreadable text"


def needs_ocr(texts: list[str]) -> str | None:
    """Why a page's text layer is not to be read ("no text", "unreadable text"), or None to read it,
    from its characters' texts."""
    printed = [t for t in texts if t.strip()]
    if len(printed) < _MIN_PAGE_CHARS:
        return "no text"
    search = _UNREADABLE.search
    bad = sum(1 for t in printed if search(t))
    if bad > _UNREADABLE_SHARE * len(printed):
        return UNREADABLE_TEXT
    if len(_MISMAPPED.findall("".join(texts))) > _MAX_MISMAPPED:
        return UNREADABLE_TEXT
    return None
