"""Every SELFEVAL_* variable is read and checked in one place (orchestration.settings.Settings): a bad
value is one line naming the variable and exit 2, from every command; extract/ reads no environment."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from extract.guarded import Limits, read_headers
from extract.settings import DEFAULT_SETTINGS
from orchestration.cli import main
from orchestration.defs.resources import SelfevalPaths
from orchestration.settings import FileLimits, Settings, SettingsError
from tests.truth import PDF_DIR

SEED = PDF_DIR / "seed_suzhou_police_2022.pdf"  # 14 pages
SELFEVAL = Path(sys.executable).with_name("selfeval")  # the installed console script

# One bad value of each kind of setting, and the line that names it.
BAD_VALUES = {
    "text for a count": (
        "SELFEVAL_DBT_THREADS",
        "abc",
        "SELFEVAL_DBT_THREADS: 'abc' is not a whole number of at least 1",
    ),
    "a count of 0": (
        "SELFEVAL_WORKERS",
        "0",
        "SELFEVAL_WORKERS: '0' is not a whole number of at least 1",
    ),
    "a fraction for a count": (
        "SELFEVAL_MAX_PAGES",
        "1.5",
        "SELFEVAL_MAX_PAGES: '1.5' is not a whole number of at least 1",
    ),
    "a negative size": (
        "SELFEVAL_FILE_MEMORY_MB",
        "-2048",
        "SELFEVAL_FILE_MEMORY_MB: '-2048' is not a whole number of at least 1",
    ),
    "an unknown OCR mode": (
        "SELFEVAL_OCR",
        "sometimes",
        "SELFEVAL_OCR: 'sometimes' is not one of auto, always, never",
    ),
    "text for seconds": (
        "SELFEVAL_FILE_TIMEOUT_SECONDS",
        "2 minutes",
        "SELFEVAL_FILE_TIMEOUT_SECONDS: '2 minutes' is not a number of seconds above 0",
    ),
    "no time at all": (
        "SELFEVAL_FILE_TIMEOUT_SECONDS",
        "nan",
        "SELFEVAL_FILE_TIMEOUT_SECONDS: 'nan' is not a number of seconds above 0",
    ),
    "text for a number kept": (
        "SELFEVAL_AUDIT_RUNS_KEPT",
        "all",
        "SELFEVAL_AUDIT_RUNS_KEPT: 'all' is not a whole number",
    ),
    "an empty path": (
        "SELFEVAL_WAREHOUSE",
        "",
        "SELFEVAL_WAREHOUSE: '' is not a path (empty; unset the variable for the default)",
    ),
    "a cron word": (
        "SELFEVAL_SCHEDULE_CRON",
        "daily",
        "SELFEVAL_SCHEDULE_CRON: 'daily' is not a cron expression of five fields "
        "(minute hour day month weekday)",
    ),
}


@pytest.mark.parametrize(("name", "value", "line"), BAD_VALUES.values(), ids=BAD_VALUES.keys())
def test_a_bad_value_is_one_line_naming_the_variable_and_exit_2(monkeypatch, capsys, name, value, line):
    monkeypatch.setenv(name, value)
    assert main(["query", "select 1"]) == 2
    assert capsys.readouterr().err == f"selfeval query: {line}\n"


@pytest.mark.parametrize(
    "argv",
    [
        ["extract", str(SEED)],
        ["build"],
        ["sync-partitions"],
        ["prune"],
        ["query", "select 1"],
        ["report"],
        ["export", "--parquet", "out"],
    ],
    ids=lambda argv: argv[0],
)
def test_every_command_reading_settings_stops_at_a_bad_value(monkeypatch, capsys, tmp_path, argv):
    monkeypatch.chdir(tmp_path)  # nothing may be written, and no ./.env read, where the tests run
    monkeypatch.setenv("SELFEVAL_DBT_THREADS", "abc")
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    line = "SELFEVAL_DBT_THREADS: 'abc' is not a whole number of at least 1"
    assert captured.err == f"selfeval {argv[0]}: {line}\n"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow  # a new process: the installed command, as the user runs it
def test_the_installed_command_prints_no_traceback_for_a_bad_value(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("SELFEVAL_")}
    env["SELFEVAL_DBT_THREADS"] = "abc"
    done = subprocess.run(
        [str(SELFEVAL), "query", "select 1"], env=env, cwd=tmp_path, capture_output=True, text=True
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == "selfeval query: SELFEVAL_DBT_THREADS: 'abc' is not a whole number of at least 1\n"


def test_per_file_limits_are_read_into_the_extractors_own_types():
    settings = Settings.from_env(
        {
            "SELFEVAL_MAX_PAGES": "7",
            "SELFEVAL_FILE_TIMEOUT_SECONDS": "0.5",
            "SELFEVAL_FILE_MEMORY_MB": "300",
            "SELFEVAL_WORKERS": "3",
        }
    )
    assert settings.file_limits == FileLimits(max_pages=7, seconds=0.5, memory_mb=300, workers=3)
    assert settings.file_limits.worker_limits() == Limits(seconds=0.5, memory_mb=300, workers=3)
    assert settings.file_limits.extract_settings().max_pages == 7


def test_unset_per_file_limits_are_the_extractors_defaults():
    limits = Settings.from_env({}).file_limits
    assert limits.worker_limits() == Limits()
    assert limits.extract_settings() == DEFAULT_SETTINGS


def test_ocr_mode_is_read_into_the_extractors_settings():
    limits = Settings.from_env({"SELFEVAL_OCR": "never"}).file_limits
    assert (limits.ocr, limits.extract_settings().ocr) == ("never", "never")
    assert SelfevalPaths.from_settings(Settings.from_env({"SELFEVAL_OCR": "never"})).file_limits() == limits


def test_dagster_runs_get_the_same_per_file_limits():
    settings = Settings.from_env(
        {"SELFEVAL_MAX_PAGES": "7", "SELFEVAL_FILE_TIMEOUT_SECONDS": "0.5", "SELFEVAL_WORKERS": "3"}
    )
    assert SelfevalPaths.from_settings(settings).file_limits() == settings.file_limits


def test_a_cron_dagster_refuses_is_one_line_naming_the_variable():
    from orchestration.defs.schedules import rebuild_schedule_for

    with pytest.raises(SettingsError) as caught:
        rebuild_schedule_for("61 * * * *")
    assert str(caught.value).startswith("SELFEVAL_SCHEDULE_CRON: '61 * * * *': ")
    assert len(str(caught.value).splitlines()) == 1


def test_the_extractor_reads_no_environment(monkeypatch):
    monkeypatch.setenv("SELFEVAL_MAX_PAGES", "5")  # what `selfeval` would apply; the library does not
    [(_, header)] = list(read_headers([SEED]))
    assert header.department == "苏州市公安局"
