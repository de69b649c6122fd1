"""The same records on every machine: locale, time zone, worker count and the data's filesystem change
nothing, neither in `selfeval extract`'s JSON nor in the built marts."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from orchestration.cli import MARTS
from tests.lib.machine import REPO_ROOT, selfeval_extract, tmpfs_dir
from tests.truth import PDF_DIR, fixture_names, load_truth

pytestmark = pytest.mark.e2e  # processes under other locales, time zones, worker counts, a tmpfs; 2 builds

# Each differs from this machine's default (C.UTF-8, UTC, one worker per core, data on the checkout's disk).
SETTINGS = {
    "LC_ALL=C": {"LC_ALL": "C"},
    "TZ=Pacific/Kiritimati": {"TZ": "Pacific/Kiritimati"},  # UTC+14: any local date would differ
    "SELFEVAL_WORKERS=1": {"SELFEVAL_WORKERS": "1"},
}
# When a build ran, not what it read: differs between any two builds.
BUILD_TIME_COLUMNS = {"dim_report": ("extracted_at",)}


def fixture_pdfs() -> list[Path]:
    return [PDF_DIR / f"{name}.pdf" for name in fixture_names()]


def extract_fixtures(env: dict[str, str] | None = None, pdfs: list[Path] | None = None) -> dict[str, dict]:
    """`selfeval extract` of every fixture in a new process: each report's JSON by file name."""
    out = selfeval_extract(pdfs or fixture_pdfs(), env=env)
    return {doc["source_file"]: doc for doc in map(json.loads, out.splitlines())}


@pytest.fixture(scope="module")
def default_records() -> dict[str, dict]:
    return extract_fixtures()


def test_default_extraction_reads_every_fixture(default_records):
    departments = {name: doc["department"] for name, doc in default_records.items()}
    assert departments == {p.name: load_truth(p.stem)["department"] for p in fixture_pdfs()}


@pytest.mark.parametrize("setting", SETTINGS)
def test_records_identical_under(setting, default_records):
    assert extract_fixtures(env=SETTINGS[setting]) == default_records


def test_records_identical_with_files_and_data_dir_on_tmpfs(default_records):
    with tmpfs_dir() as shm:
        copies = [Path(shutil.copy(p, shm / p.name)) for p in fixture_pdfs()]
        env = {"SELFEVAL_DATA_DIR": str(shm / "data"), "TMPDIR": str(shm)}
        assert extract_fixtures(env=env, pdfs=copies) == default_records


# --- the whole build ---------------------------------------------------------------------------------


def _start_build(work: Path, data_dir: Path, env: dict[str, str]) -> subprocess.Popen:
    """`selfeval build` of the fixture corpus (same files, same modification times, for both builds)."""
    cmd = [sys.executable, "-m", "orchestration.cli", "build", "--reports", str(PDF_DIR)]
    cmd += ["--warehouse", str(work / "warehouse.duckdb")]
    env = {**os.environ, "SELFEVAL_DATA_DIR": str(data_dir), **env}
    return subprocess.Popen(
        cmd, env=env, cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


def _marts(warehouse: Path) -> dict[str, list[tuple]]:
    """Every row of every mart, build-time columns left out, in a stable order."""
    out = {}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for table in MARTS:
            columns = [r[0] for r in con.execute(f"describe marts.{table}").fetchall()]
            keep = [c for c in columns if c not in BUILD_TIME_COLUMNS.get(table, ())]
            rows = con.execute(f"select {', '.join(keep)} from marts.{table}").fetchall()
            out[table] = sorted(rows, key=repr)
    return out


def test_build_marts_identical_under_every_setting_at_once(tmp_path):
    """Default build against one with every setting above and its data dir on a tmpfs; both run at
    once (two subprocesses) to halve the wall time."""
    changed_env = {k: v for setting in SETTINGS.values() for k, v in setting.items()}
    (tmp_path / "default").mkdir()
    (tmp_path / "changed").mkdir()
    with tmpfs_dir() as shm:
        builds = {
            "default": _start_build(tmp_path / "default", tmp_path / "default" / "data", {}),
            "changed": _start_build(tmp_path / "changed", shm / "data", {**changed_env, "TMPDIR": str(shm)}),
        }
        outputs = {name: proc.communicate(timeout=900)[0] for name, proc in builds.items()}
    for name, proc in builds.items():
        assert proc.returncode == 0, f"{name} build:\n{outputs[name][-3000:]}"
    default, changed = (_marts(tmp_path / name / "warehouse.duckdb") for name in ("default", "changed"))
    assert len(default["dim_report"]) == len(fixture_pdfs())
    assert changed == default
