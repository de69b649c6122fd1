"""Indicator levels read by OCR: the printed weight stripped as OCR reads it, and a level outside the
national vocabulary, or blank where the table's other rows print one, flagged (docs/ocr.md)."""

from __future__ import annotations

from decimal import Decimal

import pytest

import extract
from extract import ocr_review
from extract.forms.lib.project_table import without_printed_weight
from extract.lib.indicator_levels import LEVEL1, LEVEL2, is_known
from extract.models import ProjectIndicator
from tests.lib.ocr_records import PROV, SURE, one_table_file
from tests.truth import FIXTURES, as_read, project_field_accuracy, record_of, table_truth

# --- the printed weight as OCR reads it (extract.forms.lib.project_table) ----------------------------


@pytest.mark.parametrize(
    "read",
    [
        "产出指标（40（分）",  # 分's closing bracket read before it
        "产出指标（45分",  # the closing bracket lost
        "产出指标(45分）",  # half-width opening bracket
        "产出指标）40分）",  # the opening bracket read as a closing one
        "产出指标（40",  # 分） lost
    ],
)
def test_printed_weight_as_ocr_reads_it_is_stripped(read):
    assert without_printed_weight(read) == "产出指标"


def test_dangling_bracket_after_a_level_is_stripped():
    assert without_printed_weight("满意度指标（") == "满意度指标"


def test_bracket_inside_a_level_name_is_kept():
    assert without_printed_weight("社会（经济）效益指标") == "社会（经济）效益指标"


# --- the vocabulary (extract.lib.indicator_levels) ---------------------------------------------------


@pytest.mark.parametrize("level", ["产出指标", "满意度指标", "产出", "成本指标", "过程"])
def test_national_level1_is_known(level):
    assert is_known(level, LEVEL1)


@pytest.mark.parametrize("level", ["生态效益指标", "服务对象满意度指标", "经济成本指标", "预算执行"])
def test_national_level2_is_known(level):
    assert is_known(level, LEVEL2)


@pytest.mark.parametrize("read", ["#产产比七", "#产度比二", "产出指标（分", "产出指标（40（分）"])
def test_misread_level1_is_unknown(read):
    assert not is_known(read, LEVEL1)


# --- the flags (extract.ocr_review) ------------------------------------------------------------------


def _indicator(level1: str | None = "产出指标", level2: str | None = "数量指标", operator: str | None = "="):
    ten = Decimal("10")
    return ProjectIndicator(
        level1, level2, "造林面积", operator, "2万亩", None, "2.1万亩", ten, ten, None, provenance=PROV
    )


def _reviewed(*indicators: ProjectIndicator) -> list[bool]:
    result = ocr_review.review(one_table_file(indicators=indicators), SURE, 0.9)
    return [i.needs_review for i in result.projects[0].indicators]


def test_sure_indicator_of_known_levels_is_not_flagged():
    assert _reviewed(_indicator()) == [False]


def test_level1_outside_the_vocabulary_is_flagged():
    assert _reviewed(_indicator(level1="#产产比七")) == [True]


def test_level2_outside_the_vocabulary_is_flagged():
    assert _reviewed(_indicator(level2="生态效益损")) == [True]


def test_blank_level2_where_the_others_print_one_is_flagged():
    assert _reviewed(_indicator(), _indicator(level2=None)) == [False, True]


def test_blank_operator_where_the_others_print_one_is_flagged():
    assert _reviewed(_indicator(), _indicator(operator=None)) == [False, True]


def test_form_printing_no_levels_is_not_flagged():
    assert _reviewed(_indicator(None, None, None), _indicator(None, None, None)) == [False, False]


# --- end to end: a held-out-like scan of a table whose levels print their weights --------------------


@pytest.mark.e2e
def test_every_misreading_of_a_scan_of_weighted_levels_is_flagged(tmp_path):
    """projects/anhui_calc_compilation scanned as benchmarks/ocr_accuracy.py scans it (200 dpi, 0.56°,
    JPEG 45): its 产出指标（45分） read 产出指标（45分 was loaded unflagged."""
    from tests.fixtures.generator.scans import Scan, make_scan

    source = FIXTURES / "projects" / "anhui_calc_compilation.pdf"
    scan = Scan("anhui_calc_compilation_scan", source, 200, 0.56, (0.618, 0.224), quality=45, seed=30081)
    result = extract.read_report(make_scan(scan, tmp_path))
    assert isinstance(result, extract.ProjectFile)
    differences = project_field_accuracy(
        table_truth("projects", "anhui_calc_compilation"), as_read(result, source.name)
    )[2]
    unflagged = [d for d in differences if not record_of(result, d).needs_review]
    assert unflagged == []
