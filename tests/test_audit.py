"""The GX audit: the corpus passes, the slip is found, each rule catches its own violation."""

from __future__ import annotations

import shutil

import duckdb
import pytest

from expectations import RULE_NAMES, run_audit
from orchestration.lib.publish import publish
from tests.truth import load_truth


def _copy(warehouse, tmp_path):
    tmp_path.mkdir(parents=True, exist_ok=True)
    copy = tmp_path / "build.duckdb"
    shutil.copyfile(warehouse, copy)
    return copy


@pytest.fixture(scope="module")
def baseline(warehouse, tmp_path_factory):
    """The audit of the clean corpus build (on a copy: the audit writes its tables into the build)."""
    out = tmp_path_factory.mktemp("audit")
    return run_audit(_copy(warehouse, out), out / "results")


def _keys(findings) -> set[tuple[str, str, str]]:
    return {(r.rule, str(r.subject), str(r.source_file)) for r in findings.itertuples()}


def test_corpus_has_no_error_findings(baseline):
    assert baseline.blocking == ()
    assert set(baseline.findings["severity"]) <= {"warn"}


def test_slip_is_the_only_execution_rate_finding(baseline, read_fixture):
    slip = load_truth("suzhou_education_2022")["known_slips"][0]
    line = next(
        b for b in read_fixture("suzhou_education_2022").budget_lines if b.line_name == slip["line_name"]
    )
    rows = baseline.findings[baseline.findings["rule"] == "execution_rate"]
    assert [(r.subject, r.source_file, r.source_page, r.actual_value) for r in rows.itertuples()] == [
        (slip["line_name"], "suzhou_education_2022.pdf", line.provenance.page, str(line.execution_rate_pct))
    ]


def test_findings_table_is_queryable(baseline, warehouse, tmp_path):
    copy = _copy(warehouse, tmp_path)
    run_audit(copy)
    with duckdb.connect(str(copy), read_only=True) as con:
        cols = [r[0] for r in con.execute("describe audit.findings").fetchall()]
        n = con.execute("select count(*) from audit.findings where rule = 'execution_rate'").fetchall()[0][0]
    assert cols == [
        "rule",
        "severity",
        "fiscal_year",
        "department_name",
        "subject",
        "source_file",
        "source_page",
        "expected_value",
        "actual_value",
        "message",
        "finding_key",
    ]
    assert n == 1


def test_results_kept_as_json_and_data_docs(baseline):
    assert set(RULE_NAMES) <= set(__import__("json").loads(baseline.results_json.read_text(encoding="utf-8")))
    assert baseline.data_docs_index.exists()


def test_project_coverage_ratio_reported(baseline):
    metrics = next(r.metrics for r in baseline.rules if r.rule == "project_coverage")
    seed = metrics["coverage"]["seed_suzhou_police_2022.pdf 项目支出 调整预算数"]
    assert 0.95 < seed < 0.97  # the seed lists projects covering about 96% of 项目支出


FIRST_PROJECT = (
    "(select spend_id from marts.fct_spend where line_type = 'project' and adjusted_budget_wan_yuan > 0 "
    "and actual_spend_wan_yuan > 0 order by spend_id limit 1)"
)
NUMERIC_INDICATOR = (
    "(select indicator_id from marts.fct_indicator where target_value > 0 and deviation_pct is not null "
    "and target_unit = actual_unit order by indicator_id limit 1)"
)
FIRST_REPORT = "(select report_id from marts.dim_report order by report_id limit 1)"
EXACT_MATCH = "(select min(key_task_project_id) from marts.fct_key_task where project_match_method = 'exact')"

