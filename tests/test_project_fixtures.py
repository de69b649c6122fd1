"""The project-table fixtures' truth files state what their authors meant: the arithmetic facts hold
where the table is meant to add up and fail exactly where a slip was put for the audit to find."""

from __future__ import annotations

import json
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

PROJECTS_DIR = Path(__file__).resolve().parent / "fixtures" / "projects"
TRUTH_DIR = PROJECTS_DIR / "truth"

# (fixture, project_name) of the deliberate slips
FUNDING_SUM_SLIPS = {("national_calc_compilation", "农村人居环境整治经费")}
TOTAL_SCORE_SLIPS = {
    ("sichuan_calc_compilation", "农村沼气安全处置补助资金"),
    ("sichuan_browser_year_title", "农村沼气安全处置补助资金"),  # the same tables, reprinted
}
AMOUNTS = ("initial_budget", "adjusted_budget", "actual_spend")


def load(name: str) -> list[dict]:
    return json.loads((TRUTH_DIR / f"{name}.json").read_text(encoding="utf-8"), parse_float=Decimal)


def fixture_names() -> list[str]:
    return sorted(p.stem for p in TRUTH_DIR.glob("*.json"))


def all_tables() -> list[tuple[str, dict]]:
    return [(name, table) for name in fixture_names() for table in load(name)]


def table_id(item) -> str:
    name, table = item
    return f"{name}:{table['project_name']}"


TABLES = all_tables()


def test_every_truth_file_has_its_pdf_and_names_it():
    assert fixture_names(), "no project fixtures"
    for name in fixture_names():
        assert (PROJECTS_DIR / f"{name}.pdf").is_file()
        assert {t["source_file"] for t in load(name)} == {f"{name}.pdf"}


@pytest.mark.parametrize("item", TABLES, ids=table_id)
def test_pages_run_on_from_the_first(item):
    _name, table = item
    pages = table["pages"]
    assert table["page"] == pages[0]
    assert pages == list(range(pages[0], pages[-1] + 1))


@pytest.mark.parametrize("item", TABLES, ids=table_id)
def test_funding_total_is_the_sum_of_its_sources_unless_a_deliberate_slip(item):
    name, table = item
    total, *sources = table["funding_lines"]
    assert total["funding_source"] == "total"
    if not sources:  # the Anhui form's one line 年度财政资金总额
        return
    adds_up = all(total[k] == sum((s[k] or Decimal(0)) for s in sources) for k in AMOUNTS)
    assert adds_up == ((name, table["project_name"]) not in FUNDING_SUM_SLIPS)


@pytest.mark.parametrize("item", TABLES, ids=table_id)
def test_execution_rate_is_spend_over_adjusted_budget(item):
    _name, table = item
    for line in table["funding_lines"]:
        if line["execution_rate_pct"] is None or not line["adjusted_budget"]:
            continue
        rate = line["actual_spend"] / line["adjusted_budget"] * 100
        printed = line["execution_rate_pct"]
        # half up, as spreadsheets round
        assert rate.quantize(printed, ROUND_HALF_UP) == printed, line["line_name"]


@pytest.mark.parametrize("item", TABLES, ids=table_id)
def test_no_score_exceeds_its_weight(item):
    _name, table = item
    for row in [*table["funding_lines"], *table["indicators"]]:
        if row["score"] is not None and row["weight"] is not None:  # Anhui prints no indicator weights
            assert row["score"] <= row["weight"]


@pytest.mark.parametrize("item", TABLES, ids=table_id)
def test_indicator_weights_and_budget_weight_make_the_total_weight(item):
    _name, table = item
    budget_weight = table["funding_lines"][0]["weight"]
    if table["form"] == "project_anhui":  # prints the budget's weight only, in its label
        assert (budget_weight, table["total_weight"]) == (20, None)
        assert {i["weight"] for i in table["indicators"]} == {None}
        return
    assert budget_weight + sum(i["weight"] for i in table["indicators"]) == table["total_weight"] == 100


