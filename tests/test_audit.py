"""The GX audit: the corpus passes, the slip is found, each rule catches its own violation, and a
rule file that cannot be used fails naming itself."""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import duckdb
import pytest

from expectations import RuleFileError, load_rules, run_audit
from orchestration.build.publish import publish
from tests.test_project_warehouse import PROJECT_INJECTIONS
from tests.truth import load_truth


def _copy(warehouse, tmp_path):
    tmp_path.mkdir(parents=True, exist_ok=True)
    copy = tmp_path / "build.duckdb"
    shutil.copyfile(warehouse, copy)
    return copy


@pytest.fixture(scope="module")
def baseline(audited_run):
    """The audit of the clean corpus build (conftest: run once per session, on a copy)."""
    return audited_run[0]


@pytest.fixture(scope="module")
def injected(warehouse, tmp_path_factory):
    """rule -> (a copy of the corpus build with that rule's violation injected, its audit, the subject
    the violation must be named by); each audited once for the module."""
    done: dict[str, tuple] = {}

    def audit_with(rule: str):
        if rule not in done:
            build = _copy(warehouse, tmp_path_factory.mktemp(f"injected_{rule}"))
            breaks, offending = INJECTIONS[rule]
            with duckdb.connect(str(build)) as con:
                subject = con.execute(offending).fetchall()[0][0]  # name the row before breaking it
                con.execute(breaks).fetchall()
            done[rule] = (build, run_audit(build), subject)
        return done[rule]

    return audit_with


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


def test_findings_table_is_queryable(audited_warehouse):
    with duckdb.connect(str(audited_warehouse), read_only=True) as con:
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
    rule_names = {r.name for r in load_rules()}
    assert rule_names <= set(json.loads(baseline.results_json.read_text(encoding="utf-8")))
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
FIRST_BASIC = (
    f"(select spend_id from marts.fct_spend where line_type = 'basic' and report_id = {FIRST_REPORT})"
)

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
    # 基本支出's 年初预算数 goes blank: its amount moves into the line's adjustment and over to 项目支出,
    # so every sum still adds up and only the missing amount is wrong.
    "required_values": (
        f"update marts.fct_spend set initial_budget_wan_yuan = initial_budget_wan_yuan "
        f"+ (select initial_budget_wan_yuan from marts.fct_spend where spend_id = {FIRST_BASIC}), "
        f"adjustment_wan_yuan = adjustment_wan_yuan "
        f"- (select initial_budget_wan_yuan from marts.fct_spend where spend_id = {FIRST_BASIC}) "
        f"where line_type = 'project_total' and report_id = {FIRST_REPORT}; "
        f"update marts.fct_spend set adjustment_wan_yuan = adjustment_wan_yuan + initial_budget_wan_yuan, "
        f"initial_budget_wan_yuan = null where spend_id = {FIRST_BASIC}",
        f"select line_name from marts.fct_spend where spend_id = {FIRST_BASIC}",
    ),
    # A budget line as if read by OCR unsure: listed for review with its page.
    "ocr_needs_review": (
        f"update marts.fct_spend set text_source = 'ocr', ocr_confidence = 0.61, needs_review = true "
        f"where spend_id = {FIRST_PROJECT}",
        f"select line_name from marts.fct_spend where spend_id = {FIRST_PROJECT}",
    ),
}


def test_every_rule_has_an_injection_test():
    # The project-table rules are injected into a build that holds project tables.
    assert set(INJECTIONS) | set(PROJECT_INJECTIONS) == {r.name for r in load_rules()}


@pytest.mark.parametrize("rule", sorted(INJECTIONS))
def test_injected_violation_fails_only_its_rule(rule, baseline, injected):
    _, result, subject = injected(rule)
    new = _keys(result.findings) - _keys(baseline.findings)
    assert {r for r, _, _ in new} == {rule}
    assert subject in {s for _, s, _ in new}
    severity = next(r.severity for r in result.rules if r.rule == rule)
    assert bool(result.blocking) == (severity == "error")


