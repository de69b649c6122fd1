"""The audit run in a forked child (orchestration/build/audit_child.py): the same result as in this
process, Great Expectations never imported here, and the child's errors raised here as they were."""

import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from orchestration.build.audit_child import audit_in_child
from orchestration.build.forked import PhaseFailedError

pytestmark = pytest.mark.slow  # each test starts an audit (Great Expectations' import in a child)

ROOT = Path(__file__).resolve().parent.parent


def test_the_child_reports_what_the_audit_in_this_process_does(audited_run, warehouse, tmp_path):
    result, _ = audited_run
    build = tmp_path / "build.duckdb"
    shutil.copyfile(warehouse, build)
    outcome = audit_in_child(build, tmp_path / "results", "run-1")
    assert [(r.rule, r.severity, r.checked_rows, r.failing_rows, r.metrics) for r in outcome.rules] == [
        (r.rule, r.severity, r.checked_rows, r.failing_rows, r.metrics) for r in result.rules
    ]
    assert outcome.findings == len(result.findings) > 0
    assert [r.rule for r in outcome.blocking] == [r.rule for r in result.blocking]
    assert outcome.summary == result.summary()
    assert outcome.data_docs_index == tmp_path / "results" / "data_docs" / "index.html"
    [rate] = [r for r in outcome.rules if r.rule == "execution_rate"]
    assert rate.sample[0]["source_file"] == "suzhou_education_2022.pdf" and rate.sample[0]["source_page"] > 0
    with duckdb.connect(str(build), read_only=True) as con:  # the child wrote its tables into the build
        assert con.execute("select count(*) from audit.findings").fetchone() == (outcome.findings,)


def test_the_caller_never_imports_great_expectations_or_pandas(warehouse, tmp_path):
    shutil.copyfile(warehouse, tmp_path / "build.duckdb")
    code = (
        "import sys; from pathlib import Path; from orchestration.build.audit_child import audit_in_child; "
        f"o = audit_in_child(Path({str(tmp_path / 'build.duckdb')!r}), Path({str(tmp_path / 'r')!r}), 'x'); "
        "print(o.findings > 0, [m for m in ('pandas', 'great_expectations', 'scipy') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "True []"


def test_the_child_audits_without_arrow_shapely_scipy_stats_or_altair_and_finds_the_same(
    audited_run, warehouse, tmp_path
):
    """A child forked by a build process (which never imports Arrow) leaves out the optional
    libraries the audit does not use, and never runs scipy.stats or altair (GX imports them for
    statistical expectations the audit has none of); its rules, findings and Data Docs are those of
    the audit in this process, which has all of them (conftest)."""
    result, audited = audited_run
    build = tmp_path / "build.duckdb"
    shutil.copyfile(warehouse, build)
    code = (
        "import sys; from pathlib import Path; from orchestration.build.audit_child import _audit; "
        f"o = _audit(Path({str(build)!r}), Path({str(tmp_path / 'r')!r}), 'x'); "
        "print([(r.rule, r.checked_rows, r.failing_rows, r.metrics) for r in o.rules]); "
        "print(sorted(m for m in ('pyarrow', 'shapely', 'great_expectations', 'scipy.stats._stats_py', "
        "'altair.vegalite') if sys.modules.get(m)))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    rules, loaded = out.stdout.strip().splitlines()[-2:]
    assert loaded == "['great_expectations']"
    assert rules == repr([(r.rule, r.checked_rows, r.failing_rows, r.metrics) for r in result.rules])
    findings = []
    for db in (build, audited):
        with duckdb.connect(str(db), read_only=True) as con:
            findings.append(con.sql("select * from audit.findings order by all").fetchall())
    assert findings[0] == findings[1] != []
    pages = [
        sorted(p.name for p in (r / "data_docs").rglob("*.html"))
        for r in (tmp_path / "r", audited.parent / "results")
    ]
    assert pages[0] == pages[1] and len(pages[0]) > 10


def test_a_duckdb_error_in_the_child_is_raised_here_as_itself(tmp_path):
    not_a_database = tmp_path / "build.duckdb"
    not_a_database.write_text("not a database", encoding="utf-8")
    with pytest.raises(duckdb.IOException, match="not a valid DuckDB database"):
        audit_in_child(not_a_database, tmp_path / "results", "run-1")


def test_an_error_that_cannot_be_sent_back_is_raised_with_its_type_and_text(tmp_path):
    class Unsendable(Exception):  # defined here: the child cannot pickle it by reference
        pass

    from orchestration.build.forked import sendable

    error = sendable(Unsendable("no rules"))
    assert isinstance(error, PhaseFailedError) and str(error) == "Unsendable: no rules"
    assert isinstance(sendable(OSError(28, "No space left on device")), OSError)
