"""`dbt build` in a fork of the Dagster step's process, yielding dagster-dbt's events.

dagster-dbt's `DbtCliResource.cli` starts a second Python interpreter that imports dbt-core again
(≈ 210 MB, ≈ 4 s start-up) although the step's process already holds it (dagster-dbt imports it).
Here a forked child shares those pages and runs dbt's programmatic API (`dbtRunner`); what dbt
builds in memory goes away with the child, before the audit imports Great Expectations. The child
sends back dbt's result events, which go through dagster-dbt's own translation, so assets and
check results are the same; selection (asset and check subsets) is dagster-dbt's too.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt.asset_utils import (
    extract_runtime_selection_from_args,
    get_updated_cli_invocation_params_for_context,
)
from dagster_dbt.core.dbt_cli_event import DbtCoreCliEventMessage
from dbt.cli.main import dbtRunner
from dbt_common.events.functions import msg_to_dict

from orchestration.lib.atomic_write import replaced_on_success
from orchestration.lib.disk_full import DiskFullError, is_disk_full, named_if_disk_full, written_file
from orchestration.lib.forked import run_forked
from orchestration.lib.publish import finalize_build
from orchestration.lib.quarantine import failed_test_ids
from orchestration.lib.settings import BUILD_DATABASE

_PARTIAL_PARSE = "partial_parse.msgpack"


class DbtBuildError(Exception):
    def __init__(self, message: str, failed_tests: list[str] | None = None):
        super().__init__(message)
        self.failed_tests = failed_tests or []  # unique_ids, for tracing the failure to reports


def dbt_build(
    context: dg.AssetExecutionContext,
    project_dir: Path,
    database: Path,
    target: Path,
    env: dict[str, str],
    args: Sequence[str] = ("build",),
) -> Iterator[Any]:
    """Run dbt into a new DuckDB file `database`, then yield Output / AssetCheckResult per node.

    Raises if dbt failed. `target` is this run's scratch folder (dbt's artifacts), removed after;
    `env` holds the environment variables the project reads (set in dbt's process only).
    """
    cleaned, selects, excludes = extract_runtime_selection_from_args(list(args))
    params = get_updated_cli_invocation_params_for_context(
        context=context,
        manifest={},
        dagster_dbt_translator=None,
        runtime_selects=selects,
        runtime_excludes=excludes,
    )
    if params.dbt_project is not None:
        project_dir = Path(params.dbt_project.project_dir)
    target.mkdir(parents=True, exist_ok=True)
    parsed = project_dir / "target" / _PARTIAL_PARSE
    try:
        # dbt re-parses the whole project (≈ 6 s) when the profile changes; the profile's database
        # path is therefore the same every run (relative, in this run's own folder, see _run_dbt)
        # and the last run's parse is reused.
        if parsed.exists():
            shutil.copy(parsed, target / _PARTIAL_PARSE)
        flags = [
            *cleaned,
            *params.selection_args,
            "--project-dir",
            str(project_dir),
            "--profiles-dir",
            str(project_dir),
            "--target-path",
            str(target),
            "--log-path",
            str(target),
            "--no-send-anonymous-usage-stats",
            "--no-use-colors",  # its output goes to the build log, a file
        ]
        if params.indirect_selection:
            flags += ["--indirect-selection", params.indirect_selection]
        # In a forked child (lib/forked.py): dbt never gives back what it builds in memory (≈ 100 MB).
        success, results, errors = run_forked(_run_dbt, flags, target, database, env)
        for raw in results:
            event = DbtCoreCliEventMessage(raw_event=raw, event_history_metadata={})
            yield from event.to_default_asset_events(
                manifest=params.manifest,
                dagster_dbt_translator=params.dagster_dbt_translator,
                context=context,
                target_path=target,
                project=params.dbt_project,
            )
        if not success:
            raise DbtBuildError(
                f"dbt {' '.join(cleaned)} failed: " + ("; ".join(errors[:5]) or "see log"),
                failed_test_ids(results),
            )
        _keep_parse(target / _PARTIAL_PARSE, parsed)
    finally:
        shutil.rmtree(target, ignore_errors=True)


def _keep_parse(fresh: Path, kept: Path) -> None:
    if fresh.exists():
        # Atomic: a concurrent run reads the old or the new parse, whole. Only a time saver: a full
        # disk here does not fail the build.
        with contextlib.suppress(OSError), replaced_on_success(kept) as tmp:
            shutil.copy(fresh, tmp)


def _run_dbt(
    flags: list[str], folder: Path, database: Path, env: dict[str, str] | None = None
) -> tuple[bool, list[dict], list[str]]:
    """In the forked child: dbt builds `BUILD_DATABASE` in `folder`, which then becomes `database`."""
    os.chdir(folder)
    os.environ.update(env or {})
    os.environ["SELFEVAL_BUILD_DB"] = BUILD_DATABASE
    results: list[dict] = []
    errors: list[str] = []

    def collect(event) -> None:
        if event.info.name in _RESULT_EVENTS:
            results.append(msg_to_dict(event))
        elif event.info.level == "error":
            errors.append(event.info.msg)

    try:
        outcome = dbtRunner(callbacks=[collect]).invoke(flags)
    finally:
        _close_duckdb()
    if outcome.exception is not None:
        errors.insert(0, str(outcome.exception))
    built = folder / BUILD_DATABASE
    try:
        with named_if_disk_full(built):
            full = next((e for e in (outcome.exception, *errors) if e and is_disk_full(e)), None)
            if full is not None:  # dbt's own files (manifest, run results) are in `folder` too
                raise DiskFullError(written_file(full, folder))
            if built.exists():
                # Closing may fail to checkpoint without a word (full disk): the file would then
                # lack what its write-ahead log holds. Only a whole, checkpointed file moves on.
                finalize_build(built)
    except DiskFullError as exc:
        # The first cause alone (what failed after it is in the log); the partial file stays in
        # `folder`, which is removed with it.
        return False, results, [str(exc)]
    if built.exists():
        os.replace(built, database)
    return outcome.success and outcome.exception is None, results, errors


_RESULT_EVENTS = frozenset({"LogSeedResult", "LogModelResult", "LogSnapshotResult", "LogTestResult"})


def _close_duckdb() -> None:
    """dbt-duckdb may keep its database open at class level; closing it checkpoints the build file
    (no .wal left beside it) before the child exits."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    with DuckDBConnectionManager._LOCK:
        env = DuckDBConnectionManager._ENV
        if env is not None:
            env.close()
            DuckDBConnectionManager._ENV = None
