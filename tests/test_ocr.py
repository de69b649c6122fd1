"""Scanned and re-distilled files read by OCR into the same records, every doubtful one flagged (issue 28).

The fixtures (tests/fixtures/scans, made by tests/fixtures/generator/scans.py) are scans and a
re-distilled copy of committed fixture PDFs, read against the truth of the file they were made from.
Each OCR read costs seconds of CPU: shared per session; the default tier reads three fixtures (the
tests are `slow`), the e2e tier (CI, `make test-e2e`) every other one, the Suzhou scan, a build, and
held-out-like scans made at test time from fixtures never scanned (HELD_OUT).
"""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pytest

import extract
from extract import errors, ocr_checks, ocr_pages, ocr_review, pdfium_pages, report
from extract.lib.geometry import rule
from extract.models import FundingLine
from extract.settings import DEFAULT_SETTINGS
from tests.conftest import BAD_DIR
from tests.lib.ocr_records import PROV, SURE, one_table_file
from tests.truth import (
    AMOUNT_FIELDS,
    FIXTURES,
    actual_records,
    as_read,
    expected_records,
    field_diffs,
    load_truth,
    project_field_accuracy,
    record_of,
    table_truth,
)

SCANS = FIXTURES / "scans"
# Each OCR fixture of a file of tables (every table form, tests/fixtures/generator/scans.py) and the
# committed file it was made from, whose truth it reads against.
TABLE_SCANS = {
    "national_word_single_scan": "projects/national_word_single",
    "sichuan_word_single_scan": "projects/sichuan_word_single",
    "national_browser_pair_scan": "projects/national_browser_pair",
    "anhui_word_single_scan": "projects/anhui_word_single",
    "department_national_word_scan": "departments/national_word",
    "department_anhui_word_scan": "departments/anhui_word",
    "department_chongqing_word_scan": "departments/chongqing_word",
    "department_scoring_word_scan": "departments/scoring_word",
    "national_word_single_redistilled": "projects/national_word_single",
    "sichuan_word_single_redistilled": "projects/sichuan_word_single",
    "anhui_word_single_redistilled": "projects/anhui_word_single",
    "department_national_word_redistilled": "departments/national_word",
    "department_anhui_word_redistilled": "departments/anhui_word",
    "department_chongqing_word_redistilled": "departments/chongqing_word",
    "department_scoring_word_redistilled": "departments/scoring_word",
}


# Read in the default tier (~9 s of CPU); every other fixture is read by the e2e tier (CI).
QUICK = ("national_word_single_scan", "department_scoring_word_scan", "national_word_single_redistilled")


def _tier(names) -> list:
    """`names` as parameters, those outside QUICK in the e2e tier."""
    return [n if n in QUICK else pytest.param(n, marks=pytest.mark.e2e) for n in sorted(names)]


class _Reads(dict):
    """Each table scan read the first time a test asks for it, once per session (~3 s of CPU a page)."""

    def __missing__(self, name: str) -> extract.ProjectFile:
        result = extract.read_report(SCANS / f"{name}.pdf")
        assert isinstance(result, extract.ProjectFile)
        self[name] = result
        return result


@pytest.fixture(scope="session")
def ocr_read() -> dict[str, extract.ProjectFile]:
    return _Reads()


def _truth(name: str) -> list[dict]:
    return table_truth(*TABLE_SCANS[name].split("/"))


def _differences(name: str, result: extract.ProjectFile) -> list[str]:
    return project_field_accuracy(_truth(name), as_read(result, f"{TABLE_SCANS[name].split('/')[1]}.pdf"))[2]


@pytest.mark.slow
def test_scanned_national_table_reads_every_field_exactly(ocr_read):
    assert _differences("national_word_single_scan", ocr_read["national_word_single_scan"]) == []


@pytest.mark.slow
@pytest.mark.parametrize(
    "name", _tier(n for n in TABLE_SCANS if n.startswith("department_") or n.startswith("anhui_"))
)
def test_scanned_department_and_anhui_tables_read_every_field_exactly(ocr_read, name):
    assert _differences(name, ocr_read[name]) == []


_NUMBERS = {"fiscal_year", "initial_budget", "adjusted_budget", "actual_spend", "execution_rate_pct"}
_NUMBERS |= {"weight", "score", "total_weight", "total_score"}


