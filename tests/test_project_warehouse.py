"""Self-evaluation tables in the warehouse and the audit: project tables (issue 16, items 3 and 4) and
department-wide tables (issue 26, item 5).

The warehouse here is built by plain `dbt build` from the seed department-wide report of 苏州市公安局
(2022) plus three files of tables written through the store: a compilation file of the national
project form (two tables of the same department), a Sichuan-form file of another department, and a
compilation of two department-wide tables (a national-style one that prints weights, a county one
that prints scores only). Every number below is one of those records.
"""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from expectations import run_audit
from extract.models import (
    DepartmentIndicator,
    DepartmentTable,
    DepartmentTask,
    FundingLine,
    ProjectFile,
    ProjectIndicator,
    ProjectReport,
    Provenance,
)
from extract.store import SCHEMAS, write_empty_tables, write_report
from orchestration.build import rejections
from orchestration.build.publish import publish
from orchestration.build.quarantine import quarantine
from tests.conftest import run_dbt

D = Decimal
SEED = "seed_suzhou_police_2022"
POLICE = "苏州市公安局"
# A project line of the seed report's 七、预算信息 (adjusted 312.00, actual 267.91): its project table
# prints the name with full-width spacing the name key folds away.
SHARED_PROJECT = "文明交通新生态项目"


def _prov(page: int, top: float = 100.0) -> Provenance:
    return Provenance(page=page, pages=(page,), bbox=(50.0, top, 550.0, top + 20.0))


def _funding(source: str, name: str, initial, adjusted, actual, rate, weight=None, score=None, page=1):
    return FundingLine(
        line_name=name,
        funding_source=source,
        initial_budget=None if initial is None else D(initial),
        adjusted_budget=None if adjusted is None else D(adjusted),
        actual_spend=None if actual is None else D(actual),
        execution_rate_pct=None if rate is None else D(rate),
        weight=None if weight is None else D(weight),
        score=None if score is None else D(score),
        reason=None,
        provenance=_prov(page),
    )


def _indicator(level1, level2, name, target, actual, weight, score, operator=None, unit=None, page=1):
    return ProjectIndicator(
        level1=level1,
        level2=level2,
        indicator_name=name,
        operator=operator,
        target_raw=target,
        unit=unit,
        actual_raw=actual,
        weight=None if weight is None else D(weight),
        score=None if score is None else D(score),
        reason=None,
        provenance=_prov(page, 300.0),
    )


def _table(
    form, department, department_code, unit, project, code, funding, indicators, total_weight, total_score
):
    return ProjectReport(
        form=form,
        fiscal_year=2022,
        department=department,
        department_code=department_code,
        implementing_unit=unit,
        implementing_unit_code=None if department_code is None else f"{department_code}001",
        project_name=project,
        project_code=code,
        funding_lines=tuple(funding),
        goal_expected="完成年度目标",
        goal_achieved="已完成",
        indicators=tuple(indicators),
        total_weight=None if total_weight is None else D(total_weight),
        total_score=None if total_score is None else D(total_score),
        conclusion=None,
        problems=None,
        improvements=None,
        provenance=funding[0].provenance,
    )


# National form, two tables: the project the seed report also lists (97.5 points, all filled in),
# and one scoring 66.5 with an unfilled indicator (its blank 得分 counted as 0). Every total adds up.
NATIONAL = ProjectFile(
    source_file="police_projects_2022.pdf",
    sha256="a" * 64,
    page_count=3,
    projects=(
        _table(
            "project_national",
            POLICE,
            "219",
            "苏州市公安局交通警察支队",
            "文明交通 新生态项目",
            None,
            [
                _funding("total", "年度资金总额", "300", "312", "267.91", "85.87", "10", "8.59"),
                _funding("fiscal", "其中：当年财政拨款", "300", "300", "260", "86.67"),
                _funding("carryover", "上年结转资金", None, "12", "7.91", "65.92"),
                _funding("other", "其他资金", None, None, None, None),
            ],
            [
                _indicator("产出指标", "数量指标", "宣传活动场次", "≥20场", "24场", "20", "20"),
                _indicator("产出指标", "质量指标", "活动覆盖率", "≥90%", "95%", "20", "20"),
                _indicator("效益指标", "社会效益指标", "交通事故下降率", "≥5%", "6%", "25", "25"),
                _indicator("满意度指标", "服务对象满意度指标", "群众满意度", "≥90%", "91%", "25", "23.91"),
            ],
            "100",
            "97.5",
        ),
        _table(
            "project_national",
            POLICE,
            "219",
            "苏州市公安局",
            "警用装备购置",
            None,
            [
                _funding("total", "年度资金总额", "500", "500", "400", "80", "10", "8", page=2),
                _funding("fiscal", "其中：当年财政拨款", "500", "500", "400", "80", page=2),
            ],
            [
                _indicator("产出指标", "数量指标", "装备购置数量", "=100台", "80台", "25", "20", page=2),
                _indicator("产出指标", "时效指标", "采购完成时间", "≤12月", None, "25", None, page=2),
                _indicator("效益指标", "社会效益指标", "出警效率提升", "提升", "提升", "20", "18.5", page=3),
                _indicator(
                    "满意度指标", "服务对象满意度指标", "民警满意度", "≥90%", "95%", "20", "20", page=3
                ),
            ],
            "100",
            "66.5",
        ),
    ),
)

