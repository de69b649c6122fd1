"""Department-wide table forms (issue 26): each fixture read exactly, forms recognised by structure,
compilations mixing departments, forms and kinds, and rejections naming the closest form."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

import extract
from extract import errors
from extract.forms import (
    best_match,
    department_anhui,
    department_chongqing,
    department_national,
    department_scoring,
    project_national,
    recognise,
)
from extract.forms.lib.department_table import read_file
from extract.forms.lib.form import PageTexts, match
from tests.lib.project_pages import document, page, row
from tests.truth import FIXTURES, project_field_accuracy

DEPARTMENTS_DIR = FIXTURES / "departments"
TRUTH_DIR = DEPARTMENTS_DIR / "truth"
PRODUCERS = ("word", "calc", "browser")


def fixture_names() -> list[str]:
    return sorted(p.stem for p in TRUTH_DIR.glob("*.json") if (DEPARTMENTS_DIR / f"{p.stem}.pdf").exists())


def load_truth(name: str) -> list[dict]:
    return json.loads((TRUTH_DIR / f"{name}.json").read_text(encoding="utf-8"), parse_float=Decimal)


def read(name: str) -> extract.ProjectFile:
    extracted = extract.read_report(DEPARTMENTS_DIR / f"{name}.pdf")
    assert isinstance(extracted, extract.ProjectFile)
    return extracted


@pytest.mark.parametrize("name", fixture_names())
def test_department_fixture_matches_truth(name):
    right, fields, diffs = project_field_accuracy(load_truth(name), read(name).to_json_dicts())
    assert diffs == []
    assert right == fields


def test_every_department_form_has_fixtures_from_three_producers():
    forms: dict[str, set[str]] = {}
    for name in fixture_names():
        for table in load_truth(name):
            producer = next(p for p in PRODUCERS if f"_{p}" in name)
            forms.setdefault(table["form"], set()).add(producer)
    departments = {f: p for f, p in forms.items() if f.startswith("department_")}
    assert departments == {
        f"department_{name}": set(PRODUCERS) for name in ("national", "anhui", "chongqing", "scoring")
    }


def test_compilation_of_two_departments_yields_a_table_each():
    tables = read("national_calc_compilation").department_tables
    assert [(t.department_code, t.department) for t in tables] == [
        ("306", "青溪区水务局"),
        ("307", "青溪区林业局"),
    ]


def test_merged_level1_across_a_page_break_heads_the_rows_on_both_pages():
    forest = read("national_calc_compilation").department_tables[1]
    assert forest.provenance.pages == (2, 3)
    tail = [(i.level1, i.level2, i.indicator_name, i.provenance.page) for i in forest.indicators[-3:]]
    assert tail == [
        ("满意度指标", "服务对象满意度指标", "林农满意度", 2),
        ("满意度指标", "服务对象满意度指标", "游客满意度", 2),
        ("满意度指标", "社会公众满意度指标", "周边群众满意度", 3),
    ]


def test_compilation_mixing_a_department_table_and_a_project_table_reads_each_by_its_form():
    extracted = read("mixed_calc_department_project")
    assert [t.form for t in extracted.department_tables] == ["department_national"]
    assert [p.form for p in extracted.projects] == ["project_national"]
    assert [t["report_kind"] for t in extracted.to_json_dicts()] == ["department_overall", "project"]


def test_compilation_mixing_two_department_forms_reads_each_by_its_form():
    tables = read("mixed_word_anhui_scoring").department_tables
    assert [(t.form, t.fiscal_year) for t in tables] == [
        ("department_anhui", 2023),
        ("department_scoring", 2022),
    ]


def test_key_tasks_are_read_where_printed():
    water = read("national_word").department_tables[0]
    assert [(t.task, t.budget, t.actual) for t in water.key_tasks] == [
        ("河湖长效管护", Decimal("320.00"), Decimal("316.80")),
        ("水利工程建设", Decimal("680.00"), Decimal("671.25")),
        ("防汛抗旱", Decimal("145.00"), Decimal("139.50")),
    ]


def test_anhui_block_weight_printed_in_its_label_is_the_funding_line_weight():
    lines = read("anhui_calc").department_tables[0].funding_lines
    assert [(f.funding_source, f.adjusted_budget, f.weight) for f in lines] == [
        ("basic", Decimal("968.52"), None),
        ("project", Decimal("578.28"), None),
        ("total", Decimal("1546.80"), Decimal("20")),
    ]


def test_anhui_indicators_have_no_weight_and_the_goal_comes_from_its_label_row():
    table = read("anhui_word").department_tables[0]
    assert {i.weight for i in table.indicators} == {None}
    assert table.goal_expected is not None and table.goal_expected.startswith("丰富群众文化生活")
    assert table.total_weight is None


def test_chongqing_indicators_have_no_levels_and_keep_their_own_fields():
    table = read("chongqing_browser").department_tables[0]
    first = table.indicators[0]
    assert (first.level1, first.level2, first.indicator_nature, first.is_core) == (None, None, "定量", True)
    assert (first.target_raw, first.target_adjusted, first.score_coefficient_pct) == ("≥5000", "≥5200", 100)
    assert table.indicators[-1].indicator_nature == "定性"  # merged down its rows


def test_chongqing_year_comes_from_the_text_and_total_score_from_its_label():
    table = read("chongqing_word").department_tables[0]
    assert (table.fiscal_year, table.total_score, table.goal_adjusted is not None) == (
        2023,
        Decimal("94.8"),
        True,
    )


def test_scoring_sheet_has_explanations_and_no_targets():
    table = read("scoring_browser").department_tables[0]
    first = table.indicators[0]
    assert (first.target_raw, first.actual_raw, first.explanation) == (
        None,
        None,
        "部门整体绩效目标是否符合实际",
    )
    assert (table.total_weight, table.total_score) == (Decimal("100"), Decimal("94.6"))


# --- recognition by structure, on synthetic pages ------------------------------------------------


def _anhui_page(title: str) -> list:
    rows = [
        row(
            1,
            100,
            ("单位名称", 0, 60),
            ("某县农业农村局", 60, 200),
            ("填报日期", 200, 260),
            ("2024年3月1日", 260, 400),
        ),
        row(1, 120, ("基本支出总额", 0, 60), ("100", 60, 200), ("项目支出总额", 200, 260), ("50", 260, 400)),
    ]
    return [page(1, [(20, title)] if title else [], rows)]


def test_title_with_its_year_and_spaces_is_recognised():
    assert recognise(_anhui_page("2023 年度 部门整体支出绩效自评表")[0]) is department_anhui.FORM


def test_title_printed_on_two_lines_is_recognised():
    first = page(1, [(20, "2023年度部门整体"), (40, "支出绩效自评表")], _anhui_page("")[0].fragments[0].rows)
    assert best_match(first).has_title


def test_a_table_without_its_title_is_read_by_its_label_cells():
    assert recognise(_anhui_page("")[0]) is department_anhui.FORM


def test_fiscal_year_from_the_report_date_when_nothing_else_prints_it():
    [table] = read_file(
        document(*_anhui_page("部门整体支出绩效自评表")), department_anhui.LAYOUT
    ).department_tables
    assert table.fiscal_year == 2023


def test_chongqing_page_is_not_taken_for_a_project_table():
    first = page(
        1,
        [(20, "部门整体绩效自评表")],
        [
            row(
                1,
                100,
                ("主管部门", 0, 60),
                ("某区民政局", 60, 200),
                ("财政处室", 200, 260),
                ("社保处", 260, 400),
            )
        ],
    )
    assert recognise(first) is department_chongqing.FORM


def test_unrecognised_file_names_the_closest_form_and_what_it_lacks(tmp_path):
    """A project table missing its 项目名称 row: rejected as almost a project table, not with the
    narrative report's complaint."""
    lines = [(20, "项目支出绩效自评表"), (40, "（2023年度）")]
    first = page(1, lines, [row(1, 100, ("实施单位", 0, 60), ("某镇政府", 60, 400))])
    found = best_match(first)
    assert not found.recognised
    assert found.complaint == "looks most like project_national: no 项目名称 row"


