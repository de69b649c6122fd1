"""Project self-evaluation tables (issue 16): every committed project fixture extracts to its truth,
field for field; the project-table reader's rules one by one."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pypdfium2 as pdfium
import pytest

import extract
from extract import errors, pdfium_pages
from extract.forms import project_national, recognise
from extract.forms.lib.project_table import (
    cell_text,
    parse_points,
    read_file,
    split_code,
    without_printed_weight,
)
from extract.integrity import records as record_checks
from extract.settings import DEFAULT_SETTINGS
from extract.tables import Row, read_page
from tests.lib.project_pages import document, page, row
from tests.truth import PROJECTS_DIR, load_project_truth, project_field_accuracy, project_fixture_names

COMPILATION = PROJECTS_DIR / "national_calc_compilation.pdf"


@pytest.fixture(scope="module")
def compilation() -> extract.ProjectFile:
    return extract.read_report(COMPILATION)


@pytest.mark.parametrize("name", project_fixture_names())
def test_project_fixture_matches_truth(name):
    extracted = extract.read_report(PROJECTS_DIR / f"{name}.pdf")
    right, fields, diffs = project_field_accuracy(load_project_truth(name), extracted.to_json_dicts())
    assert diffs == []
    assert right == fields


def test_corpus_has_both_national_fixtures():
    assert {"national_word_single", "national_calc_compilation"} <= set(project_fixture_names())


def test_compilation_yields_one_report_per_table(compilation):
    assert isinstance(compilation, extract.ProjectFile)
    assert [p.project_name for p in compilation.projects] == [
        t["project_name"] for t in load_project_truth("national_calc_compilation")
    ]
    assert len(compilation.projects) == 5


def test_table_crossing_a_page_break_is_one_table(compilation):
    crossing = [p for p in compilation.projects if len(p.provenance.pages) > 1]
    truth = {t["project_name"]: t for t in load_project_truth("national_calc_compilation")}
    assert [p.project_name for p in crossing] == [n for n, t in truth.items() if len(t["pages"]) > 1]
    table = crossing[0]
    assert len(table.indicators) == len(truth[table.project_name]["indicators"])
    # The merged 一级 cell cut by the break is carried onto the rows after it.
    assert all(i.level1 for i in table.indicators)


def test_codes_are_split_from_names(compilation):
    first = compilation.projects[0]
    assert (first.department_code, first.implementing_unit_code) == ("219", "219001")
    assert not first.department.startswith("219")


def test_split_code_national_unit():
    assert split_code("219-池州市贵池区棠溪镇人民政府") == ("219", "池州市贵池区棠溪镇人民政府")


def test_split_code_sichuan_project_code():
    assert split_code("51000021R000000019951-工资性支出") == ("51000021R000000019951", "工资性支出")


def test_split_code_leaves_names_without_a_code():
    assert split_code("乡村振兴-产业发展补助") == (None, "乡村振兴-产业发展补助")


def test_printed_weight_stripped_from_level1():
    assert without_printed_weight("产出指标（50分）") == "产出指标"


def test_printed_decimal_weight_stripped_from_level1():
    assert without_printed_weight("效益指标(22.5分)") == "效益指标"


@pytest.mark.parametrize("printed", ["", "  ", "-", "/", "—", "－", "／", None])
def test_placeholders_are_null(printed):
    assert cell_text(printed) is None


def test_wrapped_cell_text_is_joined():
    assert cell_text("个别路段延\n期") == "个别路段延期"


def test_weights_scores_and_rates_are_decimal(compilation):
    line = compilation.projects[0].funding_lines[0]
    assert all(isinstance(v, Decimal) for v in (line.adjusted_budget, line.execution_rate_pct))
    assert all(isinstance(i.weight, Decimal) for p in compilation.projects for i in p.indicators)


def test_unfilled_table_reads_blank_scores_as_null(compilation):
    truth = load_project_truth("national_calc_compilation")
    unfilled = [t["project_name"] for t in truth if all(i["score"] is None for i in t["indicators"])]
    assert unfilled
    table = next(p for p in compilation.projects if p.project_name == unfilled[0])
    assert [i.score for i in table.indicators] == [None] * len(table.indicators)
    assert all(i.actual_raw is None for i in table.indicators)


def test_read_header_files_a_project_file_under_its_first_table():
    header = extract.read_header(COMPILATION)
    truth = load_project_truth("national_calc_compilation")[0]
    assert (header.fiscal_year, header.department) == (truth["fiscal_year"], truth["department"])
    assert header.title == "项目支出绩效自评表"


def _with_first_indicator(extracted: extract.ProjectFile, **changes) -> extract.ProjectFile:
    first = extracted.projects[0]
    indicators = (dataclasses.replace(first.indicators[0], **changes), *first.indicators[1:])
    return dataclasses.replace(extracted, projects=(dataclasses.replace(first, indicators=indicators),))


def test_integrity_rejects_an_indicator_without_its_name(compilation):
    with pytest.raises(errors.MalformedTableError, match="indicator 1: no level-1 type or name"):
        record_checks.check_project_file(COMPILATION, _with_first_indicator(compilation, indicator_name=""))


def test_integrity_rejects_a_replacement_character_in_a_project_table(compilation):
    with pytest.raises(errors.IntegrityError, match="replacement character U\\+FFFD in project table 1"):
        record_checks.check_project_file(
            COMPILATION, _with_first_indicator(compilation, target_raw="≥3\ufffd")
        )


def test_integrity_accepts_a_project_file_without_the_department_report_sections(compilation):
    record_checks.check_project_file(COMPILATION, compilation)  # no 一..九 sections, no section 四: no error


def test_merged_label_cell_left_open_at_a_page_break_is_closed():
    """Calc draws no bottom border under 绩效指标（90分） where it goes on past the page: its text
    must still land in a cell, not outside every cell (an integrity failure)."""
    pdf = pdfium.PdfDocument(PROJECTS_DIR / "sichuan_calc_compilation.pdf")
    try:
        page = read_page(pdfium_pages.read_page(pdf, 1), DEFAULT_SETTINGS)
    finally:
        pdf.close()
    assert page.chars_outside_cells == 0
    headers = [row.cells for frag in page.fragments for row in frag.rows if "一级指标" in row.cells]
    assert headers[0][0] == "绩效指标\n（90分）"


_HEADER = (
    "一级指标",
    "二级指标",
    "三级指标",
    "年度指标值",
    "实际完成值",
    "分值",
    "得分",
    "偏差原因分析及改进措施",
)
_X = [(60 + 40 * k, 100 + 40 * k) for k in range(len(_HEADER))]


def _indicator_row(page_number: int, top: float, *texts: str | None) -> Row:
    return row(page_number, top, (None, 0, 60), *((t, x0, x1) for t, (x0, x1) in zip(texts, _X, strict=True)))


def test_title_repeated_on_the_next_page_does_not_end_the_table():
    """A spreadsheet's print titles repeat the title and year above the rest of a table."""
    title = [(20, "项目支出绩效自评表"), (40, "（2022年度）")]
    first = page(
        1,
        title,
        [
            row(1, 100, ("项目名称", 0, 60), ("乡村道路维护", 60, 400)),
            row(1, 120, ("绩效指标", 0, 60), *((h, x0, x1) for h, (x0, x1) in zip(_HEADER, _X, strict=True))),
            _indicator_row(
                1, 140, "产出指标（50分）", "数量指标", "维护里程", "20公里", "21公里", "50", "50", None
            ),
        ],
    )
    second = page(
        2,
        title,
        [
            _indicator_row(
                2, 100, "效益指标（50分）", "社会效益指标", "通行时间", "缩短", "缩短", "50", "45", "-"
            ),
            row(2, 120, ("总分", 0, 260), ("100", 260, 300), ("95", 300, 340), (None, 340, 380)),
        ],
    )
    [table] = read_file(document(first, second), project_national.LAYOUT).projects
    assert [(i.level1, i.indicator_name, i.score) for i in table.indicators] == [
        ("产出指标", "维护里程", Decimal("50")),
        ("效益指标", "通行时间", Decimal("45")),
    ]
    assert (table.total_weight, table.total_score, table.provenance.pages) == (
        Decimal("100"),
        Decimal("95"),
        (1, 2),
    )


def test_year_printed_without_du():
    lines = [(20, "项目支出绩效自评表"), (40, "（2021年）")]
    doc = document(page(1, lines, [row(1, 100, ("项目名称", 0, 60), ("乡村道路维护", 60, 400))]))
    assert read_file(doc, project_national.LAYOUT).projects[0].fiscal_year == 2021


def test_title_printed_in_a_ruled_row_is_recognised():
    """A county sheet printed with its title row ruled: the title is a table row, not free text."""
    first = page(
        1,
        [],
        [
            row(1, 60, ("项目支出绩效自评表", 0, 400)),
            row(1, 80, ("（2022年度）", 0, 400)),
            row(1, 100, ("项目名称", 0, 60), ("乡村道路维护", 60, 400)),
        ],
    )
    assert recognise(first) is project_national.FORM
    assert read_file(document(first), project_national.LAYOUT).projects[0].fiscal_year == 2022


def test_points_printed_with_their_unit():
    assert (parse_points("10分"), parse_points("22.5"), parse_points("/")) == (
        Decimal("10"),
        Decimal("22.5"),
        None,
    )