# Sichuan form of another department: project code printed with the name, 指标性质 and 度量单位 in
# columns of their own, a decimal weight.
SICHUAN = ProjectFile(
    source_file="sichuan_water_2022.pdf",
    sha256="b" * 64,
    page_count=1,
    projects=(
        _table(
            "project_sichuan",
            "四川省水利厅",
            None,
            "四川省水利厅",
            "工资性支出",
            "51000021R000000019951",
            [
                _funding("total", "总额", "120", "150", "150", "100", "10", "10"),
                _funding("fiscal", "其中：财政资金", "100", "130", "130", "100"),
                _funding("special_account", "财政专户管理资金", None, None, None, None),
                _funding("unit_funds", "单位资金", "20", "20", "20", "100"),
            ],
            [
                _indicator(
                    "产出指标", "数量指标", "保障人数", "120", "120", "22.5", "22.5", operator="≥", unit="人"
                ),
                _indicator(
                    "产出指标", "时效指标", "按月发放率", "100", "100", "22.5", "22.5", operator="=", unit="%"
                ),
                _indicator("效益指标", "社会效益指标", "队伍稳定", "稳定", "稳定", "25", "25"),
                _indicator(
                    "满意度指标",
                    "服务对象满意度指标",
                    "职工满意度",
                    "90",
                    "95",
                    "20",
                    "20",
                    operator="≥",
                    unit="%",
                ),
            ],
            "100",
            "100",
        ),
    ),
)

# A re-issue of the national file, modified later, holding only the shared project: it supersedes that
# table of the first file (not the other one), and its 年度资金总额 全年预算数 (320) is not the sum of its
# sources (300 + 12).
REISSUE = ProjectFile(
    source_file="police_projects_2022_corrected.pdf",
    sha256="c" * 64,
    page_count=1,
    projects=(
        replace(
            NATIONAL.projects[0],
            project_name=SHARED_PROJECT,
            funding_lines=(
                _funding("total", "年度资金总额", "300", "320", "267.91", "83.72", "10", "8.37"),
                *NATIONAL.projects[0].funding_lines[1:3],
            ),
            total_score=D("97.28"),
        ),
    ),
)

MODIFIED = datetime(2023, 3, 1, tzinfo=UTC)


def _department_indicator(level1, level2, name, target, actual, weight, score, nature=None, page=1):
    return DepartmentIndicator(
        **vars(_indicator(level1, level2, name, target, actual, weight, score, page=page)),
        indicator_nature=nature,
        is_core=None,
        score_coefficient_pct=None,
        explanation=None,
        scoring_standard=None,
        target_adjusted=None,
    )


def _department_table(form, department, code, funding, tasks, indicators, total_weight, total_score):
    return DepartmentTable(
        form=form,
        fiscal_year=2022,
        department=department,
        department_code=code,
        funding_lines=tuple(funding),
        key_tasks=tuple(tasks),
        goal_expected="完成年度工作目标",
        goal_adjusted=None,
        goal_achieved="基本完成",
        indicators=tuple(indicators),
        total_weight=None if total_weight is None else D(total_weight),
        total_score=None if total_score is None else D(total_score),
        conclusion=None,
        problems=None,
        improvements=None,
        provenance=funding[0].provenance,
    )


