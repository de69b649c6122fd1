from __future__ import annotations

import os
import shutil
import subprocess
import sys
from functools import cache
from pathlib import Path

import pyarrow  # noqa: F401  (loaded up front, as in any process that extracts: see pipeline._hidden)
import pytest

import extract
from tests.lib.once_per_run import once_per_run
from tests.truth import PDF_DIR, fixture_names

BAD_DIR = PDF_DIR.parent / "bad"


@cache
def _read(name: str) -> extract.Report:
    # Each fixture PDF is read once per test session; the records are immutable.
    return extract.read_report(PDF_DIR / f"{name}.pdf")


@pytest.fixture(scope="session")
def read_fixture():
    return _read


@pytest.fixture(scope="session")
def seed_report() -> extract.Report:
    return _read("seed_suzhou_police_2022")


def pytest_generate_tests(metafunc):
    if "fixture_name" in metafunc.fixturenames:
        metafunc.parametrize("fixture_name", fixture_names())


DBT_PROJECT = PDF_DIR.parents[2] / "dbt_project"


def run_dbt(args: list[str], extracted_dir, build_db, work_dir) -> None:
    """Run dbt against a given Parquet folder and build file, as `dbt build` would on the command line.

    A subprocess, not dbtRunner: dbt-duckdb keeps its connection open in-process after the run, and
    DuckDB then refuses the read-only connections the tests open on the same file.
    """
    env = {
        **os.environ,
        "SELFEVAL_EXTRACTED_DIR": str(extracted_dir),
        "SELFEVAL_BUILD_DB": str(build_db),
        "SELFEVAL_REJECTED_DIR": str(Path(extracted_dir).parent / "rejected"),
        "DBT_TARGET_PATH": str(work_dir / "target"),
        "DBT_LOG_PATH": str(work_dir / "logs"),
    }
    dbt = Path(sys.executable).with_name("dbt")
    cmd = [str(dbt), *args, "--project-dir", str(DBT_PROJECT), "--profiles-dir", str(DBT_PROJECT)]
    result = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, f"dbt {' '.join(args)} failed:\n{result.stdout[-4000:]}"


@pytest.fixture(scope="session")
def warehouse(tmp_path_factory, worker_id):
    """The warehouse built with plain dbt from the whole committed fixture corpus: built once per run,
    whichever pytest-xdist worker asks first (the others wait for it and read the same file)."""
    return once_per_run(tmp_path_factory, worker_id, "corpus_warehouse", _build_corpus_warehouse)


def _build_corpus_warehouse(work: Path) -> Path:
    from extract.store import write_empty_tables, write_report
    from orchestration.build import rejections

    extracted = work / "extracted"
    for name in fixture_names():
        report = _read(name)
        write_report(report, extracted / f"fiscal_year={report.fiscal_year}")
    write_empty_tables(extracted)
    rejections.ensure(work / "rejected")
    build_db = work / "build.duckdb"
    run_dbt(["build"], extracted, build_db, work)
    return build_db


@pytest.fixture(scope="session")
def audited_run(warehouse, tmp_path_factory):
    """The audit of the corpus warehouse, run once for the session on a copy (the audit writes its
    tables into the file it audits): (the audit's result, the audited copy). Read it, never write it."""
    from expectations import run_audit

    out = tmp_path_factory.mktemp("audited")
    copy = out / "warehouse.duckdb"
    shutil.copyfile(warehouse, copy)
    return run_audit(copy, out / "results"), copy


@pytest.fixture(scope="session")
def audited_warehouse(audited_run) -> Path:
    """The corpus warehouse with its audit tables (audit.findings, audit.rule_results)."""
    return audited_run[1]


def pytest_collection_modifyitems(items):
    # A test that needs the warehouse dbt builds from the corpus is end to end, whatever its file.
    for item in items:
        if "warehouse" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.slow)
