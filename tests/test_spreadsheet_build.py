"""Issue 29's "done when": one `selfeval build` over PDFs, spreadsheets and Word files of the same
forms publishes all of them with their cell ranges, leaves out the PDF a spreadsheet repeats, and the
evidence report shows a spreadsheet finding's cells."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from tests.truth import FIXTURES, PDF_DIR, PROJECTS_DIR

pytestmark = pytest.mark.slow

SELFEVAL = Path(sys.executable).with_name("selfeval")
SHEETS = FIXTURES / "spreadsheets"
INBOX = {
    "national_sheets.xlsx": SHEETS / "national_sheets.xlsx",
    "national_calc_compilation.pdf": PROJECTS_DIR / "national_calc_compilation.pdf",  # the same tables
    "sichuan_calc_compilation.ods": SHEETS / "sichuan_calc_compilation.ods",
    "national_word_single.pdf": PROJECTS_DIR / "national_word_single.pdf",
    "suzhou_transport_2022.docx": SHEETS / "suzhou_transport_2022.docx",
    "seed_suzhou_police_2022.pdf": PDF_DIR / "seed_suzhou_police_2022.pdf",
}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    work = tmp_path_factory.mktemp("pdfs_and_spreadsheets")
    inbox = work / "inbox"
    inbox.mkdir()
    for name, source in INBOX.items():
        shutil.copy(source, inbox / name)
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
        yield done, con, work


def test_build_exits_zero_and_says_which_copy_was_loaded(built):
    done, _, _ = built
    assert done.returncode == 0, done.stdout + done.stderr
    assert (
        "  same tables, loaded from the spreadsheet: national_calc_compilation.pdf = national_sheets.xlsx"
        in done.stdout.splitlines()
    )


def test_pdfs_spreadsheets_and_word_files_are_published(built):
    _, con, _ = built
    rows = con.execute(
        "select source_file, count(*) from marts.dim_report group by all order by 1"
    ).fetchall()
    assert rows == [
        ("national_sheets.xlsx", 5),
        ("national_word_single.pdf", 1),
        ("seed_suzhou_police_2022.pdf", 1),
        ("sichuan_calc_compilation.ods", 3),
        ("suzhou_transport_2022.docx", 1),
    ]


def test_rows_carry_their_cell_range(built):
    _, con, _ = built
    spend = con.execute(
        "select cell_range from marts.fct_spend where source_file = 'national_sheets.xlsx' "
        "and line_name = '年度资金总额' order by report_id"
    ).fetchall()
    assert ("村级组织!A6:I6",) in spend
    indicator = con.execute(
        "select source_page, cell_range from marts.fct_indicator "
        "where source_file = 'suzhou_transport_2022.docx' and indicator_index = 0"
    ).fetchone()
    assert indicator == (1, "Table3!A2:H2")  # row 1 is the header
    assert con.execute(
        "select count(*) from marts.fct_spend where source_file like '%.pdf' and cell_range is not null"
    ).fetchone() == (0,)


def test_evidence_report_shows_the_cells_of_a_spreadsheet_finding(built):
    """农村人居环境整治经费's 年度资金总额 (row 27 of the first sheet) disagrees with its sources."""
    done, con, _ = built
    assert con.execute(
        "select count(*) from audit.findings where rule = 'table_funding_total' "
        "and source_file = 'national_sheets.xlsx'"
    ).fetchone() == (2,)
    report = next(
        line.removeprefix("report: ") for line in done.stdout.splitlines() if line.startswith("report: ")
    )
    html = Path(report).read_text(encoding="utf-8")
    assert 'data-source-file="national_sheets.xlsx" data-cell-range="村级组织!A27:I27"' in html
    assert "source PDF not found" not in html


def test_report_page_names_each_rows_cells(built):
    done, _, _ = built
    report = Path(
        next(
            line.removeprefix("report: ") for line in done.stdout.splitlines() if line.startswith("report: ")
        )
    )
    pages = [p.read_text(encoding="utf-8") for p in (report.parent / "reports").glob("*.html")]
    assert any("<td>村级组织!A6:I6</td>" in page for page in pages)