# rule -> (SQL that breaks exactly that rule, query naming the row it must identify)
INJECTIONS = {
    "execution_rate": (
        f"update marts.fct_spend set execution_rate_pct = execution_rate_pct - 3 where spend_id = {FIRST_PROJECT}",
        f"select line_name from marts.fct_spend where spend_id = {FIRST_PROJECT}",
    ),
    "adjusted_budget": (
        f"update marts.fct_spend set adjustment_wan_yuan = coalesce(adjustment_wan_yuan, 0) + 7 "
        f"where spend_id = {FIRST_PROJECT}",
        f"select line_name from marts.fct_spend where spend_id = {FIRST_PROJECT}",
    ),
    "totals": (
        f"update marts.fct_spend set initial_budget_wan_yuan = initial_budget_wan_yuan + 10, "
        f"adjustment_wan_yuan = adjustment_wan_yuan - 10 where line_type = 'basic' and report_id = {FIRST_REPORT}",
        "select '预算总金额 年初预算数'",
    ),
    "project_coverage": (
        f"update marts.fct_spend set initial_budget_wan_yuan = initial_budget_wan_yuan + 1000000, "
        f"adjustment_wan_yuan = coalesce(adjustment_wan_yuan, 0) - 1000000 where spend_id = {FIRST_PROJECT}",
        "select '项目支出 年初预算数'",
    ),
    "deviation": (
        f"update marts.fct_indicator set deviation_pct = deviation_pct + 3 where indicator_id = {NUMERIC_INDICATOR}",
        f"select indicator_name from marts.fct_indicator where indicator_id = {NUMERIC_INDICATOR}",
    ),
    "completeness": (
        f"delete from marts.fct_key_task where report_id = {FIRST_REPORT}",
        "select 'report sections'",
    ),
    "key_task_project_resolves": (
        f"update marts.fct_key_task set project_id = null where key_task_project_id = {EXACT_MATCH}",
        f"select project_name_raw from marts.fct_key_task where key_task_project_id = {EXACT_MATCH}",
    ),
    "non_negative_amounts": (
        f"update marts.fct_spend set adjustment_wan_yuan = coalesce(adjustment_wan_yuan, 0) + initial_budget_wan_yuan "
        f"+ 10, initial_budget_wan_yuan = -10 where spend_id = {FIRST_PROJECT}",
        f"select line_name || ' 年初预算数' from marts.fct_spend where spend_id = {FIRST_PROJECT}",
    ),
    "required_values": (
        f"update marts.fct_indicator set indicator_name = null where indicator_id = {NUMERIC_INDICATOR}",
        "select '(no name)'",
    ),
    "keys": (
        f"insert into marts.fct_indicator select * from marts.fct_indicator where indicator_id = {NUMERIC_INDICATOR}",
        "select 'fct_indicator.indicator_id'",
    ),
}


def test_every_rule_has_an_injection_test():
    assert set(INJECTIONS) == set(RULE_NAMES)


@pytest.mark.parametrize("rule", sorted(INJECTIONS))
def test_injected_violation_fails_only_its_rule(rule, baseline, warehouse, tmp_path):
    build = _copy(warehouse, tmp_path)
    breaks, offending = INJECTIONS[rule]
    with duckdb.connect(str(build)) as con:
        subject = con.execute(offending).fetchall()[0][0]  # name the row before breaking it
        con.execute(breaks).fetchall()
    result = run_audit(build)
    new = _keys(result.findings) - _keys(baseline.findings)
    assert {r for r, _, _ in new} == {rule}
    assert subject in {s for _, s, _ in new}
    severity = next(r.severity for r in result.rules if r.rule == rule)
    assert bool(result.blocking) == (severity == "error")


def test_blocking_failure_leaves_published_warehouse_byte_identical(warehouse, tmp_path):
    published = tmp_path / "warehouse.duckdb"
    first = _copy(warehouse, tmp_path / "first")
    assert publish(first, published, run_audit(first).blocking).published
    before = published.read_bytes()
    bad = _copy(warehouse, tmp_path / "bad")
    with duckdb.connect(str(bad)) as con:
        con.execute(INJECTIONS["keys"][0]).fetchall()
    audit = run_audit(bad)
    result = publish(bad, published, audit.blocking)
    assert not result.published and "keys" in result.reason
    assert published.read_bytes() == before


def test_clean_build_is_published_atomically(warehouse, tmp_path):
    published = tmp_path / "out" / "warehouse.duckdb"
    build = _copy(warehouse, tmp_path / "b")
    result = publish(build, published, run_audit(build).blocking)
    assert result.published and not build.exists()
    with duckdb.connect(str(published), read_only=True) as con:
        assert con.execute("select count(*) from marts.fct_spend").fetchall()[0][0] > 0
        assert con.execute("select count(*) from audit.findings").fetchall()[0][0] > 0