def test_blocking_failure_leaves_published_warehouse_byte_identical(audited_run, injected, tmp_path):
    baseline, audited = audited_run
    published = tmp_path / "warehouse.duckdb"
    first = _copy(audited, tmp_path / "first")
    assert publish(first, published, baseline.blocking).published
    before = published.read_bytes()
    injected_build, audit, _ = injected("non_negative_amounts")
    bad = _copy(injected_build, tmp_path / "bad")
    result = publish(bad, published, audit.blocking)
    assert not result.published and "non_negative_amounts" in result.reason
    assert published.read_bytes() == before


def test_clean_build_is_published_atomically(audited_run, tmp_path):
    baseline, audited = audited_run
    published = tmp_path / "out" / "warehouse.duckdb"
    build = _copy(audited, tmp_path / "b")
    result = publish(build, published, baseline.blocking)
    assert result.published and not build.exists()
    with duckdb.connect(str(published), read_only=True) as con:
        assert con.execute("select count(*) from marts.fct_spend").fetchall()[0][0] > 0
        assert con.execute("select count(*) from audit.findings").fetchall()[0][0] > 0


def test_expectation_description_is_the_message_of_its_failing_rows(injected):
    _, audit, _ = injected("completeness")
    findings = audit.findings
    rows = findings[findings["rule"] == "completeness"]
    assert [(r.source_file, r.actual_value, r.message) for r in rows.itertuples()] == [
        ("wuxi_health_2024.pdf", "1 / 1 / 1 / 35 / 40 / 0", "no key task (八、年度重点任务)")
    ]


# A rule file that parses: the tests below break one part of it at a time.
GOOD_HEADER = """-- rule: {name}
-- severity: warn
-- description: Every line has a name.
-- message: a line without a name
-- expect: expect_column_values_to_not_be_null column=line_name
"""
FINDING_COLUMNS_SQL = """select spend_id as finding_key, fiscal_year, null as department_name, line_name as subject,
    source_file, source_page, 'a name' as expected_value, 'none' as actual_value, line_name
from marts.fct_spend"""


def _rule_file(folder, name: str, header: str, sql: str = FINDING_COLUMNS_SQL):
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.sql"
    path.write_text(header.format(name=name) + sql + "\n", encoding="utf-8")
    return path


def test_rule_files_load_sorted_by_name_with_their_header(tmp_path):
    _rule_file(tmp_path, "zeta", GOOD_HEADER)
    _rule_file(
        tmp_path,
        "alpha",
        GOOD_HEADER.replace("warn", "error").replace(
            "column=line_name",
            'column=n min_value=1 max_value=1 description="not exactly one line" mostly=0.5',
        ),
    )
    alpha, zeta = load_rules(tmp_path)
    assert (alpha.name, alpha.severity, alpha.message, zeta.name) == (
        "alpha",
        "error",
        "a line without a name",
        "zeta",
    )
    assert [(e.name, e.arguments) for e in alpha.expectations] == [
        (
            "expect_column_values_to_not_be_null",
            {
                "column": "n",
                "min_value": 1,
                "max_value": 1,
                "description": "not exactly one line",
                "mostly": 0.5,
            },
        )
    ]
    assert zeta.sql == FINDING_COLUMNS_SQL


def test_committed_rules_are_the_rule_files():
    assert [r.name for r in load_rules()] == sorted(
        p.stem for p in (Path(__file__).parents[1] / "expectations" / "rules").glob("*.sql")
    )


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        (GOOD_HEADER + "-- message: again\n", "line 6: header 'message' given twice"),
        (
            GOOD_HEADER.replace("-- severity: warn", "-- severity: fatal"),
            "severity 'fatal' is not one of error, warn",
        ),
        (GOOD_HEADER.replace("-- message:", "-- mesage:"), "line 4: unknown header key 'mesage'"),
        (GOOD_HEADER.replace("-- description: Every line has a name.\n", ""), "missing header description"),
        (
            GOOD_HEADER.replace("-- expect: expect_column_values_to_not_be_null column=line_name\n", ""),
            "missing header expect",
        ),
        (
            GOOD_HEADER.replace("-- rule: {name}", "-- rule: other"),
            "rule 'other' is not the file's name 'broken'",
        ),
        (
            GOOD_HEADER.replace("column=line_name", "column = line_name"),
            "line 5: expected key=value at 'column = line_name'",
        ),
        (
            GOOD_HEADER.replace("column=line_name", "column=line_name column=x"),
            "line 5: argument 'column' given twice",
        ),
        (
            GOOD_HEADER.replace("column=line_name", "column=1.2.3"),
            "line 5: column=1.2.3 is neither a word nor JSON",
        ),
        (
            GOOD_HEADER.replace("expect_column", "column"),
            "line 5: 'column_values_to_not_be_null' is not an expectation name",
        ),
    ],
    ids=[
        "header_twice",
        "bad_severity",
        "unknown_key",
        "missing_header",
        "no_expect",
        "name_not_file",
        "spaced_argument",
        "argument_twice",
        "bad_value",
        "not_an_expectation",
    ],
)
def test_unusable_rule_file_fails_naming_the_file_and_reason(tmp_path, header, reason):
    path = _rule_file(tmp_path, "broken", header)
    with pytest.raises(RuleFileError) as error:
        load_rules(tmp_path)
    assert str(error.value).startswith(f"{path}: {reason}")