@pytest.mark.slow
@pytest.mark.parametrize("name", _tier(TABLE_SCANS))
def test_every_number_of_a_scan_is_exact(ocr_read, name):
    fields = [d.split(":")[0].split(".")[-1] for d in _differences(name, ocr_read[name])]
    assert [f for f in fields if f in _NUMBERS] == []


@pytest.mark.slow
@pytest.mark.parametrize("name", _tier(TABLE_SCANS))
def test_every_ocr_misreading_is_flagged(ocr_read, name):
    result = ocr_read[name]
    unflagged = [d for d in _differences(name, result) if not record_of(result, d).needs_review]
    assert unflagged == []


@pytest.mark.slow
def test_scan_records_say_they_were_read_by_ocr(ocr_read):
    result = ocr_read["national_word_single_scan"]
    assert result.ocr_pages == (1,)
    records = [r for p in result.projects for r in (p, *p.funding_lines, *p.indicators)]
    assert {r.text_source for r in records} == {"ocr"}
    assert all(r.ocr_confidence is None or 0 <= r.ocr_confidence <= 1 for r in records)


@pytest.mark.slow
def test_one_unsure_digit_flags_its_row(ocr_read):
    # The total line's score 9.68: its 6 read at 0.75, the line's mean 0.94: the row and its table.
    table = ocr_read["national_word_single_scan"].projects[0]
    total = next(line for line in table.funding_lines if line.funding_source == "total")
    assert total.score == Decimal("9.68")
    assert total.needs_review and total.ocr_confidence is not None and total.ocr_confidence < 0.9
    assert table.needs_review


@pytest.mark.slow
def test_dashes_the_cells_ink_confirms_leave_their_rows_unflagged(ocr_read):
    # 其他资金 prints a dash in its empty cells (one under the seal), read by the recogniser at
    # 0.5-0.8: one flat stroke in each cell, so the row is sure.
    table = ocr_read["national_word_single_scan"].projects[0]
    other = next(line for line in table.funding_lines if line.funding_source == "other")
    assert (other.adjusted_budget, other.actual_spend, other.needs_review) == (None, None, False)


@pytest.mark.slow
def test_redistilled_text_layer_is_read_by_ocr_under_auto(ocr_read):
    result = ocr_read["national_word_single_redistilled"]
    assert result.ocr_pages == (1,)
    assert result.projects[0].project_name == "高标准农田建设项目管护经费"
    assert [line.actual_spend for line in result.projects[0].funding_lines][:2] == [
        Decimal("131.28"),
        Decimal("123.68"),
    ]


@pytest.mark.slow
def test_json_carries_the_flags(ocr_read):
    table = ocr_read["national_word_single_scan"].to_json_dicts()[0]
    assert (table["text_source"], table["needs_review"]) == ("ocr", True)
    assert {line["text_source"] for line in table["funding_lines"]} == {"ocr"}


def test_redistilled_file_without_ocr_is_not_recognised():
    never = extract.ExtractSettings(ocr="never")
    with pytest.raises(errors.NotASelfEvaluationReportError):
        extract.read_report(SCANS / "national_word_single_redistilled.pdf", never)


def test_image_only_file_without_ocr_has_no_text_layer():
    with pytest.raises(errors.NoTextLayerError):
        extract.read_report(BAD_DIR / "scanned.pdf", extract.ExtractSettings(ocr="never"))


def test_unknown_ocr_mode_is_refused():
    with pytest.raises(ValueError, match="ocr must be one of auto, always, never"):
        extract.ExtractSettings(ocr="sometimes")


def _chars(text: str) -> list[str]:
    return list(text)


def test_text_layer_of_glyph_ids_is_unreadable():
    # What national_word_single.pdf's first lines read as once its ToUnicode maps are gone.
    glyph_ids = "\x01\x04\x05\x06\x07\x08\t\x01 \x04\x05\x06\x07\x08\t\n \x0b\x0c\x0e\x0f\x10\x11\x07\x08\x12"
    assert ocr_pages.needs_ocr(_chars(glyph_ids + "3 4")) == "unreadable text"


def test_chinese_text_layer_is_read():
    assert ocr_pages.needs_ocr(_chars("项目支出绩效自评表（2022年度）年度资金总额 120.00 135.60")) is None


def test_page_of_almost_no_text_is_ocred():
    assert ocr_pages.needs_ocr(_chars("第 1 页")) == "no text"


