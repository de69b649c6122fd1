"""Extracted Parquet: one folder per report, replaced whole (never appended) on re-extraction."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import duckdb
import pyarrow.parquet as pq
import yaml

from extract.lib.store_paths import version_file_name
from extract.lib.text import name_key
from extract.models import FundingLine, ProjectFile, ProjectIndicator, ProjectReport, Provenance
from extract.store import SCHEMAS, TABLES, read_table, write_report
from extract.version import extractor_version
from tests.conftest import DBT_PROJECT


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


def _project_file() -> ProjectFile:
    where = Provenance(2, (2, 3), (10.0, 20.5, 300.25, 400.0))
    funding = FundingLine(
        "年度资金总额",
        "total",
        Decimal("12.5"),
        Decimal("13"),
        None,
        Decimal("96.15"),
        Decimal("10"),
        None,
        "无",
        where,
    )
    indicator = ProjectIndicator(
        "产出指标",
        "数量指标",
        "培训人次",
        "≥",
        "100",
        "人次",
        "120",
        Decimal("20"),
        Decimal("20"),
        None,
        where,
    )
    project = ProjectReport(
        "project_national", 2023, "某局", "101", "某中心", "101001", "培训项目", "219-1",
        (funding,), "预期", "完成", (indicator,), Decimal("100"), Decimal("95.5"), "优", None, None, where,
    )  # fmt: skip
    return ProjectFile("p.pdf", "ab" * 32, 3, (project, project), ("repaired",))


def test_project_file_writes_one_row_per_table_funding_line_and_indicator(tmp_path):
    write_report(_project_file(), tmp_path, extracted_at=datetime(2024, 1, 1, tzinfo=UTC))
    projects = read_table(tmp_path, "project_reports").to_pylist()
    assert [(p["table_index"], p["project_name"], p["total_score"]) for p in projects] == [
        (0, "培训项目", Decimal("95.500000")),
        (1, "培训项目", Decimal("95.500000")),
    ]
    assert "integrity_warnings" not in projects[0]
    funding = read_table(tmp_path, "project_funding_lines").to_pylist()
    assert [(f["table_index"], f["line_index"], f["actual_spend"]) for f in funding] == [
        (0, 0, None),
        (1, 0, None),
    ]
    assert (funding[0]["pages"], funding[0]["bbox_x1"]) == ([2, 3], 300.25)


def test_dbt_sources_list_the_stored_columns_and_types(tmp_path):
    sources = yaml.safe_load(
        (DBT_PROJECT / "models/staging/_extracted__sources.yml").read_text(encoding="utf-8")
    )
    extracted = next(s for s in sources["sources"] if s["name"] == "extracted")
    for table in extracted["tables"]:
        path = tmp_path / f"{table['name']}.parquet"
        pq.write_table(SCHEMAS[table["name"]].empty_table(), path)
        stored = duckdb.sql(f"describe select * from read_parquet('{path}')").fetchall()
        listed = [(c["name"], c["data_type"].upper()) for c in table["columns"]]
        assert listed == [(name, type_) for name, type_, *_ in stored], table["name"]


def test_names_sql_matches_on_are_stored_with_their_name_key(seed_report, tmp_path):
    write_report(seed_report, tmp_path)
    projects = {
        r["project_name_raw"]: r["project_name_key"]
        for r in read_table(tmp_path, "key_task_projects").to_pylist()
    }
    assert (
        projects["姑苏区（三新城）、内环、中环交通设施年度维护项目"]
        == "姑苏区(三新城)、内环、中环交通设施年度维护项目"
    )
    report = read_table(tmp_path, "report").to_pylist()[0]
    assert (report["department"], report["department_key"]) == (
        seed_report.department,
        seed_report.department,
    )
    lines = read_table(tmp_path, "budget_lines").to_pylist()
    assert all(line["line_name_key"] == name_key(line["line_name"]) for line in lines)


def test_a_process_without_pandas_writes_the_same_parquet(seed_report, tmp_path):
    """A build's extraction leaves pandas out (pipeline.UNUSED_BY_THE_EXTRACTION): Arrow makes the
    tables without it, byte for byte the tables this process writes with pandas loaded."""
    import subprocess
    import sys
    from pathlib import Path

    from tests.truth import PDF_DIR

    at = datetime(2025, 1, 1, tzinfo=UTC)
    here = write_report(seed_report, tmp_path / "here", extracted_at=at)
    code = (
        "import sys; from datetime import datetime, UTC; "
        "from orchestration.build.pipeline import UNUSED_BY_THE_EXTRACTION; "
        "from orchestration.build.unused_imports import leave_out; leave_out(UNUSED_BY_THE_EXTRACTION); "
        "import extract; from extract.store import write_report; "
        f"report = extract.read_report({str(PDF_DIR / 'seed_suzhou_police_2022.pdf')!r}); "
        f"write_report(report, {str(tmp_path / 'there')!r}, extracted_at=datetime(2025, 1, 1, tzinfo=UTC)); "
        "print('pandas' in sys.modules)"
    )
    root = Path(__file__).resolve().parent.parent
    out = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "False"
    there = tmp_path / "there" / seed_report.sha256
    for table in TABLES:
        assert (there / f"{table}.parquet").read_bytes() == (Path(here) / f"{table}.parquet").read_bytes()