@pytest.mark.parametrize(
    ("expect", "reason"),
    [
        (
            "expect_column_values_to_not_be_null column=line_name maximum=3",
            "maximum; extra fields not permitted",
        ),
        (
            "expect_column_values_to_be_tidy column=line_name",
            "Great Expectations has no expectation expect_column_values_to_be_tidy",
        ),
    ],
    ids=["unknown_argument", "unknown_expectation"],
)
def test_expectation_gx_does_not_know_fails_naming_the_file(tmp_path, expect, reason):
    header = GOOD_HEADER.replace("expect_column_values_to_not_be_null column=line_name", expect)
    path = _rule_file(tmp_path / "rules", "broken", header)
    build = tmp_path / "never_opened.duckdb"
    with pytest.raises(RuleFileError) as error:
        run_audit(build, rules=load_rules(tmp_path / "rules"))
    assert str(error.value).startswith(f"{path}: ") and reason in str(error.value)
    assert not build.exists()  # the rule failed before the build was touched


@pytest.mark.parametrize(
    ("sql", "reason"),
    [
        (
            "select spend_id as finding_key, line_name from marts.fct_spend",
            "the query returns no column fiscal_year, department_name, subject, source_file, source_page, "
            "expected_value, actual_value",
        ),
        (
            "select finding_key from marts.fct_spend",
            'Binder Error: Referenced column "finding_key" not found',
        ),
    ],
    ids=["missing_finding_columns", "sql_error"],
)
def test_rule_query_that_cannot_run_fails_naming_the_file(warehouse, tmp_path, sql, reason):
    path = _rule_file(tmp_path / "rules", "broken", GOOD_HEADER, sql)
    with pytest.raises(RuleFileError) as error:
        run_audit(_copy(warehouse, tmp_path), rules=load_rules(tmp_path / "rules"))
    assert str(error.value).startswith(f"{path}: {reason}")


def test_readme_example_rule_is_the_rule_file():
    readme = (Path(__file__).parents[1] / "docs" / "audit.md").read_text(encoding="utf-8")
    rule = next(r for r in load_rules() if r.name == "adjusted_budget")
    assert f"```sql\n{rule.path.read_text(encoding='utf-8')}```" in readme


def test_audit_writes_its_data_docs_only_under_its_results_folder(tmp_path, monkeypatch):
    # GX's default in-memory context builds a second Data Docs site into a temporary folder that
    # nothing removes: one left behind by every build.
    temp = tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    sql = """select * from (values ('k1', 2023, 'd', 'line', 'f.pdf', 1, 'a name', 'none', 'line'))
    as t(finding_key, fiscal_year, department_name, subject, source_file, source_page, expected_value,
         actual_value, line_name)"""
    _rule_file(tmp_path / "rules", "named_lines", GOOD_HEADER, sql)
    duckdb.connect(str(tmp_path / "build.duckdb")).close()
    result = run_audit(tmp_path / "build.duckdb", tmp_path / "out", rules=load_rules(tmp_path / "rules"))
    assert result.data_docs_index == tmp_path / "out" / "data_docs" / "index.html"
    assert "named_lines" in result.data_docs_index.read_text(encoding="utf-8")
    assert list(temp.iterdir()) == []
