"""The Sichuan project table (部门预算项目支出绩效自评表, form project_sichuan): what it prints that the
national form does not. Field-for-field truth of every fixture: tests/test_extract_projects.py."""

from __future__ import annotations

from decimal import Decimal

import pytest

import extract
from extract.forms.lib.project_table import read_file
from extract.forms.project_sichuan import LAYOUT
from tests.lib.project_pages import document, page, row
from tests.truth import PROJECTS_DIR, load_project_truth

CALC = PROJECTS_DIR / "sichuan_calc_compilation.pdf"
BROWSER = PROJECTS_DIR / "sichuan_browser_long.pdf"


@pytest.fixture(scope="module")
def calc() -> extract.ProjectFile:
    return extract.read_report(CALC)


def test_sichuan_file_is_read_by_the_sichuan_form(calc):
    assert {p.form for p in calc.projects} == {"project_sichuan"}
    assert len(calc.projects) == len(load_project_truth("sichuan_calc_compilation"))


def test_project_code_split_from_the_project_name(calc):
    first = calc.projects[0]
    assert (first.project_code, first.project_name) == ("51142522R000000031207", "工资性支出")


def test_operator_and_unit_columns(calc):
    first = calc.projects[0].indicators[0]
    assert (first.operator, first.target_raw, first.unit, first.actual_raw) == ("=", "100", "%", "100")


def test_merged_reason_note_is_every_funding_lines_reason(calc):
    lines = calc.projects[0].funding_lines
    assert [line.reason for line in lines] == [lines[0].reason] * 5
    assert lines[0].reason == "年中追加人员调资及社保缴费基数调整资金12.96万元，预算执行率100%。"


def test_slash_placeholders_are_null(calc):
    fiscal = calc.projects[0].funding_lines[1]
    assert (fiscal.line_name, fiscal.weight, fiscal.score) == ("其中：财政资金", None, None)


def test_decimal_weights(calc):
    assert Decimal("22.5") in {i.weight for i in calc.projects[1].indicators}


def test_conclusion_problems_and_improvements(calc):
    first = calc.projects[0]
    assert first.conclusion == "项目自评得分100分。工资及社保资金足额保障，干部职工队伍稳定。"
    assert first.problems == "年初预算对人员调资因素考虑不足。"
    assert first.improvements == "编制下年预算时充分预计调资和缴费基数调整因素。"


def test_implementation_summary_row_is_not_part_of_the_goal(calc):
    assert calc.projects[0].goal_expected == (
        "严格执行相关政策，保障工资及时、足额发放或社保及时、足额缴纳，预算编制科学合理，减少结余资金。"
    )


def test_table_across_a_page_with_its_indicator_heading_repeated():
    [table] = extract.read_report(BROWSER).projects
    [truth] = load_project_truth("sichuan_browser_long")
    assert table.provenance.pages == tuple(truth["pages"])
    assert len(table.provenance.pages) > 1
    assert [i.indicator_name for i in table.indicators] == [i["indicator_name"] for i in truth["indicators"]]


def test_goal_block_label_naming_a_goal_column_is_no_column():
    """A goal block titled 年度总体目标完成情况 (its label names the 完成情况 column too)."""
    rows = [
        row(1, 100, ("项目名称", 0, 60), ("乡村道路维护", 60, 400)),
        row(1, 120, ("年度总体目标完成情况", 0, 60), ("预期目标", 60, 230), ("实际完成目标", 230, 400)),
        row(1, 140, (None, 0, 60), ("维护道路20公里", 60, 230), ("维护道路21公里", 230, 400)),
    ]
    doc = document(page(1, [(40, "部门预算项目支出绩效自评表"), (60, "（2022年度）")], rows))
    [table] = read_file(doc, LAYOUT).projects
    assert (table.goal_expected, table.goal_achieved) == ("维护道路20公里", "维护道路21公里")
