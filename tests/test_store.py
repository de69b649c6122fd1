"""Extracted Parquet: one folder per report, replaced whole (never appended) on re-extraction."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from extract.store import TABLES, read_table, version_file_name, write_report
from extract.version import extractor_version


def test_write_creates_one_folder_with_every_table(seed_report, tmp_path):
    folder = write_report(seed_report, tmp_path)
    assert folder.name == seed_report.sha256
    expected = sorted([*(f"{t}.parquet" for t in TABLES), version_file_name(extractor_version())])
    assert sorted(p.name for p in folder.iterdir()) == expected
    assert read_table(tmp_path, "budget_lines").num_rows == 64
    assert read_table(tmp_path, "key_task_projects").num_rows == sum(
        len(t.projects) for t in seed_report.key_tasks
    )


def test_rewrite_replaces_instead_of_appending(seed_report, tmp_path):
    write_report(seed_report, tmp_path, extracted_at=datetime(2024, 1, 1, tzinfo=UTC))
    write_report(seed_report, tmp_path, extracted_at=datetime(2025, 1, 1, tzinfo=UTC))
    assert [p.name for p in tmp_path.iterdir()] == [seed_report.sha256]  # no temp or old folders left
    assert read_table(tmp_path, "indicators").num_rows == 66
    report = read_table(tmp_path, "report").to_pylist()
    assert len(report) == 1 and report[0]["extracted_at"].year == 2025


def test_amounts_stay_exact_decimals(seed_report, tmp_path):
    write_report(seed_report, tmp_path)
    total = read_table(tmp_path, "budget_lines").to_pylist()[0]
    assert total["initial_budget"] == Decimal("389658.890000")
    assert total["pages"] == [total["page"]]
    blank = next(
        r for r in read_table(tmp_path, "budget_lines").to_pylist() if r["line_name"] == "文明交通新生态项目"
    )
    assert blank["adjustment"] is None