# A table's lines of print, 124 characters: few marks beside them stay under the share of 5%.
_PRINT = (
    "主管部门岷川县农业农村局实施单位岷川县农业农村局项目年度目标严格执行相关政策保障工资及时足额发放"
    "全年按月足额发放在职人员工资按时缴纳社会保险年初预算238.93调整后预算数251.89预算执行数251.89"
    "项目自评得分100分工资及社保资金足额保障"
)


def test_few_characters_mis_mapped_beside_chinese_make_a_text_layer_unreadable():
    # Ghostscript's copy of a browser's print: （盖章） as ÿ盖章Ā, 年度 as \x80度 (3 in 130: 2%).
    assert ocr_pages.needs_ocr(_chars(_PRINT + "ÿ盖章Ā\x80度")) == "unreadable text"


def test_pinyin_signs_and_line_end_hyphens_leave_a_text_layer_readable():
    assert ocr_pages.needs_ocr(_chars(_PRINT + "安徽（Ānhuī）执行数÷预算数×100%编码R031207\x02工资")) is None


def test_text_layer_pages_are_not_flagged():
    result = extract.read_report(FIXTURES / "projects" / "national_word_single.pdf")
    table = result.projects[0]
    assert (table.text_source, table.needs_review, table.ocr_confidence) == ("text_layer", False, None)
    assert result.ocr_pages == ()


def test_recognised_punctuation_set_as_chinese_print_sets_it():
    assert ocr_pages.cjk_punctuation("产出指标(50分)") == "产出指标（50分）"
    assert ocr_pages.cjk_punctuation("其中:当年财政拨款 1,234.5") == "其中：当年财政拨款1,234.5"
    assert ocr_pages.cjk_punctuation("(2)") == "(2)"
    assert ocr_pages.cjk_punctuation("8730 户") == "8730户"


# --- the arithmetic a record read by OCR must pass (extract.ocr_review) ------------------------------


def _funding(rate: str, score: str | None = "9.68", weight: str | None = "10") -> FundingLine:
    return FundingLine(
        "年度资金总额", "total", Decimal("120.00"), Decimal("135.60"), Decimal("131.28"), Decimal(rate),
        None if weight is None else Decimal(weight), None if score is None else Decimal(score), None, PROV,
    )  # fmt: skip


def _flagged(line: FundingLine) -> bool:
    return ocr_review.review(one_table_file((line,)), SURE, 0.9).projects[0].funding_lines[0].needs_review


def test_rate_that_is_actual_over_budget_passes():
    assert not _flagged(_funding("96.81"))  # 131.28 / 135.60 = 96.814%


def test_rate_that_lost_its_decimal_point_is_flagged():
    assert _flagged(_funding("9681"))


def test_score_above_its_weight_is_flagged():
    assert _flagged(_funding("96.81", score="96.8"))


def test_low_confidence_is_flagged_even_when_the_arithmetic_holds():
    unsure = {1: (ocr_pages.OcrBox(1, (10.0, 5.0, 50.0, 15.0), "x", 0.6),)}
    line = ocr_review.review(one_table_file((_funding("96.81"),)), unsure, 0.9).projects[0].funding_lines[0]
    assert (line.ocr_confidence, line.needs_review) == (0.6, True)


def _table_flagged(text: str, mean: float = 0.96) -> bool:
    """A table (no rows) with one line of `text` inside it, its least sure character at 0.54."""
    unsure = {1: (ocr_pages.OcrBox(1, (10.0, 5.0, 50.0, 15.0), text, 0.54, mean),)}
    return ocr_review.review(one_table_file(()), unsure, 0.9).projects[0].needs_review


def test_unsure_character_of_a_line_a_table_field_holds_flags_the_table():
    assert _table_flagged("项目")  # its project_name


def test_printed_label_no_field_holds_is_as_sure_as_its_mean():
    assert not _table_flagged("（50分）")
    assert _table_flagged("（50分）", mean=0.6)


def test_rule_gap_from_one_horizontal_rule_to_the_next_is_a_merged_cell():
    # A vertical rule at x=408 above and below one row (110-123) whose cell spans it: two rules.
    horizontal = [(110.0, 40.0, 540.0), (123.0, 40.0, 540.0)]
    runs = [(408.0, 97.0, 110.0), (408.0, 123.0, 150.0)]
    assert ocr_pages.join_runs(runs, horizontal) == runs