def test_department_table_is_not_rejected_with_the_narrative_reports_complaint():
    first = _anhui_page("部门整体支出绩效自评表")[0]
    assert "预算部门名称" not in best_match(first).complaint
    assert best_match(first).form.name != "suzhou_overall"


def test_rejection_names_the_closest_form(tmp_path, monkeypatch):
    """read_report's message is the closest form's complaint."""
    from extract import report

    first = page(1, [(20, "项目支出绩效自评表")], [row(1, 100, ("实施单位", 0, 60), ("某镇政府", 60, 400))])
    with pytest.raises(
        errors.NotASelfEvaluationReportError, match="looks most like project_national: no 项目名称"
    ):
        report.recognised_form(Path("x.pdf"), first)


def test_department_printed_as_a_text_line_above_a_scoring_sheet_starts_its_table():
    header = ("一级指标", 0, 60), ("二级指标", 60, 120), ("三级指标", 120, 180), ("分值", 180, 220)
    rest = ("指标解释", 220, 300), ("评分标准", 300, 360), ("得分", 360, 400)
    first = page(
        1,
        [(20, "2022年度部门整体支出绩效评价自评表"), (40, "填报单位（盖章）：东港市档案馆")],
        [
            row(1, 100, *header, *rest),
            row(1, 120, ("投入", 0, 60), ("目标设定", 60, 120), ("目标合理性", 120, 180), ("5", 180, 220),
                ("目标是否合理", 220, 300), ("合理得5分", 300, 360), ("5", 360, 400)),
            row(1, 140, ("合计", 0, 180), ("5", 180, 220), ("", 220, 360), ("5", 360, 400)),
        ],
    )  # fmt: skip
    assert recognise(first) is department_scoring.FORM
    [table] = read_file(document(first), department_scoring.LAYOUT).department_tables
    assert (table.department, table.fiscal_year, table.total_score) == ("东港市档案馆", 2022, Decimal("5"))


