"""Configuration: the environment read once into one typed object, handed to what needs it.

This module is the only place in orchestration/ that reads `SELFEVAL_*` variables; resources, sensors
and the schedule get their values from a `Settings` (see orchestration/definitions.py). Nothing here
writes to the environment.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
# The file dbt builds, in the data folder's dbt folder (Paths.dbt_dir): the same path on every build
# of a data folder, because dbt re-parses the whole project when its profile changes.
BUILD_DATABASE = "build.duckdb"
DEFAULT_AUDIT_RUNS_KEPT = 10
DEFAULT_DBT_THREADS = 1


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

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """From `environ` (the process environment by default); unset variables take the defaults,
        which work on a fresh clone (the bundled sample reports, `data/` beside the code)."""
        env = os.environ if environ is None else environ
        return cls(
            reports_dir=Path(env.get("SELFEVAL_REPORTS_DIR", REPO_ROOT / "tests" / "fixtures" / "pdfs")),
            warehouse=Path(env.get("SELFEVAL_WAREHOUSE", REPO_ROOT / "data" / "warehouse.duckdb")),
            data_dir=Path(env.get("SELFEVAL_DATA_DIR", REPO_ROOT / "data")),
            schedule_cron=env.get("SELFEVAL_SCHEDULE_CRON", cls.schedule_cron),
            dbt_threads=int(env.get("SELFEVAL_DBT_THREADS", cls.dbt_threads)),
            audit_runs_kept=max(1, int(env.get("SELFEVAL_AUDIT_RUNS_KEPT", cls.audit_runs_kept))),
        )

    @property
    def paths(self) -> Paths:
        return Paths(self.reports_dir, self.warehouse, self.data_dir)


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
