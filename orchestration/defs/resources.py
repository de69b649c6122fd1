"""Resources, configured from the environment (defaults filled in first, see lib/settings.py)."""

import contextlib
from pathlib import Path

import dagster as dg
from pydantic import PrivateAttr

from orchestration.lib.build_lock import build_lock
from orchestration.lib.settings import Paths, apply_defaults

apply_defaults()


class SelfevalPaths(dg.ConfigurableResource):
    """Where reports come from, where Parquet/build/audit files go, and the published warehouse."""

    reports_dir: str
    warehouse: str
    data_dir: str

    def paths(self) -> Paths:
        return Paths(Path(self.reports_dir), Path(self.warehouse), Path(self.data_dir))


class BuildLock(dg.ConfigurableResource):
    """The data folder's build lock (lib/build_lock.py), held from the start of a run to its end.

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


@dg.definitions
def resources() -> dg.Definitions:
    return dg.Definitions(
        resources={
            "paths": SelfevalPaths(
                reports_dir=dg.EnvVar("SELFEVAL_REPORTS_DIR"),
                warehouse=dg.EnvVar("SELFEVAL_WAREHOUSE"),
                data_dir=dg.EnvVar("SELFEVAL_DATA_DIR"),
            ),
            "build_lock": BuildLock(data_dir=dg.EnvVar("SELFEVAL_DATA_DIR")),
        },
        # Also for assets materialized from the UI outside the jobs: one process per run.
        executor=dg.in_process_executor,
    )