def test_rule_broken_inside_a_cell_is_one_rule():
    horizontal = [(110.0, 40.0, 540.0), (150.0, 40.0, 540.0)]
    assert ocr_pages.join_runs([(408.0, 110.0, 125.0), (408.0, 131.0, 150.0)], horizontal) == [
        (408.0, 110.0, 150.0)
    ]


def test_column_rule_beside_a_title_stroke_further_down_is_kept():
    # sichuan_browser_year_title.pdf read by OCR: the column rule at x=244.2 and a stroke of 部 at
    # x=242.8 in each of the page's two titles (above the table and below it).
    horizontal = [(242.2, 42.5, 551.4), (485.5, 42.5, 551.4)]
    title_strokes = [(242.8, 74.9, 87.1), (242.8, 605.8, 618.0)]
    column = (244.2, 242.2, 485.5)
    assert column in ocr_pages.join_runs([*title_strokes, column], horizontal)


def test_strokes_inside_a_recognised_line_are_no_rules():
    # The title's 算 and 项 (a bar 30 pt long, and upright strokes meeting it) in the line read as
    # `2023年度部门预算项目支出绩效自评表`; the table's rules, one crossing a line read across it.
    title = [(157.9, 72.3), (437.1, 72.3), (437.1, 89.6), (157.9, 89.6)]
    across = [(190.0, 282.0), (282.0, 282.0), (282.0, 298.0), (190.0, 298.0)]
    strokes = [rule(278.2, 76.3, 308.5, 76.3), rule(281.5, 74.1, 281.5, 88.9)]
    table = [rule(42.5, 94.8, 551.4, 94.8), rule(244.2, 242.2, 244.2, 485.5)]
    assert ocr_pages.outside_text_lines([*strokes, *table], [title, across], scale=1.0) == table


def test_ink_no_recognised_line_covers_is_found():
    page = np.full((200, 300), 255, np.uint8)
    page[50:70, 40:44] = 0  # a stroke the detector found (inside its box)
    page[120:140, 200:204] = 0  # and one it missed: a '1' 20 px tall
    found = [[(30, 45), (60, 45), (60, 75), (30, 75)]]
    assert ocr_pages.unread_ink(page, found, scale=2.78) == [(200, 120, 204, 140)]


# --- what the page's ink confirms or doubts (extract.ocr_checks) -------------------------------------

_BOX = [(10, 10), (50, 10), (50, 40), (10, 40)]  # a recognised line's quad, pixels


def _blank() -> np.ndarray:
    return np.full((60, 80), 255, np.uint8)


def test_line_is_as_sure_as_its_least_sure_character():
    # '级主管部内交办': mean 0.965, 内 (a misread 门) at 0.55.
    scores = [1.0, 1.0, 1.0, 1.0, 0.55, 1.0, 1.0]
    assert ocr_checks.line_confidence(_blank(), _BOX, "级主管部内交办", 0.965, scores) == 0.55


def test_lone_dash_the_cells_ink_confirms_is_sure():
    page = _blank()
    page[24:27, 22:38] = 0  # one flat stroke
    assert ocr_checks.line_confidence(page, _BOX, "—", 0.62, [0.62]) == 1.0


def test_two_flat_strokes_read_as_a_dash_stay_unsure():
    page = _blank()
    page[20:23, 22:38] = 0  # '=': two strokes
    page[28:31, 22:38] = 0
    assert ocr_checks.line_confidence(page, _BOX, "—", 0.62, [0.62]) == 0.62


def test_ink_of_a_rule_the_box_reaches_into_is_no_stroke_of_the_dash():
    page = _blank()
    page[24:27, 22:38] = 0  # the dash
    page[38:41, 0:80] = 0  # a horizontal rule at y=39 (points = pixels here) ...
    page[37, 12:30] = 200  # ... and its faint edge, half as wide as the box
    rule = {"orientation": "h", "x0": 0.0, "x1": 80.0, "top": 39.0, "bottom": 39.0}
    assert ocr_checks.line_confidence(page, _BOX, "—", 0.8, [0.8]) == 0.8
    assert ocr_checks.line_confidence(page, _BOX, "—", 0.8, [0.8], rules=[rule]) == 1.0


