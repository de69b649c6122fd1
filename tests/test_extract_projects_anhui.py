"""Anhui's project table (项目支出绩效自评表 / 项目自评表, form project_anhui, issue 26 layout E), and
project titles printing their year on the title line. Field-for-field truth of every fixture:
tests/test_extract_projects.py."""

from __future__ import annotations

from decimal import Decimal

import pytest

import extract
from extract.forms import project_anhui, project_national, project_sichuan, recognise
from extract.forms.lib.project_table import read_file
from tests.lib.project_pages import document, page, row
from tests.truth import PROJECTS_DIR

CALC = PROJECTS_DIR / "anhui_calc_compilation.pdf"


@pytest.fixture(scope="module")
def calc() -> extract.ProjectFile:
    return extract.read_report(CALC)


def test_anhui_file_is_read_by_the_anhui_form(calc):
    assert [p.form for p in calc.projects] == ["project_anhui"] * 3


def test_national_file_is_not_taken_by_the_anhui_form():
    national = extract.read_report(PROJECTS_DIR / "national_word_year_title.pdf")
    assert {p.form for p in national.projects} == {"project_national"}


def test_lone_budget_column_is_the_adjusted_budget(calc):
    line = calc.projects[1].funding_lines[0]
    assert (line.line_name, line.initial_budget, line.adjusted_budget, line.actual_spend) == (
        "年度财政资金总额",
        None,
        Decimal("1260.00"),
        Decimal("1152.90"),
    )
    assert (line.funding_source, line.execution_rate_pct) == ("total", Decimal("91.50"))


def test_budget_weight_printed_only_in_the_block_label_is_the_lines_weight(calc):
    line = calc.projects[1].funding_lines[0]
    assert (line.weight, line.score) == (Decimal("20"), Decimal("18.3"))


def test_indicators_have_no_weight_column(calc):
    first = calc.projects[1].indicators[0]
    assert (first.level1, first.level2, first.indicator_name) == (
        "产出指标",
        "数量指标",
        "新建改扩建校舍面积",
    )
    assert (first.target_raw, first.actual_raw, first.weight, first.score) == (
        "≥8600平方米",
        "8820平方米",
        None,
        Decimal("15"),
    )


def test_total_row_prints_a_score_only(calc):
    table = calc.projects[1]
    assert (table.total_weight, table.total_score) == (None, Decimal("95.3"))


def test_problems_and_improvements_rows(calc):
    table = calc.projects[1]
    assert table.problems == "两所学校校舍工程因雨季停工，未能按期完工，资金支付滞后，预算执行率91.50%。"
    assert table.improvements == "加强工程进度调度，合理安排施工工期，完工项目及时结算支付。"


def test_block_label_printed_on_the_next_page_is_no_value(calc):
    # Calc prints the merged 年度绩效目标（80分） in the middle of its rows: on page 3, beside the
    # first indicator, after the heading row on page 2.
    table = calc.projects[2]
    assert table.provenance.pages == (2, 3)
    assert (table.indicators[0].level1, table.indicators[0].indicator_name) == (
        "产出指标",
        "享受补助乡村教师人数",
    )


def test_fiscal_year_from_the_filing_date_when_the_title_has_none(calc):
    # 项目自评表 with no year anywhere but 填报日期：2024年4月2日: the 2023 report.
    assert calc.projects[2].fiscal_year == 2023


def test_title_year_in_half_width_brackets(calc):
    assert calc.projects[1].fiscal_year == 2023


@pytest.mark.parametrize(
    "title",
    [
        "部门预算项目支出绩效自评表（2023年度）",
        "部门预算项目支出绩效自评表(2023年度)",
        "2023年度部门预算项目支出绩效自评表",
        "部门预算项目支出绩效自评表",
    ],
)
def test_sichuan_title_with_or_without_its_year_is_recognised(title):
    assert recognise([title, "报表编号：510000", "项目名称"]) is project_sichuan.FORM


@pytest.mark.parametrize(
    "title", ["2021年度项目支出绩效自评表", "项目支出绩效自评表（2021年度）", "项目支出绩效自评表"]
)
def test_national_title_with_or_without_its_year_is_recognised(title):
    assert recognise([title, "项目名称"]) is project_national.FORM


def test_anhui_title_needs_its_category_row():
    assert recognise(["2023年度项目自评表", "项目名称", "项目类别"]) is project_anhui.FORM
    assert recognise(["2020年市级服务贸易发展资金项目自评表", "项目名称", "项目类别："]) is project_anhui.FORM
    assert recognise(["2023年度项目自评表", "项目名称"]) is not project_anhui.FORM


@pytest.mark.parametrize(
    ("name", "form", "year"),
    [
        ("sichuan_word_year_title", "project_sichuan", 2024),
        ("sichuan_calc_year_title", "project_sichuan", 2024),
        ("sichuan_browser_year_title", "project_sichuan", 2023),
        ("national_word_year_title", "project_national", 2024),
    ],
)
def test_published_titles_with_the_year_on_the_title_line_are_read(name, form, year):
    extracted = extract.read_report(PROJECTS_DIR / f"{name}.pdf")
    assert {(p.form, p.fiscal_year) for p in extracted.projects} == {(form, year)}


def test_year_on_the_title_line_dates_the_table():
    lines = [(20, "部门预算项目支出绩效自评表（2023年度）")]
    doc = document(page(1, lines, [row(1, 100, ("项目名称", 0, 60), ("工资性支出", 60, 400))]))
    assert read_file(doc, project_sichuan.LAYOUT).projects[0].fiscal_year == 2023


def test_title_naming_the_project_dates_the_table_by_its_leading_year():
    lines = [(20, "2020年市级服务贸易发展资金项目自评表")]
    doc = document(page(1, lines, [row(1, 100, ("项目名称", 0, 60), ("服务贸易发展资金", 60, 400))]))
    assert read_file(doc, project_anhui.LAYOUT).projects[0].fiscal_year == 2020