# Two department-wide tables in one file: a national-style table (weights printed; 9.5 + 50 + 38 =
# 97.5 of 100) with a 年度主要任务 row, and a county table with budget-only 基本支出总额 / 项目支出总额
# rows (no execution printed: nothing for execution_rate to check), one 部门整体支出总额 row and no weight
# column (19.2 + 30 + 45 = 94.2). Every total adds up.
WATER = "某区水务局"
FORESTRY = "某县林业局"
DEPARTMENTS = ProjectFile(
    source_file="department_tables_2022.pdf",
    sha256="d" * 64,
    page_count=2,
    projects=(),
    department_tables=(
        _department_table(
            "department_national",
            WATER,
            "306",
            [
                _funding("total", "年度资金总额", "1000", "1200", "1140", "95.00", "10", "9.5"),
                _funding("fiscal", "其中：当年财政拨款", "900", "1100", "1045", "95.00"),
                _funding("carryover", "上年结转资金", "100", "100", "95", "95.00"),
            ],
            [DepartmentTask("河道保洁", "全年保洁河道42公里", D("300"), D("290"), _prov(1, 200.0))],
            [
                _department_indicator(
                    "产出指标", "数量指标", "保洁河道长度", "≥42公里", "42公里", "50", "50"
                ),
                _department_indicator("效益指标", "社会效益指标", "水质达标率", "≥95%", "96.5%", "40", "38"),
            ],
            "100",
            "97.5",
        ),
        _department_table(
            "department_anhui",
            FORESTRY,
            None,
            [
                _funding("basic", "基本支出总额", None, "320", None, None, page=2),
                _funding("project", "项目支出总额", None, "180", None, None, page=2),
                _funding("total", "部门整体支出总额", None, "500", "480", "96.00", "20", "19.2", page=2),
            ],
            [],
            [
                _department_indicator(
                    "产出指标", "数量指标", "造林面积", "1000亩", "1050亩", None, "30", "定量", page=2
                ),
                _department_indicator(
                    "效益指标", "生态效益指标", "苗木成活率", "≥90%", "92%", None, "45", "定量", page=2
                ),
            ],
            None,
            "94.2",
        ),
    ),
)
DEPARTMENT_IDS = ["d" * 64 + "#d0", "d" * 64 + "#d1"]
LATER = datetime(2023, 6, 1, tzinfo=UTC)


def _build(work, reports, project_files) -> Path:
    """dbt build over department-wide reports and (project file, modification time) pairs."""
    extracted = work / "extracted"
    for report in reports:
        write_report(report, extracted / f"fiscal_year={report.fiscal_year}", source_modified_at=MODIFIED)
    for project_file, modified in project_files:
        write_report(project_file, extracted / "fiscal_year=2022", source_modified_at=modified)
    write_empty_tables(extracted)
    rejections.ensure(work / "rejected")
    build = work / "build.duckdb"
    run_dbt(["build"], extracted, build, work)
    return build


@pytest.fixture(scope="module")
def project_build(read_fixture, tmp_path_factory):
    work = tmp_path_factory.mktemp("project_warehouse")
    return _build(
        work, [read_fixture(SEED)], [(NATIONAL, MODIFIED), (SICHUAN, MODIFIED), (DEPARTMENTS, MODIFIED)]
    )


@pytest.fixture(scope="module")
def db(project_build):
    with duckdb.connect(str(project_build), read_only=True) as con:
        yield con


@pytest.fixture(scope="module")
def baseline(project_build, tmp_path_factory):
    out = tmp_path_factory.mktemp("project_audit")
    return run_audit(_copy(project_build, out), out / "results")