def test_lone_slash_leaning_right_is_sure():
    page = _blank()
    for row in range(14, 37):  # x grows as the stroke rises
        page[row, 40 - (row - 14) // 2 : 42 - (row - 14) // 2] = 0
    assert ocr_checks.line_confidence(page, _BOX, "/", 0.52, [0.52]) == 1.0


def test_one_read_out_of_a_vertical_rule_makes_its_line_unsure():
    # '0%' read '10%' (0.97 0.99 1.0): the 1 spans the cell's left rule at x=397.
    spans = [(396.0, 400.0), (400.0, 404.5), (404.5, 409.0)]
    rule = {"orientation": "v", "x0": 397.0, "x1": 397.0, "top": 300.0, "bottom": 330.0}
    scores = [0.97, 0.99, 1.0]
    assert ocr_checks.line_confidence(_blank(), _BOX, "10%", 0.987, scores, spans, [rule]) == 0.0
    beside = {**rule, "x0": 390.0, "x1": 390.0}
    assert ocr_checks.line_confidence(_blank(), _BOX, "10%", 0.987, scores, spans, [beside]) == 0.97


def test_unread_lone_dash_is_an_empty_cell():
    page = _blank()
    page[24:27, 22:38] = 0
    assert ocr_checks.is_empty_cell_mark(page, (22, 24, 38, 27), [(22, 24, 38, 27)])


def test_unread_equals_sign_is_no_empty_cell():
    page = _blank()
    page[20:23, 22:38] = 0
    page[28:31, 22:38] = 0
    strokes = [(22, 20, 38, 23), (22, 28, 38, 31)]
    assert not any(ocr_checks.is_empty_cell_mark(page, box, strokes) for box in strokes)


def test_unread_upright_stroke_is_no_empty_cell():
    page = _blank()
    page[14:36, 30:33] = 0  # a '1' the detector missed
    assert not ocr_checks.is_empty_cell_mark(page, (30, 14, 33, 36), [(30, 14, 33, 36)])


def _percent_sign(per_mille: bool) -> np.ndarray:
    """A line 'x%' drawn as a 200 dpi scan prints it (ink 22 px tall, as the held-out scan's): a
    circle above, the slash, and below one circle (%) or two side by side (‰, the held-out scan's
    DejaVu glyph: circles 8 px wide, 13 tall)."""
    import cv2

    page = np.full((40, 80), 255, np.uint8)
    cv2.ellipse(page, (12, 13), (3, 6), 0, 0, 360, 0, 1)  # the circle above
    cv2.line(page, (26, 7), (16, 29), 0, 2)  # the slash
    for x in (28, 38) if per_mille else (28,):
        cv2.ellipse(page, (x, 23), (3, 6), 0, 0, 360, 0, 1)
    return page


_PERCENT_QUAD = [(2, 4), (44, 4), (44, 34), (2, 34)]


def test_percent_shaped_like_per_mille_makes_its_line_unsure():
    # '1.2‰' read '1.2%' at 0.9994 in the held-out scan of departments/national_browser_long.
    line = ocr_checks.line_confidence(
        _percent_sign(per_mille=True), _PERCENT_QUAD, "%", 0.9994, [0.9994], [(9.0, 44.0)]
    )
    assert line == 0.0


def test_percent_with_one_circle_below_stays_sure():
    line = ocr_checks.line_confidence(
        _percent_sign(per_mille=False), _PERCENT_QUAD, "%", 0.9994, [0.9994], [(9.0, 44.0)]
    )
    assert line == 0.9994


def _number_and_unit(gap_px: int) -> tuple[np.ndarray, list[tuple[float, float]]]:
    """A line '5个' 30 px tall: a ring (the digit), `gap_px` of paper, a cross (the Chinese
    character), and each one's span as the recogniser gives it (the parting a few pixels off)."""
    import cv2

    page = np.full((50, 120), 255, np.uint8)
    cv2.ellipse(page, (20, 25), (8, 15), 0, 0, 360, 0, 2)
    left = 29 + gap_px
    page[23:26, left : left + 30] = 0
    page[10:41, left + 14 : left + 17] = 0
    return page, [(10.0, 29.0 + gap_px // 2 + 3), (29.0 + gap_px // 2 + 3, left + 30.0)]


_UNIT_QUAD = [(5, 5), (110, 5), (110, 45), (5, 45)]


def test_gap_a_space_or_autospacing_prints_beside_chinese_makes_its_line_unsure():
    # '=5 个' read '=5个' (the Suzhou scan): 16 px of paper in 33 px of ink (0.48); a typed space and
    # Word's automatic spacing between Chinese and digits print alike.
    page, spans = _number_and_unit(gap_px=14)
    assert ocr_checks.line_confidence(page, _UNIT_QUAD, "5个", 0.99, [0.99, 0.99], spans) == 0.0


def test_tight_number_and_chinese_character_stay_sure():
    # Chromium and Calc print a digit and a Chinese character 0.05-0.2 of the ink's height apart.
    page, spans = _number_and_unit(gap_px=3)
    assert ocr_checks.line_confidence(page, _UNIT_QUAD, "5个", 0.99, [0.99, 0.99], spans) == 0.99


def test_models_ship_inside_the_rapidocr_package():
    import rapidocr

    models = sorted(p.name for p in (Path(rapidocr.__file__).parent / "models").glob("*.onnx"))
    assert any("det" in m for m in models) and any("rec" in m for m in models)


def test_cli_ocr_never_rejects_the_image_only_file(capsys):
    from orchestration.cli import main

    assert main(["extract", "--ocr", "never", str(BAD_DIR / "scanned.pdf")]) == 1
    assert "no text layer" in capsys.readouterr().err


@pytest.mark.e2e
def test_cli_prints_the_flags_of_a_scan(capfd):
    from orchestration.cli import main

    assert main(["extract", str(SCANS / "national_word_single_scan.pdf")]) == 0
    out, err = capfd.readouterr()
    # progress per page, from the worker that reads it
    assert "selfeval: national_word_single_scan.pdf: page 1 of 1 read by OCR (no text)\n" in err
    table = json.loads(out)
    assert (table["text_source"], table["needs_review"]) == ("ocr", True)
    assert [line["actual_spend"] for line in table["funding_lines"]][:2] == [131.28, 123.68]


@pytest.mark.e2e
def test_text_layer_that_shows_no_form_is_read_by_ocr(monkeypatch):
    # As if the re-distilled text passed the character check (wrong but plausible characters):
    # no form recognises its first page, so the pages are read by OCR.
    monkeypatch.setattr(ocr_pages, "needs_ocr", lambda chars: None)
    result = extract.read_report(SCANS / "national_word_single_redistilled.pdf")
    assert result.ocr_pages == (1,)
    assert result.projects[0].funding_lines[0].actual_spend == Decimal("131.28")


# --- held-out-like scans, made at test time from fixtures never scanned for the tests above ----------

# (fixture, rotation in degrees, the seal's centre) at 200 dpi, noise, JPEG: as the held-out set.
HELD_OUT = {
    "projects/anhui_browser_pair": (0.6, (0.5, 0.3)),
    "projects/sichuan_browser_long": (0.9, (0.6, 0.5)),
    "projects/national_word_year_title": (0.5, (0.4, 0.7)),
    "departments/chongqing_browser": (-0.4, (0.3, 0.6)),
    "departments/national_browser_long": (-1.0, (0.6, 0.4)),
    "departments/anhui_calc": (-0.6, (0.5, 0.5)),
    "departments/scoring_calc": (0.8, (0.7, 0.3)),
    "projects/sichuan_browser_year_title": (0.98, (0.48, 0.65)),
}


@pytest.fixture(scope="session")
def held_out(tmp_path_factory) -> dict[str, tuple[extract.ProjectFile, list[str]]]:
    """Each held-out scan made (tests/fixtures/generator/scans.py), read, and its differences from the
    truth of the file it was made from; once per session, on first use."""
    from tests.fixtures.generator.scans import Scan, make_scan

    folder = tmp_path_factory.mktemp("held_out")

    class Reads(dict):
        def __missing__(self, source: str):
            angle, seal = HELD_OUT[source]
            stem = source.split("/")[1]
            scan = Scan(f"{stem}_scan", FIXTURES / f"{source}.pdf", 200, angle, seal, quality=45, seed=7)
            self[source] = _read_copy(make_scan(scan, folder), source)
            return self[source]

    return Reads()


def _read_copy(copy: Path, source: str) -> tuple[extract.ProjectFile, list[str]]:
    """A copy of the fixture `source` (`projects/<stem>`) read, and its differences from its truth."""
    kind, stem = source.split("/")
    result = extract.read_report(copy)
    assert isinstance(result, extract.ProjectFile)
    return result, project_field_accuracy(table_truth(kind, stem), as_read(result, f"{stem}.pdf"))[2]


@pytest.mark.e2e
@pytest.mark.parametrize("source", sorted(HELD_OUT))
def test_every_number_of_a_held_out_scan_is_exact(held_out, source):
    _, differences = held_out[source]
    assert [d for d in differences if d.split(":")[0].split(".")[-1] in _NUMBERS] == []


@pytest.mark.e2e
@pytest.mark.parametrize("source", sorted(HELD_OUT))
def test_every_misreading_of_a_held_out_scan_is_flagged(held_out, source):
    result, differences = held_out[source]
    assert [d for d in differences if not record_of(result, d).needs_review] == []


# --- re-distilled copies of a browser's print, made at test time ------------------------------------

# Chromium's print of Sichuan tables with the year in their title, re-distilled by qpdf (every font's
# map to Unicode removed) and by Ghostscript (`gs -sDEVICE=pdfwrite`: the maps partly wrong).
BROWSER_PRINT = "projects/sichuan_browser_year_title"
REDISTILLERS = ("qpdf", "gs")


def _redistilled(tool: str, folder: Path, source: str = BROWSER_PRINT) -> Path:
    from tests.fixtures.generator.scans import make_ghostscript, make_redistilled

    if shutil.which(tool) is None:
        pytest.skip(f"needs {tool} on PATH to re-distil a fixture")
    stem = source.split("/")[1]
    make = make_redistilled if tool == "qpdf" else make_ghostscript
    return make(f"{stem}_{tool}", FIXTURES / f"{source}.pdf", folder)


@pytest.fixture(scope="session")
def redistilled(tmp_path_factory) -> dict[str, tuple[extract.ProjectFile, list[str]]]:
    """Each re-distilled copy made, read and compared with the print's truth; once per session."""
    folder = tmp_path_factory.mktemp("redistilled")

    class Reads(dict):
        def __missing__(self, tool: str):
            self[tool] = _read_copy(_redistilled(tool, folder), BROWSER_PRINT)
            return self[tool]

    return Reads()


def test_ghostscript_copy_of_a_browser_print_has_every_page_read_by_ocr(tmp_path):
    copy = _redistilled("gs", tmp_path)
    pdf = pdfium.PdfDocument(copy)
    try:
        texts = [[c[0] for c in pdfium_pages.read_page(pdf, i).char_tuples] for i in range(len(pdf))]
    finally:
        pdf.close()
    assert [ocr_pages.needs_ocr(t) for t in texts] == ["unreadable text"] * 3


def test_text_layer_unreadable_on_one_page_is_not_trusted_on_the_others(tmp_path, monkeypatch):
    # Ghostscript's copy of national_browser_long: page 1 reads `ÿ万元Ā`, page 2 only plausible
    # misreadings (≥90% as `g90%`), which loaded unflagged from its text layer.
    copy = _redistilled("gs", tmp_path, "departments/national_browser_long")
    read = []

    def recognised(pdf, index: int) -> ocr_pages.OcrPage:  # no recogniser run: which pages, not what
        read.append(index + 1)
        return ocr_pages.OcrPage(pdfium_pages.PdfiumPage(index + 1, 595.0, 842.0), (), 0.0)

    monkeypatch.setattr(ocr_pages, "read_page", recognised)
    report._read_pages(copy, copy.read_bytes(), DEFAULT_SETTINGS)
    assert sorted(read) == [1, 2]


@pytest.mark.e2e
@pytest.mark.parametrize("tool", REDISTILLERS)
def test_every_number_of_a_redistilled_browser_print_is_exact(redistilled, tool):
    result, differences = redistilled[tool]
    assert result.ocr_pages == (1, 2, 3)
    assert [d for d in differences if d.split(":")[0].split(".")[-1] in _NUMBERS] == []


@pytest.mark.e2e
@pytest.mark.parametrize("tool", REDISTILLERS)
def test_every_misreading_of_a_redistilled_browser_print_is_flagged(redistilled, tool):
    result, differences = redistilled[tool]
    assert [d for d in differences if not record_of(result, d).needs_review] == []


# --- a department-wide report (the Suzhou form), scanned at 150 dpi -----------------------------------


@pytest.fixture(scope="session")
def suzhou_scan() -> extract.Report:
    result = extract.read_report(SCANS / "nantong_culture_2023_scan.pdf")
    assert isinstance(result, extract.Report)
    return result


@pytest.mark.e2e
def test_scanned_report_reads_every_budget_number_exactly(suzhou_scan):
    def amounts(lines: list[dict]) -> list[dict]:
        return [{k: line[k] for k in AMOUNT_FIELDS} for line in lines]

    want = expected_records(load_truth("nantong_culture_2023"))["budget_lines"]
    assert field_diffs(amounts(want), amounts(actual_records(suzhou_scan)["budget_lines"])) == []


@pytest.mark.e2e
@pytest.mark.parametrize("table", ["budget_lines", "key_tasks", "indicators"])
def test_every_misread_row_of_a_scanned_report_is_flagged(suzhou_scan, table):
    # 门 read as 内 (at 0.46-0.62 in lines whose mean is 0.95-0.98), 目 as 日, a rule as the 1 of
    # '10%', a space between a number and its unit lost ('=5 个' read '=5个'): each flags its row.
    want = expected_records(load_truth("nantong_culture_2023"))[table]
    got = actual_records(suzhou_scan)[table]
    assert len(got) == len(want)
    records = getattr(suzhou_scan, table)
    misread = [n for n, (w, g) in enumerate(zip(want, got, strict=True)) if w != g]
    assert [n for n in misread if not records[n].needs_review] == []


@pytest.mark.e2e
def test_number_and_unit_printed_a_space_or_autospacing_apart_are_flagged(suzhou_scan):
    # '=5 个' is read '=5个': the gap a typed space prints, Word's automatic spacing prints too.
    want = expected_records(load_truth("nantong_culture_2023"))["indicators"][24]
    row = suzhou_scan.indicators[24]
    assert (want["target_raw"], row.target_raw, row.needs_review) == ("=5 个", "=5个", True)


@pytest.mark.e2e
def test_scanned_report_lists_its_ocr_pages(suzhou_scan):
    assert suzhou_scan.ocr_pages == (1, 2, 3, 4, 5)
    assert suzhou_scan.department == "南通市文化广电和旅游局"


# --- a scan through a whole build: the warehouse, the audit, the summary and the evidence report ------


@pytest.fixture(scope="module")
def scan_build(tmp_path_factory):
    """`selfeval build` (in this process) over the scanned national project table (rows flagged)."""
    from tests.lib.in_process import build_in_process, inbox_of

    tmp = tmp_path_factory.mktemp("scan_build")
    inbox = inbox_of(tmp, {"scan.pdf": SCANS / "national_word_single_scan.pdf"})
    run = build_in_process(inbox, tmp / "data", tmp / "warehouse.duckdb")
    return run.code, run.out, tmp


def _query(warehouse: Path, sql: str) -> list[tuple]:
    import duckdb

    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


@pytest.mark.e2e
def test_dim_report_says_which_pages_were_read_by_ocr(scan_build):
    _, _, tmp = scan_build
    rows = _query(
        tmp / "warehouse.duckdb", "select ocr_pages, text_source, needs_review from marts.dim_report"
    )
    assert rows == [([1], "ocr", True)]


@pytest.mark.e2e
def test_summary_lists_the_pages_read_by_ocr(scan_build):
    code, out, _ = scan_build
    assert code == 0
    assert "files read by OCR: 1 (doubtful rows: rule ocr_needs_review)\n  scan.pdf: pages 1\n" in out


@pytest.mark.e2e
def test_every_flagged_row_in_the_marts_is_an_audit_finding_with_its_page(scan_build):
    _, _, tmp = scan_build
    warehouse = tmp / "warehouse.duckdb"
    flagged = _query(
        warehouse,
        "select line_name, source_page from marts.fct_spend where needs_review union all "
        "select indicator_name, source_page from marts.fct_indicator where needs_review union all "
        "select task_text, source_page from marts.fct_key_task where needs_review",
    )
    found = _query(
        warehouse, "select subject, source_page from audit.findings where rule = 'ocr_needs_review'"
    )
    assert flagged and sorted(found) == sorted(flagged)
    every_row = _query(
        warehouse,
        "select distinct text_source from marts.fct_spend "
        "union select distinct text_source from marts.fct_indicator",
    )
    assert every_row == [("ocr",)]


@pytest.mark.e2e
def test_evidence_report_shows_a_crop_of_each_flagged_row(scan_build):
    _, _, tmp = scan_build
    count = _query(
        tmp / "warehouse.duckdb", "select count(*) from audit.findings where rule = 'ocr_needs_review'"
    )[0][0]
    site = tmp / "data" / "report"
    html = (site / "index.html").read_text(encoding="utf-8")
    assert html.count("ocr_needs_review") >= count
    assert len(list((site / "findings").glob("*.png"))) >= count