@pytest.mark.parametrize("item", TABLES, ids=table_id)
def test_total_score_is_the_sum_of_scores_unless_unfilled_or_a_deliberate_slip(item):
    name, table = item
    scores = [table["funding_lines"][0]["score"], *(i["score"] for i in table["indicators"])]
    if None in scores:
        assert table["total_score"] is None
        return
    adds_up = sum(scores) == table["total_score"]
    assert adds_up == ((name, table["project_name"]) not in TOTAL_SCORE_SLIPS)


def test_national_compilation_holds_five_projects_of_one_town_government():
    tables = load("national_calc_compilation")
    assert len(tables) == 5
    assert {(t["department_code"], t["department"]) for t in tables} == {("219", "安平县桐溪镇人民政府")}
    assert [t["implementing_unit_code"] for t in tables] == ["219001", "219002", "219001", "219003", "219003"]


def test_national_compilation_has_a_table_crossing_a_page_break():
    assert [t["pages"] for t in load("national_calc_compilation")] == [[1], [2], [3], [3, 4], [5]]


def test_national_compilation_has_exactly_one_table_published_unfilled():
    tables = load("national_calc_compilation")
    unfilled = [
        t["project_name"]
        for t in tables
        if all(i["actual_raw"] is None and i["score"] is None for i in t["indicators"])
    ]
    assert unfilled == ["防汛抗旱及地质灾害防治经费"]


def test_national_compilation_has_decimal_weights():
    weights = [i["weight"] for t in load("national_calc_compilation") for i in t["indicators"]]
    assert weights.count(Decimal("22.5")) == 2


def test_sichuan_compilation_splits_project_codes_from_names():
    tables = load("sichuan_calc_compilation")
    assert [(t["project_code"], t["project_name"]) for t in tables] == [
        ("51142522R000000031207", "工资性支出"),
        ("51142522T000008815436", "2023年耕地保护与质量提升项目"),
        ("51142523T000009920817", "农村沼气安全处置补助资金"),
    ]


def test_sichuan_compilation_has_every_operator_and_units():
    indicators = [i for t in load("sichuan_calc_compilation") for i in t["indicators"]]
    assert {i["operator"] for i in indicators} == {"=", "≥", "≤"}
    assert {"%", "万亩", "口"} <= {i["unit"] for i in indicators}


def test_sichuan_compilation_has_one_blank_actual_value():
    indicators = [i for t in load("sichuan_calc_compilation") for i in t["indicators"]]
    blank = [(i["indicator_name"], i["weight"], i["score"]) for i in indicators if i["actual_raw"] is None]
    assert blank == [("耕地质量等级提升", 10, 10)]


@pytest.mark.parametrize("name", ["sichuan_calc_compilation", "sichuan_word_single", "sichuan_browser_long"])
def test_sichuan_merged_reason_belongs_to_every_funding_row(name):
    for table in load(name):
        reasons = {line["reason"] for line in table["funding_lines"]}
        assert len(reasons) == 1 and None not in reasons


@pytest.mark.parametrize("name", ["sichuan_calc_compilation", "sichuan_word_single", "sichuan_browser_long"])
def test_sichuan_funding_sub_rows_have_no_weight_or_score(name):
    for table in load(name):
        assert [(line["weight"], line["score"]) for line in table["funding_lines"][1:]] == [(None, None)] * 4


def test_browser_printed_sichuan_table_crosses_a_page_break():
    (table,) = load("sichuan_browser_long")
    assert table["pages"] == [1, 2]


def test_rows_after_a_page_break_are_on_the_next_page():
    (table,) = load("sichuan_browser_long")
    pages = [(i["indicator_name"], i["page"]) for i in table["indicators"]]
    assert pages[9:] == [
        ("农村公路列养率", 1),
        ("群众出行条件", 2),
        ("养护长效机制", 2),
        ("沿线群众满意度", 2),
    ]
    assert {line["page"] for line in table["funding_lines"]} == {1}


@pytest.mark.parametrize("item", TABLES, ids=table_id)
def test_every_row_lies_within_its_table_pages(item):
    _name, table = item
    for row in [*table["funding_lines"], *table["indicators"]]:
        assert row["pages"] == [row["page"]]
        assert row["page"] in table["pages"]