def test_inbox_files_a_department_table_under_its_department_and_year():
    header = extract.read_header(DEPARTMENTS_DIR / "chongqing_calc.pdf")
    assert (header.department, header.fiscal_year) == ("沙溪区人力资源和社会保障局", 2023)


def test_a_lost_glyph_in_a_department_table_is_rejected():
    first = _anhui_page("2023年度部门整体支出绩效自评表")[0]
    damaged = row(1, 140, ("偏差大或目标未完成原因分析", 0, 60), ("资金\ufffd拨付滞后", 60, 400))
    pages = page(1, [(20, "2023年度部门整体支出绩效自评表")], [*first.fragments[0].rows, damaged])
    with pytest.raises(errors.IntegrityError, match="replacement character"):
        read_file(document(pages), department_anhui.LAYOUT)


def test_selfeval_extract_prints_each_department_table_as_json(capsys):
    from orchestration.cli import main

    assert main(["extract", str(DEPARTMENTS_DIR / "mixed_calc_department_project.pdf")]) == 0
    first, second = (json.loads(line) for line in capsys.readouterr().out.splitlines())
    assert (first["report_kind"], first["form"], first["department"]) == (
        "department_overall",
        "department_national",
        "青溪区水务局",
    )
    assert (first["page"], first["pages"], len(first["sha256"])) == (1, [1], 64)
    assert {"funding_lines", "key_tasks", "goal_expected", "goal_adjusted", "indicators"} <= set(first)
    assert second["report_kind"] == "project"


def test_national_style_table_without_tasks_is_not_taken_for_the_anhui_variant():
    """Both print 部门整体支出绩效自评表 and share most synonyms: the national form's 分值 and
    全年预算数 columns tell it apart."""
    funding_header = ["年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"]
    indicator_header = ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分"]
    funding = [(t, 100 + 40 * k, 140 + 40 * k) for k, t in enumerate(funding_header)]
    indicators = [(t, 60 + 45 * k, 105 + 45 * k) for k, t in enumerate(indicator_header)]
    first = page(
        1,
        [(20, "2023年度部门整体支出绩效自评表")],
        [
            row(1, 100, ("部门名称", 0, 60), ("某县水利局", 60, 400)),
            row(1, 120, ("预算执行情况", 0, 60), ("", 60, 100), *funding),
            row(1, 140, ("绩效指标", 0, 60), *indicators),
        ],
    )
    assert recognise(first) is department_national.FORM


def test_project_table_page_is_never_a_department_wide_form():
    first = page(
        1,
        [(20, "项目支出绩效自评表")],
        [
            row(1, 100, ("项目名称", 0, 60), ("乡村道路维护", 60, 400)),
            row(
                1,
                120,
                ("主管部门", 0, 60),
                ("某县交通局", 60, 200),
                ("实施单位", 200, 260),
                ("某站", 260, 400),
            ),
        ],
    )
    assert recognise(first) is project_national.FORM
    assert not match(department_national.FORM, PageTexts.of(first)).recognised


def test_two_forms_on_one_page_are_each_read_by_their_own_form():
    tables = read("mixed_calc_same_page").department_tables
    assert [(t.form, t.department, t.provenance.pages) for t in tables] == [
        ("department_scoring", "东港市统计局", (1,)),
        ("department_anhui", "临泉湾县文化旅游体育局", (1, 2)),
    ]


def test_labels_printed_on_one_text_line_above_the_table_are_each_read():
    rows = [
        row(1, 100, ("基本支出总额", 0, 60), ("100", 60, 200), ("项目支出总额", 200, 260), ("50", 260, 400)),
        row(1, 120, ("偏差大或目标未完成原因分析", 0, 60), ("无", 60, 400)),
    ]
    first = page(
        1, [(20, "部门整体支出绩效自评表"), (40, "单位名称：某县农业农村局    填报日期：2024年3月1日")], rows
    )
    [table] = read_file(document(first), department_anhui.LAYOUT).department_tables
    assert (table.department, table.fiscal_year, table.problems) == ("某县农业农村局", 2023, "无")
