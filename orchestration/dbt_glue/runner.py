"""`dbt build` into a new DuckDB file through dagster-dbt's `DbtCliResource`, yielding its events.

dbt builds in the data folder's dbt folder (`Paths.dbt_dir`), under the same path on every build:
dbt re-parses the whole project when the profile (its database path) changes, so a rebuild reuses
the last build's parse, kept there. The build lock keeps a second build of the same data folder out.
The finished file is checkpointed and moved to the run's own build path.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DbtCliResource

from orchestration.build.disk_full import DiskFullError, is_disk_full, named_if_disk_full, written_file
from orchestration.build.publish import finalize_build
from orchestration.settings import BUILD_DATABASE


class DbtBuildError(Exception):
    def __init__(self, message: str, failed_tests: list[str] | None = None):
        super().__init__(message)
        self.failed_tests = failed_tests or []  # unique_ids, for tracing the failure to reports


def dbt_build(
    context: dg.AssetExecutionContext,
    dbt: DbtCliResource,
    dbt_dir: Path,
    database: Path,
    project_vars: Mapping[str, str],
    threads: int,
) -> Iterator[Any]:
    """Run `dbt build` (the context's selection) into `dbt_dir`, then move the file to `database`.

    Yields dagster-dbt's Output / AssetCheckResult events; raises DbtBuildError if dbt failed
    (DiskFullError if it ran into a full disk). `project_vars` are the project's `--vars`.
    dbt's unit tests check the SQL on fixed inputs, not the data: the test suite runs them, as dbt
    advises, not every build.
    """
    built = dbt_dir / BUILD_DATABASE
    _remove(built)  # left by a build that was killed
    dbt_dir.mkdir(parents=True, exist_ok=True)
    args = [
        "build",
        "--exclude-resource-type",
        "unit_test",
        "--threads",
        str(threads),
        "--vars",
        json.dumps(dict(project_vars)),
    ]
    # The profile reads its database path from the environment, and DbtCliResource hands dbt a copy
    # of this process's environment when it starts it: set for that moment only.
    with _environment_while_starting({"SELFEVAL_BUILD_DB": str(built)}):
        invocation = dbt.cli(args, context=context, target_path=dbt_dir, raise_on_error=False)
    try:
        yield from invocation.stream()
        error = None if invocation.is_successful() else invocation.get_error()
        message = "see log" if error is None else str(error)
        if error is not None and is_disk_full(message):
            raise DiskFullError(written_file(message, dbt_dir))
        if built.exists():
            # Closing may fail to checkpoint without a word (full disk): the file would then lack
            # what its write-ahead log holds. Only a whole, checkpointed file moves on; a failed
            # build's too, so that its failing tests can be traced to reports (build/quarantine.py).
            with named_if_disk_full(built):
                finalize_build(built)
            os.replace(built, database)
        if not invocation.is_successful():
            failed = _failed_nodes(invocation, dbt_dir)
            # dbt's own words for what failed (run_results), else what dagster-dbt collected.
            why = "; ".join(f"{n['unique_id']}: {_one_line(n.get('message'))}" for n in failed[:5])
            raise DbtBuildError(
                "dbt build failed: " + (why or _one_line(message)),
                [n["unique_id"] for n in failed if n["unique_id"].startswith("test.")],
            )
    finally:
        _remove(built)


def _one_line(text: str | None) -> str:
    """dbt's message on one line (its cause is on the next: `Runtime Error in model …` / `IO Error: …`)."""
    return " ".join(line.strip() for line in (text or "").splitlines() if line.strip()) or "see log"


def _failed_nodes(invocation, dbt_dir: Path) -> list[dict]:
    """The results of dbt's run_results.json that failed or errored, in dbt's order."""
    if not (dbt_dir / "run_results.json").exists():
        return []
    results = invocation.get_artifact("run_results.json").get("results", [])
    return [r for r in results if str(r.get("status")).lower() in ("fail", "error")]


def _remove(built: Path) -> None:
    for leftover in (built, built.with_name(f"{built.name}.wal")):
        leftover.unlink(missing_ok=True)


@contextlib.contextmanager
def _environment_while_starting(values: Mapping[str, str]) -> Iterator[None]:
    before = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in before.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