def _copy(build: Path, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    copy = folder / "build.duckdb"
    shutil.copyfile(build, copy)
    return copy


def rows(con, sql: str, *params) -> list[tuple]:
    return con.execute(sql, list(params)).fetchall()


NATIONAL_IDS = ["a" * 64 + "#0", "a" * 64 + "#1"]


# --- the sources' empty tables ----------------------------------------------------------------------------


def _glob_columns(extracted: Path, table: str) -> list[str]:
    """Columns of one table as the dbt source reads it (models/staging/_extracted__sources.yml)."""
    pattern = str(extracted / "*" / "*" / f"{table}.parquet")
    with duckdb.connect() as con:
        return [
            r[0]
            for r in con.execute(
                "describe select * from read_parquet(?, union_by_name = true)", [pattern]
            ).fetchall()
        ]


def test_department_tables_are_found_when_only_project_tables_were_extracted(tmp_path):
    write_report(NATIONAL, tmp_path / "fiscal_year=2022")
    write_empty_tables(tmp_path)
    assert _glob_columns(tmp_path, "report") == SCHEMAS["report"].names


def test_project_tables_are_found_when_only_department_reports_were_extracted(tmp_path, read_fixture):
    write_report(read_fixture(SEED), tmp_path / "fiscal_year=2022")
    write_empty_tables(tmp_path)
    assert _glob_columns(tmp_path, "project_indicators") == SCHEMAS["project_indicators"].names


# --- reports, departments, projects --------------------------------------------------------------------


def test_each_project_table_is_a_report_keyed_by_file_and_position(db):
    assert rows(
        db,
        "select report_id, report_kind, form, table_index, source_page, total_weight, total_score, "
        "is_current from marts.dim_report where sha256 = ? order by table_index",
        "a" * 64,
    ) == [
        (NATIONAL_IDS[0], "project", "project_national", 0, 1, D("100.00"), D("97.50"), True),
        (NATIONAL_IDS[1], "project", "project_national", 1, 2, D("100.00"), D("66.50"), True),
    ]


def test_department_report_keeps_its_sha256_as_report_id(db, read_fixture):
    seed = read_fixture(SEED)
    assert rows(
        db,
        "select report_id, report_kind, form, project_id from marts.dim_report where sha256 = ?",
        seed.sha256,
    ) == [(seed.sha256, "department_overall", "suzhou_overall", None)]


def test_project_in_overall_report_and_project_table_is_one_project(db):
    assert rows(
        db,
        "select p.project_name, p.implementing_unit, p.fiscal_year_count, count(distinct s.line_type) "
        "from marts.dim_project as p join marts.fct_spend as s using (project_id) "
        "where p.project_name_key = ? group by all",
        SHARED_PROJECT,
    ) == [(SHARED_PROJECT, "苏州市公安局交通警察支队", 1, 2)]


def test_project_code_comes_from_its_project_table(db):
    assert rows(
        db,
        "select project_name, project_code, implementing_unit from marts.dim_project "
        "where project_code is not null",
    ) == [("工资性支出", "51000021R000000019951", "四川省水利厅")]


def test_department_code_comes_from_its_tables(db):
    assert rows(db, "select department_name, city, department_code from marts.dim_department order by 1") == [
        ("四川省水利厅", None, None),
        (WATER, None, "306"),
        (FORESTRY, None, None),
        (POLICE, "苏州市", "219"),
    ]


# --- facts -----------------------------------------------------------------------------------------------


def test_funding_lines_are_spend_rows_of_their_table(db):
    assert rows(
        db,
        "select line_index, line_name, funding_source, initial_budget_wan_yuan, adjusted_budget_wan_yuan, "
        "actual_spend_wan_yuan, execution_rate_pct, execution_rate_calc_pct, weight, score "
        "from marts.fct_spend where line_type = 'project_funding' and report_id = ? order by line_index",
        NATIONAL_IDS[0],
    ) == [
        (
            0,
            "年度资金总额",
            "total",
            D("300.00"),
            D("312.00"),
            D("267.91"),
            D("85.87"),
            D("85.87"),
            D("10.00"),
            D("8.59"),
        ),
        (
            1,
            "其中：当年财政拨款",
            "fiscal",
            D("300.00"),
            D("300.00"),
            D("260.00"),
            D("86.67"),
            D("86.67"),
            None,
            None,
        ),
        (2, "上年结转资金", "carryover", None, D("12.00"), D("7.91"), D("65.92"), D("65.92"), None, None),
        (3, "其他资金", "other", None, None, None, None, None, None, None),
    ]


def test_funding_amounts_are_decimals(db):
    assert rows(
        db,
        "select distinct typeof(adjusted_budget_wan_yuan), typeof(weight), typeof(score) "
        "from marts.fct_spend where line_type = 'project_funding'",
    ) == [("DECIMAL(18,2)", "DECIMAL(9,2)", "DECIMAL(9,2)")]


def test_project_indicators_have_level2_weight_and_score(db):
    assert rows(
        db,
        "select level1, level2, indicator_name, weight, score, is_target_met from marts.fct_indicator "
        "where report_id = ? order by indicator_index",
        NATIONAL_IDS[1],
    ) == [
        ("产出指标", "数量指标", "装备购置数量", D("25.00"), D("20.00"), False),
        ("产出指标", "时效指标", "采购完成时间", D("25.00"), None, None),
        ("效益指标", "社会效益指标", "出警效率提升", D("20.00"), D("18.50"), True),
        ("满意度指标", "服务对象满意度指标", "民警满意度", D("20.00"), D("20.00"), True),
    ]


def test_suzhou_indicator_level2_is_its_category(db, read_fixture):
    seed = read_fixture(SEED)
    printed = [(x.category, x.indicator_name) for x in seed.indicators]
    assert (
        rows(
            db,
            "select level2, indicator_name from marts.fct_indicator where report_id = ? "
            "order by indicator_index",
            seed.sha256,
        )
        == printed
    )


def test_separate_operator_and_unit_columns_parse_as_one_target(db):
    assert rows(
        db,
        "select target_raw, target_operator, target_value, target_unit, actual_value, actual_unit "
        "from marts.fct_indicator where indicator_name = '保障人数'",
    ) == [("120", "≥", D("120.0000"), "人", D("120.0000"), "人")]


# --- analyses --------------------------------------------------------------------------------------------


def test_projects_scoring_under_90_list_their_lowest_scoring_indicators(db):
    assert rows(
        db,
        "select project_name, total_score, indicator_rank, indicator_name, weight, score, points_lost "
        "from analyses.projects_scoring_under_90",
    ) == [
        ("警用装备购置", D("66.50"), 1, "采购完成时间", D("25.00"), None, D("25.00")),
        ("警用装备购置", D("66.50"), 2, "装备购置数量", D("25.00"), D("20.00"), D("5.00")),
        ("警用装备购置", D("66.50"), 3, "出警效率提升", D("20.00"), D("18.50"), D("1.50")),
    ]


def test_funding_by_source_sums_each_departments_sources(db):
    assert rows(
        db,
        "select department_name, funding_source, project_count, initial_budget_wan_yuan, "
        "adjusted_budget_wan_yuan, actual_spend_wan_yuan from analyses.funding_by_source",
    ) == [
        ("四川省水利厅", "fiscal", 1, D("100.00"), D("130.00"), D("130.00")),
        ("四川省水利厅", "unit_funds", 1, D("20.00"), D("20.00"), D("20.00")),
        (POLICE, "fiscal", 2, D("800.00"), D("800.00"), D("660.00")),
        (POLICE, "carryover", 1, None, D("12.00"), D("7.91")),
    ]


# --- department-wide tables -------------------------------------------------------------------------------


def test_each_department_table_is_a_department_wide_report_of_its_form(db):
    assert rows(
        db,
        "select r.report_id, r.report_kind, r.form, d.department_name, d.department_code, r.total_weight, "
        "r.total_score, r.source_page from marts.dim_report as r join marts.dim_department as d "
        "using (department_id) where r.sha256 = ? order by r.report_id",
        "d" * 64,
    ) == [
        (
            DEPARTMENT_IDS[0],
            "department_overall",
            "department_national",
            WATER,
            "306",
            D("100.00"),
            D("97.50"),
            1,
        ),
        (DEPARTMENT_IDS[1], "department_overall", "department_anhui", FORESTRY, None, None, D("94.20"), 2),
    ]


def test_department_funding_lines_are_spend_rows_with_their_source(db):
    assert rows(
        db,
        "select report_id, line_index, line_name, funding_source, initial_budget_wan_yuan, "
        "adjusted_budget_wan_yuan, actual_spend_wan_yuan, execution_rate_calc_pct, weight, score "
        "from marts.fct_spend where line_type = 'department_funding' order by report_id, line_index",
    ) == [
        (
            DEPARTMENT_IDS[0],
            0,
            "年度资金总额",
            "total",
            D("1000.00"),
            D("1200.00"),
            D("1140.00"),
            D("95.00"),
            D("10.00"),
            D("9.50"),
        ),
        (
            DEPARTMENT_IDS[0],
            1,
            "其中：当年财政拨款",
            "fiscal",
            D("900.00"),
            D("1100.00"),
            D("1045.00"),
            D("95.00"),
            None,
            None,
        ),
        (
            DEPARTMENT_IDS[0],
            2,
            "上年结转资金",
            "carryover",
            D("100.00"),
            D("100.00"),
            D("95.00"),
            D("95.00"),
            None,
            None,
        ),
        (DEPARTMENT_IDS[1], 0, "基本支出总额", "basic", None, D("320.00"), None, D("0.00"), None, None),
        (DEPARTMENT_IDS[1], 1, "项目支出总额", "project", None, D("180.00"), None, D("0.00"), None, None),
        (
            DEPARTMENT_IDS[1],
            2,
            "部门整体支出总额",
            "total",
            None,
            D("500.00"),
            D("480.00"),
            D("96.00"),
            D("20.00"),
            D("19.20"),
        ),
    ]


def test_department_indicators_keep_their_form_and_extra_fields(db):
    assert rows(
        db,
        "select report_id, form, level1, level2, indicator_name, target_operator, target_value, target_unit, "
        "is_target_met, weight, score, indicator_nature, project_id from marts.fct_indicator "
        "where report_id in (?, ?) order by report_id, indicator_index",
        *DEPARTMENT_IDS,
    ) == [
        (
            DEPARTMENT_IDS[0],
            "department_national",
            "产出指标",
            "数量指标",
            "保洁河道长度",
            "≥",
            D("42"),
            "公里",
            True,
            D("50.00"),
            D("50.00"),
            None,
            None,
        ),
        (
            DEPARTMENT_IDS[0],
            "department_national",
            "效益指标",
            "社会效益指标",
            "水质达标率",
            "≥",
            D("95"),
            "%",
            True,
            D("40.00"),
            D("38.00"),
            None,
            None,
        ),
        (
            DEPARTMENT_IDS[1],
            "department_anhui",
            "产出指标",
            "数量指标",
            "造林面积",
            "=",
            D("1000"),
            "亩",
            True,
            None,
            D("30.00"),
            "定量",
            None,
        ),
        (
            DEPARTMENT_IDS[1],
            "department_anhui",
            "效益指标",
            "生态效益指标",
            "苗木成活率",
            "≥",
            D("90"),
            "%",
            True,
            None,
            D("45.00"),
            "定量",
            None,
        ),
    ]


def test_department_key_tasks_carry_budget_and_actual(db):
    assert rows(
        db,
        "select report_id, task_index, task_text, task_content, budget_wan_yuan, actual_wan_yuan, duty_id, "
        "project_id from marts.fct_key_task where report_id like ?",
        "d" * 64 + "%",
    ) == [(DEPARTMENT_IDS[0], 0, "河道保洁", "全年保洁河道42公里", D("300.00"), D("290.00"), None, None)]


def test_narrative_reports_key_tasks_have_no_budget(db, read_fixture):
    assert rows(
        db,
        "select count(*) > 0, count(budget_wan_yuan), count(actual_wan_yuan), count(task_content) "
        "from marts.fct_key_task where report_id = ?",
        read_fixture(SEED).sha256,
    ) == [(True, 0, 0, 0)]


def test_only_tables_that_print_indicator_weights_are_scored_against_them(db):
    assert rows(
        db,
        "select report_id, table_subject, indicator_weight, has_indicator_weights, budget_weight, "
        "budget_score, indicator_score from intermediate.int_tables__scored "
        "where report_kind = 'department_overall' order by report_id",
    ) == [
        (DEPARTMENT_IDS[0], WATER, D("90.00"), True, D("10.00"), D("9.50"), D("88.00")),
        (DEPARTMENT_IDS[1], FORESTRY, D("0.00"), False, D("20.00"), D("19.20"), D("75.00")),
    ]


# --- audit -----------------------------------------------------------------------------------------------

PROJECT_RULES = (
    "table_funding_total",
    "score_within_weight",
    "table_weights",
    "table_total_score",
    "unfilled_self_evaluation",
)


def _keys(findings) -> set[tuple[str, str, str]]:
    return {(r.rule, str(r.subject), str(r.source_file)) for r in findings.itertuples()}


def test_suzhou_completeness_rules_do_not_block_a_build_with_project_tables(baseline):
    assert baseline.blocking == ()


def test_only_the_unfilled_table_has_a_project_finding(baseline):
    found = baseline.findings[
        baseline.findings["rule"].isin((*PROJECT_RULES, "execution_rate", "adjusted_budget"))
    ]
    assert [(r.rule, r.subject, r.source_page, r.actual_value) for r in found.itertuples()] == [
        ("unfilled_self_evaluation", "警用装备购置", 2, "1 of 4 unfilled: 采购完成时间")
    ]


FIRST_FUNDING = (
    f"(select spend_id from marts.fct_spend where report_id = '{NATIONAL_IDS[0]}' and line_index = 1)"
)
NATIONAL_TOTAL = (
    f"(select spend_id from marts.fct_spend where report_id = '{NATIONAL_IDS[0]}' and line_index = 0)"
)
SICHUAN_ID = "b" * 64 + "#0"
SICHUAN_INDICATOR = (
    f"(select indicator_id from marts.fct_indicator where report_id = '{SICHUAN_ID}' and indicator_index = 2)"
)

# rule -> (SQL that breaks exactly that rule, the finding's subject); the national file's rows, and
# the Sichuan file's (工资性支出)
PROJECT_INJECTIONS = {
    "execution_rate": (
        "update marts.fct_spend set execution_rate_pct = execution_rate_pct - 3 "
        f"where spend_id = {FIRST_FUNDING}",
        "其中：当年财政拨款",
    ),
    "table_funding_total": (
        f"update marts.fct_spend set actual_spend_wan_yuan = 270 where spend_id = {NATIONAL_TOTAL}; "
        f"update marts.fct_spend set execution_rate_pct = 86.54 where spend_id = {NATIONAL_TOTAL}",
        f"{SHARED_PROJECT} 年度资金总额 全年执行数",
    ),
    "score_within_weight": (
        # one indicator's weight moves to another: the weights still add up, one score exceeds its weight
        f"update marts.fct_indicator set weight = 24 where indicator_id = {SICHUAN_INDICATOR}; "
        "update marts.fct_indicator set weight = weight + 1 "
        f"where report_id = '{SICHUAN_ID}' and indicator_index = 3",
        "工资性支出 队伍稳定",
    ),
    "table_weights": (
        f"update marts.dim_report set total_weight = 110 where report_id = '{SICHUAN_ID}'",
        "工资性支出 总分 分值",
    ),
    "table_total_score": (
        f"update marts.dim_report set total_score = 98 where report_id = '{SICHUAN_ID}'",
        "工资性支出 总分 得分",
    ),
    "unfilled_self_evaluation": (
        f"update marts.fct_indicator set actual_raw = null where indicator_id = {SICHUAN_INDICATOR}",
        "工资性支出",
    ),
}


def test_every_project_rule_has_an_injection_test():
    assert set(PROJECT_RULES) <= set(PROJECT_INJECTIONS)


@pytest.mark.parametrize("rule", sorted(PROJECT_INJECTIONS))
def test_injected_project_violation_fails_only_its_rule(rule, baseline, project_build, tmp_path):
    build = _copy(project_build, tmp_path)
    breaks, subject = PROJECT_INJECTIONS[rule]
    with duckdb.connect(str(build)) as con:
        con.execute(breaks).fetchall()
    result = run_audit(build)
    new = _keys(result.findings) - _keys(baseline.findings)
    source_file = SICHUAN.source_file if subject.startswith("工资性支出") else NATIONAL.source_file
    assert new == {(rule, subject, source_file)}
    assert result.blocking == ()


WATER_TOTAL = (
    f"(select spend_id from marts.fct_spend where report_id = '{DEPARTMENT_IDS[0]}' and line_index = 0)"
)
WATER_INDICATOR = (
    f"(select indicator_id from marts.fct_indicator where report_id = '{DEPARTMENT_IDS[0]}' "
    "and indicator_index = 1)"
)
FORESTRY_TOTAL = (
    f"(select spend_id from marts.fct_spend where report_id = '{DEPARTMENT_IDS[1]}' and line_index = 2)"
)

# rule -> (SQL that breaks exactly that rule in a department-wide table, the finding's subject)
DEPARTMENT_INJECTIONS = {
    "execution_rate": (
        f"update marts.fct_spend set execution_rate_pct = 90 where spend_id = {FORESTRY_TOTAL}",
        "部门整体支出总额",
    ),
    "table_funding_total": (
        f"update marts.fct_spend set initial_budget_wan_yuan = 1010 where spend_id = {WATER_TOTAL}",
        f"{WATER} 年度资金总额 年初预算数",
    ),
    "score_within_weight": (
        f"update marts.fct_indicator set weight = 37, score = 38 where indicator_id = {WATER_INDICATOR}; "
        f"update marts.fct_indicator set weight = 53 where report_id = '{DEPARTMENT_IDS[0]}' "
        "and indicator_index = 0",
        f"{WATER} 水质达标率",
    ),
    "table_weights": (
        f"update marts.dim_report set total_weight = 105 where report_id = '{DEPARTMENT_IDS[0]}'",
        f"{WATER} 总分 分值",
    ),
    "table_total_score": (
        f"update marts.dim_report set total_score = 96 where report_id = '{DEPARTMENT_IDS[0]}'",
        f"{WATER} 总分 得分",
    ),
}


@pytest.mark.parametrize("rule", sorted(DEPARTMENT_INJECTIONS))
def test_injected_department_table_violation_fails_only_its_rule(rule, baseline, project_build, tmp_path):
    build = _copy(project_build, tmp_path)
    breaks, subject = DEPARTMENT_INJECTIONS[rule]
    with duckdb.connect(str(build)) as con:
        con.execute(breaks).fetchall()
    result = run_audit(build)
    assert _keys(result.findings) - _keys(baseline.findings) == {(rule, subject, DEPARTMENTS.source_file)}
    assert result.blocking == ()


def test_a_county_table_without_weights_is_not_scored_against_them(baseline):
    forestry = baseline.findings[baseline.findings["source_file"] == DEPARTMENTS.source_file]
    assert forestry.empty


def test_a_project_table_failing_a_check_quarantines_its_file(project_build, tmp_path):
    assert quarantine(tmp_path, project_build, {NATIONAL_IDS[1]: {"not_null_fct_indicator_score"}}) == [
        NATIONAL.source_file
    ]
    assert [(r["sha256"], r["reason"]) for r in rejections.read_all(tmp_path)] == [
        (NATIONAL.sha256, "failed check not_null_fct_indicator_score")
    ]


# --- one build of both kinds, published ------------------------------------------------------------------


@pytest.fixture(scope="module")
def published(read_fixture, tmp_path_factory):
    """Two department-wide reports and three project files (one a later re-issue): built, audited and
    published as warehouse_job does."""
    work = tmp_path_factory.mktemp("both_kinds")
    build = _build(
        work,
        [read_fixture(SEED), read_fixture("suzhou_education_2022")],
        [(NATIONAL, MODIFIED), (SICHUAN, MODIFIED), (REISSUE, LATER)],
    )
    audit = run_audit(build, work / "results")
    outcome = publish(build, work / "warehouse.duckdb", audit.blocking)
    assert outcome.published, outcome.reason
    with duckdb.connect(str(work / "warehouse.duckdb"), read_only=True) as con:
        yield con


def test_build_of_both_kinds_publishes_every_report(published, read_fixture):
    assert set(rows(published, "select report_id, report_kind from marts.dim_report")) == {
        (read_fixture("suzhou_education_2022").sha256, "department_overall"),
        (read_fixture(SEED).sha256, "department_overall"),
        (NATIONAL_IDS[0], "project"),
        (NATIONAL_IDS[1], "project"),
        (SICHUAN_ID, "project"),
        ("c" * 64 + "#0", "project"),
    }


def test_later_file_supersedes_only_the_table_of_the_same_project(published):
    assert rows(
        published,
        "select report_id, is_current, superseded_by_report_id from marts.dim_report where sha256 in (?, ?) "
        "order by report_id",
        "a" * 64,
        "c" * 64,
    ) == [
        (NATIONAL_IDS[0], False, "c" * 64 + "#0"),
        (NATIONAL_IDS[1], True, None),
        ("c" * 64 + "#0", True, None),
    ]


def test_audit_flags_the_table_whose_total_funding_disagrees_with_its_sources(published):
    assert rows(
        published,
        "select subject, source_file, source_page, expected_value, actual_value from audit.findings "
        "where rule = 'table_funding_total'",
    ) == [(f"{SHARED_PROJECT} 年度资金总额 全年预算数", REISSUE.source_file, 1, "312.00", "320.00")]
