"""Quarantine per report, not per batch: one bad report is rejected with its reason, the rest publish."""

from __future__ import annotations

import contextlib
import dataclasses
import io
import shutil
from decimal import Decimal

import duckdb
import pytest

import extract.guarded
from tests.truth import PDF_DIR

pytestmark = pytest.mark.slow  # one `selfeval build` whose reports fail a dbt test and an audit rule


def _published(tmp_path) -> tuple[list, list]:
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as con:
        files = con.execute("select source_file from marts.dim_report order by 1").fetchall()
        rejected = con.execute("select source_file, reason from audit.rejected_files").fetchall()
    return [f for (f,) in files], rejected


def _unknown_level1(report):
    first = dataclasses.replace(report.indicators[0], level1="履职目标")
    return dataclasses.replace(report, indicators=(first, *report.indicators[1:]))


def _negative_spend(report):
    lines = list(report.budget_lines)
    at = next(i for i, line in enumerate(lines) if line.line_type == "project")
    lines[at] = dataclasses.replace(lines[at], actual_spend=Decimal("-1"))
    return dataclasses.replace(report, budget_lines=tuple(lines))


DBT_TEST_FAILS = "changzhou_civil_2024.pdf"
AUDIT_RULE_FAILS = "nantong_culture_2023.pdf"
STAYS_GOOD = "suzhou_education_2021.pdf"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """One `selfeval build` (in this process) over three reports: one changed after its checks so that
    its rows fail a dbt test, one so that they fail an error-severity audit rule, one left alone."""
    from orchestration.cli import main

    tmp = tmp_path_factory.mktemp("quarantine")
    inbox = tmp / "inbox"
    inbox.mkdir()
    for name in (DBT_TEST_FAILS, AUDIT_RULE_FAILS, STAYS_GOOD):
        shutil.copy(PDF_DIR / name, inbox / name)
    read = extract.guarded.read_report

    def reader(path, settings, sha256=None):
        report = read(path, settings, sha256)
        change = {DBT_TEST_FAILS: _unknown_level1, AUDIT_RULE_FAILS: _negative_spend}.get(path.name)
        return change(report) if change else report

    out = io.StringIO()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SELFEVAL_DATA_DIR", str(tmp / "data"))
        patch.setenv("SELFEVAL_REPORTS_DIR", str(inbox))
        patch.setenv("SELFEVAL_WAREHOUSE", str(tmp / "warehouse.duckdb"))
        patch.setattr(extract.guarded, "read_report", reader)
        with contextlib.redirect_stdout(out):
            code = main(["build"])
    return code, out.getvalue(), tmp


def test_build_with_quarantined_reports_exits_one_and_publishes_the_rest(built):
    code, _, tmp = built
    files, _ = _published(tmp)
    assert code == 1 and files == [STAYS_GOOD]


def test_report_failing_a_dbt_test_is_quarantined(built):
    _, out, tmp = built
    reason = "failed check accepted_values_fct_indicator_level1"
    assert f"{DBT_TEST_FAILS}: {reason}" in out
    assert "does not exist" not in out
    assert (DBT_TEST_FAILS, reason) in _published(tmp)[1]


def test_report_failing_an_error_audit_rule_is_quarantined(built):
    _, out, tmp = built
    reason = "failed check non_negative_amounts"
    assert f"{AUDIT_RULE_FAILS}: {reason}" in out
    assert sorted(_published(tmp)[1]) == sorted(
        [(DBT_TEST_FAILS, "failed check accepted_values_fct_indicator_level1"), (AUDIT_RULE_FAILS, reason)]
    )
