"""Issue 16's "done when": one `selfeval build` over the department-wide fixture reports and the
committed project-table PDFs of every producer publishes all of them, and the audit flags the table
whose 年度资金总额 disagrees with its sources."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from tests.truth import PDF_DIR, PROJECTS_DIR, fixture_names, load_project_truth

pytestmark = pytest.mark.e2e  # `selfeval build` in a process of its own over both kinds of PDF

SELFEVAL = Path(sys.executable).with_name("selfeval")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    work = tmp_path_factory.mktemp("both_kinds_from_pdfs")
    inbox = work / "inbox"
    inbox.mkdir()
    for name in fixture_names():
        shutil.copy(PDF_DIR / f"{name}.pdf", inbox)
    for pdf in sorted(PROJECTS_DIR.glob("*.pdf")):
        shutil.copy(pdf, inbox)
    env = {k: v for k, v in os.environ.items() if not k.startswith("SELFEVAL_")}
    env["SELFEVAL_DATA_DIR"] = str(work / "data")
    warehouse = work / "warehouse.duckdb"
    done = subprocess.run(
        [str(SELFEVAL), "build", "--reports", str(inbox), "--warehouse", str(warehouse)],
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    with duckdb.connect(str(warehouse), read_only=True) as con:
        yield done, con


def test_build_of_reports_and_project_pdfs_exits_zero(built):
    done, _ = built
    assert done.returncode == 0, done.stdout + done.stderr


def test_every_report_and_every_project_table_is_published(built):
    _, con = built
    expected_tables = sum(len(load_project_truth(p.stem)) for p in PROJECTS_DIR.glob("*.pdf"))
    counts = dict(con.execute("select report_kind, count(*) from marts.dim_report group by all").fetchall())
    assert counts == {"department_overall": len(fixture_names()), "project": expected_tables}
    assert con.execute("select count(*) from audit.rejected_files").fetchone() == (0,)


def test_audit_flags_the_compilation_table_whose_total_funding_disagrees(built):
    _, con = built
    findings = con.execute(
        "select source_file, subject, expected_value, actual_value from audit.findings "
        "where rule = 'table_funding_total' order by subject"
    ).fetchall()
    files = {f[0] for f in findings}
    assert files == {"national_calc_compilation.pdf"}
    assert all(f[1].startswith("农村人居环境整治经费") for f in findings)
    assert ("55.80", "56.80") in {(f[2], f[3]) for f in findings}
