"""Configuration, from the environment only, with defaults that work on a fresh clone."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
# The database path dbt's profile is given for builds: relative, so the same in every run (dbt
# re-parses the whole project when the profile changes); each run builds in its own folder.
BUILD_DATABASE = "build.duckdb"

DEFAULTS = {
    # The bundled sample reports (the committed fixture corpus).
    "SELFEVAL_REPORTS_DIR": str(REPO_ROOT / "tests" / "fixtures" / "pdfs"),
    "SELFEVAL_WAREHOUSE": str(REPO_ROOT / "data" / "warehouse.duckdb"),
    "SELFEVAL_DATA_DIR": str(REPO_ROOT / "data"),
    "SELFEVAL_SCHEDULE_CRON": "0 6 * * *",
    "SELFEVAL_MAX_PAGES": "300",
    "SELFEVAL_FILE_TIMEOUT_SECONDS": "120",
    # Audit results and Data Docs (≈ 5 MB a run) of this many newest runs are kept.
    "SELFEVAL_AUDIT_RUNS_KEPT": "10",
}


def dbt_executable() -> str:
    """The dbt installed beside this interpreter, so an un-activated virtualenv works too."""
    beside = Path(sys.executable).with_name("dbt")
    return str(beside) if beside.exists() else "dbt"


def apply_defaults() -> None:
    """Put the defaults into the environment where unset, so dg.EnvVar and dbt env_var() see them."""
    for key, value in DEFAULTS.items():
        os.environ.setdefault(key, value)


def audit_runs_kept() -> int:
    """SELFEVAL_AUDIT_RUNS_KEPT, at least 1 (the run being audited)."""
    apply_defaults()
    return max(1, int(os.environ["SELFEVAL_AUDIT_RUNS_KEPT"]))


@dataclass(frozen=True)
class Paths:
    reports_dir: Path
    warehouse: Path
    data_dir: Path

    @classmethod
    def from_env(cls) -> Paths:
        apply_defaults()
        return cls(
            reports_dir=Path(os.environ["SELFEVAL_REPORTS_DIR"]),
            warehouse=Path(os.environ["SELFEVAL_WAREHOUSE"]),
            data_dir=Path(os.environ["SELFEVAL_DATA_DIR"]),
        )

    @property
    def extracted_dir(self) -> Path:
        return self.data_dir / "extracted"

    @property
    def extraction_cache_dir(self) -> Path:
        """Every report ever extracted here, by content hash (see lib/extraction.py)."""
        return self.data_dir / "cache"

    @property
    def rejected_dir(self) -> Path:
        return self.data_dir / "rejected"

    @property
    def build_dir(self) -> Path:
        return self.data_dir / "build"

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
