"""Resources, made from the settings read once (orchestration/settings.py) by orchestration/definitions.py.

dagster-dbt (and the dbt-core it imports) only with the dbt resource: the extraction's resources,
its assets and its job load without them (`definitions.extraction_definitions`)."""

import contextlib
from pathlib import Path
from typing import TYPE_CHECKING

import dagster as dg
from pydantic import PrivateAttr

from orchestration.build.build_lock import build_lock
from orchestration.settings import (
    DEFAULT_AUDIT_RUNS_KEPT,
    DEFAULT_DBT_THREADS,
    FileLimits,
    Paths,
    Settings,
    dbt_executable,
)

if TYPE_CHECKING:
    from dagster_dbt import DbtCliResource


class SelfevalPaths(dg.ConfigurableResource):
    """Where reports come from, where Parquet/build/audit files go, the published warehouse, and how
    a build runs there (per-file limits, dbt threads, audit runs kept)."""

    reports_dir: str
    warehouse: str
    data_dir: str
    dbt_threads: int = DEFAULT_DBT_THREADS
    audit_runs_kept: int = DEFAULT_AUDIT_RUNS_KEPT
    # FileLimits' fields; None: the extractor's default.
    max_pages: int | None = None
    file_timeout_seconds: float | None = None
    file_memory_mb: int | None = None
    workers: int | None = None
    ocr: str | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> "SelfevalPaths":
        return cls(
            reports_dir=str(settings.reports_dir),
            warehouse=str(settings.warehouse),
            data_dir=str(settings.data_dir),
            dbt_threads=settings.dbt_threads,
            audit_runs_kept=settings.audit_runs_kept,
            max_pages=settings.file_limits.max_pages,
            file_timeout_seconds=settings.file_limits.seconds,
            file_memory_mb=settings.file_limits.memory_mb,
            workers=settings.file_limits.workers,
            ocr=settings.file_limits.ocr,
        )

    def paths(self) -> Paths:
        return Paths(Path(self.reports_dir), Path(self.warehouse), Path(self.data_dir))

    def file_limits(self) -> FileLimits:
        return FileLimits(
            self.max_pages, self.file_timeout_seconds, self.file_memory_mb, self.workers, self.ocr
        )


class BuildLock(dg.ConfigurableResource):
    """The data folder's build lock (build/build_lock.py), held from the start of a run to its end.

    Set up once per run and process: every job runs its steps in one process (in-process executor,
    below), so the lock covers the whole run, not one step at a time.
    """

    data_dir: str
    _held: contextlib.ExitStack = PrivateAttr(default_factory=contextlib.ExitStack)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        on_wait = context.log.warning if context.log is not None else None
        self._held.enter_context(build_lock(Path(self.data_dir), on_wait=on_wait))

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        self._held.close()


def dbt_resource() -> "DbtCliResource":
    from dagster_dbt import DbtCliResource

    from orchestration.defs.project import dbt_project

    # Its output goes to the build log, a file: no colour codes. dbt's own log file is not kept
    # (what it says is in the step's output and so in the build log).
    return DbtCliResource(
        project_dir=dbt_project,
        dbt_executable=dbt_executable(),
        global_config_flags=["--no-use-colors", "--log-level-file", "none"],
    )


def extraction_resources_for(settings: Settings) -> dict:
    return {
        "paths": SelfevalPaths.from_settings(settings),
        "build_lock": BuildLock(data_dir=str(settings.data_dir)),
    }
