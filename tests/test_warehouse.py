"""The warehouse built by plain `dbt build` from the fixture corpus matches the ground truth."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import duckdb
import pytest

from extract.lib.text import name_key
from extract.store import write_empty_tables, write_report
from orchestration.build import rejections
from tests.conftest import run_dbt
from tests.truth import INDICATOR_FIELDS, fixture_names, load_truth

pytestmark = pytest.mark.slow  # the marts of the warehouse dbt builds from the corpus

TRUTHS = {name: load_truth(name) for name in fixture_names()}


@pytest.fixture(scope="module")
def db(warehouse):
    con = duckdb.connect(str(warehouse), read_only=True)
    yield con
    con.close()


def rows(db, sql: str, *params) -> list[tuple]:
    return db.execute(sql, list(params)).fetchall()


@pytest.fixture(scope="module")
def published_models(warehouse) -> dict[str, dict]:
    """The marts' and audit's models as dbt compiled them (the manifest of the fixture build)."""
    manifest = json.loads((warehouse.parent / "target" / "manifest.json").read_text(encoding="utf-8"))
    return {
        node["name"]: node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["schema"] in ("marts", "audit")
    }


def test_every_published_model_enforces_a_contract(published_models):
    assert {name for name, node in published_models.items() if not node["contract"]["enforced"]} == set()


@pytest.mark.parametrize("schema", ["marts", "audit"])
def test_published_columns_and_types_are_the_contracts(db, published_models, schema):
    listed = {
        (name, column, c["data_type"].upper())
        for name, node in published_models.items()
        if node["schema"] == schema
        for column, c in node["columns"].items()
    }
    built = set(
        rows(
            db,
            "select table_name, column_name, data_type from information_schema.columns "
            "where table_schema = ?",
            schema,
        )
    )
    assert listed == built


def test_amount_columns_are_decimal_18_2(db):
    types = dict(
        rows(
            db,
            "select column_name, data_type from information_schema.columns "
            "where table_schema = 'marts' and table_name = 'fct_spend'",
        )
    )
    for col in (
        "initial_budget_wan_yuan",
        "adjustment_wan_yuan",
        "adjusted_budget_wan_yuan",
        "actual_spend_wan_yuan",
    ):
        assert types[col] == "DECIMAL(18,2)", col


def test_row_counts_match_truth(db):
    expected = {
        "dim_report": len(TRUTHS),
        "dim_department": len({t["department"] for t in TRUTHS.values()}),
        "fct_spend": sum(len(t["budget_lines"]) for t in TRUTHS.values()),
        "fct_indicator": sum(len(t["indicators"]) for t in TRUTHS.values()),
        "fct_key_task": sum(max(1, len(k["projects"])) for t in TRUTHS.values() for k in t["key_tasks"]),
        "dim_project": len(
            {
                (t["department"], name_key(b["line_name"]))
                for t in TRUTHS.values()
                for b in t["budget_lines"]
                if b["line_type"] == "project"
            }
        ),
        "dim_duty": len(
            {(t["department"], name_key(k["duty"])) for t in TRUTHS.values() for k in t["key_tasks"]}
        ),
    }
    actual = {table: rows(db, f"select count(*) from marts.{table}")[0][0] for table in expected}
    assert actual == expected


def _calc_rate(line: dict) -> Decimal | None:
    adjusted = Decimal(line["adjusted_budget"]) if line["adjusted_budget"] is not None else None
    if not adjusted:
        return None
    actual = Decimal(line["actual_spend"] or 0)
    return (actual / adjusted * 100).quantize(Decimal("0.01"), ROUND_HALF_UP)


@pytest.mark.parametrize("name", sorted(TRUTHS))
def test_fct_spend_matches_truth(db, name):
    got = rows(
        db,
        """
        select s.line_name, s.line_type, s.initial_budget_wan_yuan, s.adjustment_wan_yuan,
               s.adjusted_budget_wan_yuan, s.actual_spend_wan_yuan, s.execution_rate_pct,
               s.execution_rate_calc_pct, s.project_id is not null, s.source_page > 0
        from marts.fct_spend s join marts.dim_report r using (report_id)
        where r.source_file = ? order by s.line_index""",
        f"{name}.pdf",
    )

    def dec(v):
        return None if v is None else Decimal(v)

    expected = [
        (
            b["line_name"],
            b["line_type"],
            dec(b["initial_budget"]),
            dec(b["adjustment"]),
            dec(b["adjusted_budget"]),
            dec(b["actual_spend"]),
            dec(b["execution_rate_pct"]),
            _calc_rate(b),
            b["line_type"] == "project",
            True,
        )
        for b in TRUTHS[name]["budget_lines"]
    ]
    assert got == expected


@pytest.mark.parametrize("name", sorted(TRUTHS))
def test_fct_indicator_matches_truth(db, name):
    got = rows(
        db,
        f"""
        select {", ".join(INDICATOR_FIELDS)}
        from marts.fct_indicator i join marts.dim_report r using (report_id)
        where r.source_file = ? order by indicator_index""",
        f"{name}.pdf",
    )
    assert got == [tuple(i[k] for k in INDICATOR_FIELDS) for i in TRUTHS[name]["indicators"]]


def test_fct_indicator_parses_seed_forms(db):
    got = {
        r[0]: r[1:]
        for r in rows(
            db,
            """
        select indicator_name, target_operator, target_value, target_unit, target_text, actual_value,
               deviation_pct, deviation_calc_pct, is_target_met
        from marts.fct_indicator where fiscal_year = 2022 and source_file = 'seed_suzhou_police_2022.pdf'""",
        )
    }
    d = Decimal
    assert got["严重精神障碍患者“以奖代补”人数"] == (
        "=",
        d("76"),
        "人",
        None,
        d("55"),
        d("-27.63"),
        d("-27.63"),
        False,
    )
    assert got["政务服务满意度"] == ("≥", d("98"), "%", None, d("99"), d("1.02"), d("1.02"), True)
    assert got["在押人员逃脱数"] == ("=", d("0"), "起", None, d("0"), d("0"), None, True)
    assert got["工作计划制定健全性"] == (None, None, None, "健全", None, d("0"), None, True)
    assert got["“三公经费”变动率"] == ("=", d("0"), "%", None, d("-17.05"), d("100"), None, False)
    assert rows(db, "select count(*) from marts.fct_indicator where has_unparsed_value")[0][0] == 0


def test_fct_indicator_counts_met_duty_targets_like_the_seed_states(db):
    # Section 四 of the seed: 29 duty targets, 27 met ("行政复议依法办结率" and the data-growth one not)...
    stated = rows(
        db,
        "select stated_duty_indicator_count from marts.dim_report "
        "where source_file = 'seed_suzhou_police_2022.pdf'",
    )[0][0]
    assert stated == 29


@pytest.mark.parametrize("name", sorted(TRUTHS))
def test_fct_key_task_projects_match_truth(db, name):
    got = rows(
        db,
        """
        select task_index, project_name_raw, status
        from marts.fct_key_task k join marts.dim_report r using (report_id)
        where r.source_file = ? order by task_index, project_position""",
        f"{name}.pdf",
    )
    expected = [
        (i, p, k["status"])
        for i, k in enumerate(TRUTHS[name]["key_tasks"])
        for p in (k["projects"] or [None])
    ]
    assert got == expected


def test_seed_license_fee_project_matches_its_budget_line(db):
    got = rows(
        db,
        """
        select p.project_name, k.project_match_method from marts.fct_key_task k
        join marts.dim_project p using (project_id)
        where k.project_name_raw = '车管所驾驶证工本费' and k.fiscal_year = 2022""",
    )
    assert got == [("车管所驾证工本费", "similar")]


def test_two_years_of_one_department_share_projects(db):
    police = {
        t["fiscal_year"]: {name_key(b["line_name"]) for b in t["budget_lines"] if b["line_type"] == "project"}
        for t in TRUTHS.values()
        if t["department"] == "苏州市公安局"
    }
    both = police[2022] & police[2023]
    assert len(both) > 20
    got = rows(
        db,
        """
        select p.project_name_key, p.first_fiscal_year, p.last_fiscal_year from marts.dim_project p
        join marts.dim_department d using (department_id) where d.department_name = '苏州市公安局'""",
    )
    assert len(got) == len(police[2022] | police[2023])  # one row per project, not per year
    spans = {key: (first, last) for key, first, last in got}
    assert all(spans[k] == (2022, 2023) for k in both)
    # 2023 prints these with half-width brackets; they are still the 2022 projects.
    for printed_2023 in ("科技强警(以往年度)", "分局(支队)及派出所改造项目"):
        assert spans[name_key(printed_2023)] == (2022, 2023)
    names = dict(rows(db, "select project_name_key, project_name from marts.dim_project"))
    assert names[name_key("科技强警(以往年度)")] == "科技强警(以往年度)"  # as printed most recently


# Every key-task project name in the corpus that is not its budget line's name, reviewed by hand:
# the budget line it means, or None when the department has no such line.
NON_EXACT_PROJECT_NAMES = {
    ("苏州市公安局", "车管所驾驶证工本费"): "车管所驾证工本费",
    ("苏州市公安局", "智能交通设备及应系统维护项目"): "智能交通设备及应用系统维护项目",
    ("苏州市公安局", "刑事侦查检验设备"): None,
    ("无锡市卫生健康委员会", "公立医院综合改革补贴"): "公立医院综合改革补助",
    ("无锡市卫生健康委员会", "生活饮用水卫生监测"): None,
    ("苏州市教育局", "普惠性民办幼儿园生均补贴"): "普惠性民办幼儿园生均补助",
    # 校园安全技防设施建设, unmatched in 2021, is a 2022 budget line of the bureau: matched exactly.
    ("苏州市教育局", "学生资助专项经费"): "学生资助专项资金",
    ("苏州市交通运输局", "航标及航设施维护"): "航标及助航设施维护",
    ("苏州市交通运输局", "公路桥梁健康监测系统建设"): None,
    ("常州市民政局", "临时救助专项经费"): "临时救助专项资金",
    ("常州市民政局", "康复辅具租赁服务"): None,
    ("南通市文化广电和旅游局", "革文物保护利用"): "革命文物保护利用",
    ("南通市文化广电和旅游局", "非物质文化遗产保护专项"): None,
    ("无锡市交通运输局", "公共行车系统运营服务"): "公共自行车系统运营服务",
    ("无锡市交通运输局", "新能源公交车购置补贴"): None,
    ("常州市卫生健康委员会", "市属医院大型医用设备采购（直线加速器）"): (
        "市属医院大型医用设备购置（直线加速器）"
    ),
    ("常州市卫生健康委员会", "无偿献血宣传及采供血保障"): None,
}


def test_non_exact_project_names_match_as_reviewed(db):
    got = rows(
        db,
        """
        select d.department_name, m.project_name_raw, p.project_name
        from marts.map_project_name m join marts.dim_department d using (department_id)
        left join marts.dim_project p using (project_id)
        where m.match_method <> 'exact'""",
    )
    assert {(dept, raw): name for dept, raw, name in got} == NON_EXACT_PROJECT_NAMES


def test_unmatched_project_names_listed(db):
    got = set(rows(db, "select department_name, project_name_raw from marts.unmatched_project_names"))
    assert got == {key for key, name in NON_EXACT_PROJECT_NAMES.items() if name is None}


def test_execution_rate_calc_is_exact_decimal(db):
    # 754.04 / 800 × 100 = 94.255 exactly: half-up gives 94.26 (floating point gave 94.25).
    got = rows(
        db,
        "select execution_rate_pct, execution_rate_calc_pct from marts.fct_spend "
        "where line_name = '公安执法文书、安全宣传资料制作' and fiscal_year = 2022",
    )
    assert got == [(Decimal("94.25"), Decimal("94.26"))]


def _readme_queries() -> list[str]:
    docs = Path(__file__).resolve().parent.parent / "docs"
    text = (docs / "analyst_queries.md").read_text(encoding="utf-8")
    return re.findall(r"```sql\n(.*?)```", text, flags=re.S)


@pytest.mark.parametrize("index", range(5))
def test_readme_query_runs_on_warehouse(db, index):
    assert rows(db, _readme_queries()[index]), "query returned no rows on the sample warehouse"


def test_dbt_docs_describe_every_published_model_and_column(published_models):
    # What `dbt docs` shows comes from this manifest: no published model or column without a description.
    assert {"fct_spend", "fct_indicator", "fct_key_task", "dim_report"} <= set(published_models)
    undescribed = [name for name, node in published_models.items() if not node["description"].strip()]
    undescribed += [
        f"{name}.{column}"
        for name, node in published_models.items()
        for column, spec in node["columns"].items()
        if not spec["description"].strip()
    ]
    assert undescribed == []


def test_dbt_reads_extracted_reports_from_a_folder_with_a_quote(read_fixture, tmp_path):
    """The data folder's path goes into the sources' SQL quoted, not pasted (`/data/o'ut`)."""
    work = tmp_path / "o'ut"
    report = read_fixture("nantong_culture_2023")
    write_report(report, work / "extracted" / "fiscal_year=2023")
    rejections.ensure(work / "rejected")
    build_db = work / "build.duckdb"
    run_dbt(
        ["run", "--select", "stg_extracted__reports", "rejected_files"], work / "extracted", build_db, work
    )
    with duckdb.connect(str(build_db), read_only=True) as con:
        rows = con.execute("select department_name from staging.stg_extracted__reports").fetchall()
    assert rows == [(report.department,)]


def test_a_key_task_name_python_and_the_old_sql_key_told_apart_matches_exactly(seed_report, tmp_path):
    # An ideographic space inside a printed name: NFKC folds it to a space and name_key drops it; a
    # SQL key of its own (`\s` is ASCII-only there) kept it, and the name matched only as 'similar'.
    printed = "文书档案\u3000数字化加工项目"
    first = seed_report.key_tasks[0]
    assert first.projects[0] == "文书档案数字化加工项目"
    renamed = replace(first, projects=(printed, *first.projects[1:]))
    report = replace(seed_report, key_tasks=(renamed, *seed_report.key_tasks[1:]))
    write_report(report, tmp_path / "extracted" / "fiscal_year=2022")
    write_empty_tables(tmp_path / "extracted")  # the project tables' sources, none extracted here
    rejections.ensure(tmp_path / "rejected")
    build_db = tmp_path / "build.duckdb"
    models = ["--select", "+fct_key_task", "+dim_project"]
    selection = [*models, "--exclude-resource-type", "test", "--exclude-resource-type", "unit_test"]
    run_dbt(["build", *selection], tmp_path / "extracted", build_db, tmp_path)
    with duckdb.connect(str(build_db), read_only=True) as con:
        matched = con.execute(
            "select k.project_match_method, p.project_name from marts.fct_key_task k "
            "join marts.dim_project p using (project_id) where k.project_name_raw = ?",
            [printed],
        ).fetchall()
    assert matched == [("exact", "文书档案数字化加工项目")]
