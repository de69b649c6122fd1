"""Configuration: the environment read once into one typed object, handed to what needs it.

This module is the only place that reads `SELFEVAL_*` variables (extract/ takes its limits as
arguments); resources, sensors, the schedule and the CLI get their values from a `Settings` (see
orchestration/definitions.py). Every value is checked here: a bad one is a `SettingsError` naming the
variable, in one line. Nothing here writes to the environment.
"""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:  # importing extract costs ≈ 0.7 s, which `selfeval query` does not need
    from extract.guarded import Limits
    from extract.settings import ExtractSettings

REPO_ROOT = Path(__file__).resolve().parents[1]
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
# The file dbt builds, in the data folder's dbt folder (Paths.dbt_dir): the same path on every build
# of a data folder, because dbt re-parses the whole project when its profile changes.
BUILD_DATABASE = "build.duckdb"
DEFAULT_AUDIT_RUNS_KEPT = 10
DEFAULT_DBT_THREADS = 1


class SettingsError(ValueError):
    """A `SELFEVAL_*` variable with a value that cannot be used; the message names it, in one line."""


@dataclass(frozen=True)
class FileLimits:
    """How each file is read (extract.guarded's workers); unset fields take the extractor's defaults."""

    max_pages: int | None = None  # SELFEVAL_MAX_PAGES
    seconds: float | None = None  # SELFEVAL_FILE_TIMEOUT_SECONDS
    memory_mb: int | None = None  # SELFEVAL_FILE_MEMORY_MB
    workers: int | None = None  # SELFEVAL_WORKERS
    ocr: str | None = None  # SELFEVAL_OCR: auto, always or never (docs/ocr.md)

    def extract_settings(self) -> ExtractSettings:
        from extract.settings import DEFAULT_SETTINGS, ExtractSettings

        given = {"max_pages": self.max_pages, "ocr": self.ocr}
        chosen = {k: v for k, v in given.items() if v is not None}
        return ExtractSettings(**chosen) if chosen else DEFAULT_SETTINGS

    def worker_limits(self) -> Limits:
        from extract.guarded import Limits

        given = {"seconds": self.seconds, "memory_mb": self.memory_mb, "workers": self.workers}
        return Limits(**{k: v for k, v in given.items() if v is not None})


@dataclass(frozen=True)
class Settings:
    reports_dir: Path
    warehouse: Path
    data_dir: Path
    schedule_cron: str = "0 6 * * *"
    # dbt models built at once (each DuckDB query already uses every core).
    dbt_threads: int = DEFAULT_DBT_THREADS
    # Audit results and Data Docs (≈ 5 MB a run) of this many newest runs are kept; at least 1.
    audit_runs_kept: int = DEFAULT_AUDIT_RUNS_KEPT
    # Per-file page, time and memory limits and extraction worker processes.
    file_limits: FileLimits = field(default_factory=FileLimits)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """From `environ` (the process environment by default); unset variables take the defaults,
        which work on a fresh clone (the bundled sample reports, `data/` beside the code).
        Raises `SettingsError` for the first variable whose value cannot be used."""
        env = os.environ if environ is None else environ
        read = _Reader(env)
        return cls(
            reports_dir=read("SELFEVAL_REPORTS_DIR", _path, REPO_ROOT / "tests" / "fixtures" / "pdfs"),
            warehouse=read("SELFEVAL_WAREHOUSE", _path, REPO_ROOT / "data" / "warehouse.duckdb"),
            data_dir=read("SELFEVAL_DATA_DIR", _path, REPO_ROOT / "data"),
            schedule_cron=read("SELFEVAL_SCHEDULE_CRON", _cron, cls.schedule_cron),
            dbt_threads=read("SELFEVAL_DBT_THREADS", _whole_number, cls.dbt_threads),
            # At least one run is kept: 0 or less keeps one.
            audit_runs_kept=max(1, read("SELFEVAL_AUDIT_RUNS_KEPT", _integer, cls.audit_runs_kept)),
            file_limits=FileLimits(
                max_pages=read("SELFEVAL_MAX_PAGES", _whole_number, None),
                seconds=read("SELFEVAL_FILE_TIMEOUT_SECONDS", _seconds, None),
                memory_mb=read("SELFEVAL_FILE_MEMORY_MB", _whole_number, None),
                workers=read("SELFEVAL_WORKERS", _whole_number, None),
                ocr=read("SELFEVAL_OCR", _ocr_mode, None),
            ),
        )

    @property
    def paths(self) -> Paths:
        return Paths(self.reports_dir, self.warehouse, self.data_dir)


_T = TypeVar("_T")
_D = TypeVar("_D")


class _Reader:
    """One variable at a time: its default when unset, else its parsed value or a `SettingsError`."""

    def __init__(self, env: Mapping[str, str]) -> None:
        self.env = env

    def __call__(self, name: str, parse: Callable[[str], _T], default: _D) -> _T | _D:
        if name not in self.env:
            return default
        value = self.env[name]
        try:
            return parse(value)
        except ValueError as exc:
            raise SettingsError(f"{name}: {value!r} is not {exc}") from None


def _path(value: str) -> Path:
    if not value.strip():
        raise ValueError("a path (empty; unset the variable for the default)")
    return Path(value)


def _integer(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise ValueError("a whole number") from None


def _whole_number(value: str) -> int:
    """A count: 1 or more."""
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise ValueError("a whole number of at least 1")
    return number


def _seconds(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not (math.isfinite(number) and number > 0):
        raise ValueError("a number of seconds above 0")
    return number


def _ocr_mode(value: str) -> str:
    modes = ("auto", "always", "never")  # extract.settings.OCR_MODES, without importing extract
    if value not in modes:
        raise ValueError(f"one of {', '.join(modes)}")
    return value


def _cron(value: str) -> str:
    """Five fields, as Dagster's schedules take them; Dagster checks each field's values when it
    makes the schedule (orchestration/defs/schedules.py), and its refusal names this variable too."""
    if len(value.split()) != 5:
        raise ValueError("a cron expression of five fields (minute hour day month weekday)")
    return value


def dbt_executable() -> str:
    """The dbt installed beside this interpreter, so an un-activated virtualenv works too."""
    beside = Path(sys.executable).with_name("dbt")
    return str(beside) if beside.exists() else "dbt"


@dataclass(frozen=True)
class Paths:
    reports_dir: Path
    warehouse: Path
    data_dir: Path

    @property
    def extracted_dir(self) -> Path:
        return self.data_dir / "extracted"

    @property
    def extraction_cache_dir(self) -> Path:
        """Every report ever extracted here, by content hash (see build/extraction.py)."""
        return self.data_dir / "cache"

    @property
    def rejected_dir(self) -> Path:
        return self.data_dir / "rejected"

    @property
    def build_dir(self) -> Path:
        return self.data_dir / "build"

    @property
    def dbt_dir(self) -> Path:
        """dbt's target folder: its parse, reused by the next build, and the file it is building."""
        return self.data_dir / "dbt"

    @property
    def header_cache_dir(self) -> Path:
        return self.data_dir / "headers"

    @property
    def audit_dir(self) -> Path:
        return self.data_dir / "audit"

    @property
    def report_dir(self) -> Path:
        """The evidence report (a static site), rebuilt after every publish."""
        return self.data_dir / "report"
