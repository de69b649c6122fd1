"""Quarantine per report, not per batch: one bad report is rejected with its reason, the rest publish."""

from __future__ import annotations

import dataclasses
import shutil
from decimal import Decimal

import duckdb
import pytest

import extract.guarded
from tests.lib.mutation import with_pages
from tests.truth import PDF_DIR

pytestmark = pytest.mark.slow  # each test runs `selfeval build` over the samples


@pytest.fixture
def inbox(tmp_path, monkeypatch):
    folder = tmp_path / "inbox"
    folder.mkdir()
    monkeypatch.setenv("SELFEVAL_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SELFEVAL_REPORTS_DIR", str(folder))
    monkeypatch.setenv("SELFEVAL_WAREHOUSE", str(tmp_path / "warehouse.duckdb"))
    return folder


def _published(tmp_path) -> tuple[list, list]:
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as con:
        files = con.execute("select source_file from marts.dim_report order by 1").fetchall()
        rejected = con.execute("select source_file, reason from audit.rejected_files").fetchall()
    return [f for (f,) in files], rejected


def test_duplicated_page_report_is_rejected_and_every_sample_publishes(inbox, tmp_path, capsys):
    from orchestration.cli import main

    samples = sorted(PDF_DIR.glob("*.pdf"))
    for pdf in samples:
        shutil.copy(pdf, inbox / pdf.name)
    pages = [0, 1, 2, 3, 4, 5, 6, 6, 7, 8, 9]  # page 7 (九's table) listed twice in the page tree
    (inbox / "changzhou_page7_twice.pdf").write_bytes(with_pages(samples[0].read_bytes(), pages))
    assert main(["build"]) == 1
    out = capsys.readouterr().out
    assert "changzhou_page7_twice.pdf: failed integrity check: pdfminer reads 10 pages, PDFium 11" in out
    files, rejected = _published(tmp_path)
    assert files == [p.name for p in samples]
    assert rejected == [
        ("changzhou_page7_twice.pdf", "failed integrity check: pdfminer reads 10 pages, PDFium 11")
    ]


def _altered(name: str, change):
    """extract.guarded's reader, with the report of file `name` changed after it passed its checks."""
    read = extract.guarded.read_report

    def reader(path, settings):
        report = read(path, settings)
        return change(report) if path.name == name else report

    return reader


def test_report_failing_a_dbt_test_is_quarantined_and_the_rest_publish(inbox, tmp_path, monkeypatch, capsys):
    from orchestration.cli import main

    for name in ("nantong_culture_2023.pdf", "changzhou_civil_2024.pdf"):
        shutil.copy(PDF_DIR / name, inbox / name)

    def unknown_level1(report):
        first = dataclasses.replace(report.indicators[0], level1="履职目标")
        return dataclasses.replace(report, indicators=(first, *report.indicators[1:]))

    monkeypatch.setattr(extract.guarded, "read_report", _altered("changzhou_civil_2024.pdf", unknown_level1))
    assert main(["build"]) == 1
    out = capsys.readouterr().out
    reason = "failed check accepted_values_fct_indicator_level1"
    assert f"changzhou_civil_2024.pdf: {reason}" in out
    assert "does not exist" not in out
    assert _published(tmp_path) == (["nantong_culture_2023.pdf"], [("changzhou_civil_2024.pdf", reason)])


def test_report_failing_an_error_audit_rule_is_quarantined_and_the_rest_publish(
    inbox, tmp_path, monkeypatch, capsys
):
    from orchestration.cli import main

    for name in ("nantong_culture_2023.pdf", "changzhou_civil_2024.pdf"):
        shutil.copy(PDF_DIR / name, inbox / name)

    def negative_spend(report):
        lines = list(report.budget_lines)
        at = next(i for i, line in enumerate(lines) if line.line_type == "project")
        lines[at] = dataclasses.replace(lines[at], actual_spend=Decimal("-1"))
        return dataclasses.replace(report, budget_lines=tuple(lines))

    monkeypatch.setattr(extract.guarded, "read_report", _altered("nantong_culture_2023.pdf", negative_spend))
    assert main(["build"]) == 1
    out = capsys.readouterr().out
    assert "nantong_culture_2023.pdf: failed check non_negative_amounts" in out
    assert _published(tmp_path) == (
        ["changzhou_civil_2024.pdf"],
        [("nantong_culture_2023.pdf", "failed check non_negative_amounts")],
    )
