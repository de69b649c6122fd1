"""dbt's programmatic API (`dbtRunner`) in a forked child, its events streamed back as dicts.

What this relies on beyond the documented APIs, checked by tests/test_dbt_in_child.py: dbt's
events turned into the dicts of its JSON log lines (`dbt_common.events.functions.msg_to_dict`, as
dbt's `--log-format json` prints them), and dagster-dbt's `DbtCoreCliEventMessage`, the public
`DbtCliEventMessage` for dbt-core, which turns such a dict into Dagster events as
`DbtCliResource.cli(...).stream()` does.
"""

from __future__ import annotations

import gc
import os
import sys
import traceback
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from orchestration.build.forked import WarmChild, die_with_parent, joined, start_child
from orchestration.settings import BUILD_DATABASE

_DONE = "done"


@dataclass
class DbtOutcome:
    success: bool = False
    error: str | None = None  # dbt's first error message (or why the child ended), if any
    # The nodes that failed or errored, in dbt's order (unique_id, status, message: as dbt's
    # run_results.json lists them), when the child could tell.
    failed: list[dict[str, Any]] = field(default_factory=list)


def child_environment(project_dir: Path, dbt_dir: Path) -> dict[str, str]:
    """What dbt reads from the environment in the child (as DbtCliResource sets it for its dbt)."""
    return {
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DBT_PROJECT_DIR": str(project_dir),
        "DBT_PROFILES_DIR": str(project_dir),
        "DBT_TARGET_PATH": str(dbt_dir),
        "DBT_LOG_PATH": str(dbt_dir),
        # The profile's database path, relative to the working directory, the dbt folder.
        "SELFEVAL_BUILD_DB": BUILD_DATABASE,
    }


# dbt's children started ahead of their build (`prestart`), by dbt folder, with their arguments.
_prestarted: dict[Path, tuple[Path, list[str], WarmChild]] = {}


def prestart(project_dir: Path, dbt_dir: Path, args: list[str], parse: list[str]) -> None:
    """Start the child of `dbt ARGS` in `dbt_dir` now: it imports dbt and runs `dbt PARSE` (from the
    folder's saved parse) while this process does other work, then waits. PARSE must parse what
    ARGS would (the same global flags, vars and environment): ARGS then run on its manifest. The next
    `events_of_dbt_in_child` with the same folder and arguments runs it; `cancel_prestarted` ends
    one not run. Parsing ahead is sound because a build's parse depends only on the project's
    files, the arguments and the environment above, none of which the build changes. A child
    already started for the same folder, project and arguments, and still alive, is kept."""
    if _alive_for(project_dir, dbt_dir, args):
        return
    cancel_prestarted(dbt_dir)
    warm = WarmChild(_child, child_environment(project_dir, dbt_dir), dbt_dir, list(args), list(parse))
    _prestarted[dbt_dir] = (project_dir, list(args), warm)


def cancel_prestarted(dbt_dir: Path | None = None) -> None:
    """End the prestarted child of `dbt_dir` (of every folder: None) if no build took it."""
    for folder in [dbt_dir] if dbt_dir is not None else list(_prestarted):
        entry = _prestarted.pop(folder, None)
        if entry is not None:
            entry[2].cancel()


def _alive_for(project_dir: Path, dbt_dir: Path, args: list[str]) -> bool:
    """Whether the child prestarted for `dbt_dir` is alive and was started for this build."""
    entry = _prestarted.get(dbt_dir)
    return entry is not None and entry[:2] == (project_dir, list(args)) and entry[2].process.is_alive()


def _take_prestarted(project_dir: Path, dbt_dir: Path, args: list[str]) -> WarmChild | None:
    if not _alive_for(project_dir, dbt_dir, args):
        cancel_prestarted(dbt_dir)  # started for another build: of no use to this one
        return None
    return _prestarted.pop(dbt_dir)[2]


def events_of_dbt_in_child(
    project_dir: Path,
    dbt_dir: Path,
    args: list[str],
    outcome: DbtOutcome,
) -> Iterator[dict[str, Any]]:
    """Run `dbt ARGS` with `dbt_dir` as working directory in a forked child (the one `prestart`
    started for them, if any); yield its info, warning and error events as dicts, as they come;
    set `outcome` when it has ended."""
    warm = _take_prestarted(project_dir, dbt_dir, args)
    if warm is not None:
        receive, child = warm.go(), warm.process
    else:
        environment = child_environment(project_dir, dbt_dir)
        receive, child = start_child(_child, None, environment, dbt_dir, args, None)
    first_error = None
    try:
        while True:
            try:
                message = receive.recv()
            except EOFError:
                outcome.success = False
                outcome.error = first_error or f"dbt ended without a result (exit code {child.exitcode})"
                break
            if isinstance(message, tuple) and message[0] == _DONE:
                outcome.success, exception, outcome.failed = message[1], message[2], message[3]
                outcome.error = first_error or exception
                break
            if first_error is None and message.get("info", {}).get("level") == "error":
                first_error = message["info"].get("msg")
            yield message
    finally:
        receive.close()
        if child.is_alive() and outcome.error is None and not outcome.success:
            child.kill()  # the consumer stopped early (an error in this process)
        joined(child)


def _child(
    conn, work, environment: Mapping[str, str], dbt_dir: Path, args: list[str], parse: list[str] | None
) -> None:
    """dbt in the child. Started ahead (`work` is a pipe): `dbt PARSE` at once, then, told to go,
    `dbt ARGS` on the manifest it parsed (dbtRunner's documented `manifest=`); else `dbt ARGS` at
    once, parsing first."""
    die_with_parent()
    payload = None
    try:
        os.environ.update(environment)
        os.chdir(dbt_dir)
        from dbt.cli.main import dbtRunner
        from dbt_common.events.functions import msg_to_dict

        manifest = None
        if work is not None:
            manifest = _parsed(dbtRunner, parse)
            # The parsed project lives as long as the child: the collector's full passes during the
            # build need not walk it again (one took ≈ 0.3 s, before the first node).
            gc.freeze()
            try:
                work.recv()
            except EOFError:  # not to be run after all
                return
            finally:
                work.close()

        def forward(event) -> None:
            if event.info.level != "debug":
                conn.send(msg_to_dict(event))

        result = dbtRunner(manifest=manifest, callbacks=[forward]).invoke(args)
        failure = result.exception
        exception = None if failure is None else f"{type(failure).__name__}: {failure}"
        payload = (_DONE, bool(result.success), exception, _failed_nodes(result.result))
    except BaseException as exc:  # everything goes back to the parent, as text
        traceback.print_exc()
        payload = (_DONE, False, f"{type(exc).__name__}: {exc}", [])
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        if payload is not None:
            conn.send(payload)
        conn.close()


def _parsed(dbt_runner, parse: list[str] | None):
    """The manifest `dbt PARSE` makes (dbt saves it as the folder's partial parse too), or None if
    it fails: the run then parses again itself and reports why through its events."""
    if not parse:
        return None
    try:
        result = dbt_runner().invoke(parse)
    except Exception:
        return None
    return result.result if result.success else None


def _failed_nodes(results) -> list[dict[str, Any]]:
    """The results of a run that failed or errored, as run_results.json lists them."""
    out = []
    for r in getattr(results, "results", None) or []:
        status = str(getattr(r, "status", "")).lower()
        if status in ("fail", "error"):
            out.append({"unique_id": r.node.unique_id, "status": status, "message": r.message})
    return out


def result_events(
    raw: dict[str, Any], manifest: Mapping[str, Any], translator, context, target_path: Path
) -> Iterator[Any]:
    """The Dagster events (Output per model, AssetCheckResult per test) of one dbt event dict."""
    from dagster_dbt.core.dbt_cli_event import DbtCoreCliEventMessage

    event = DbtCoreCliEventMessage(raw_event=raw, event_history_metadata={})
    yield from event.to_default_asset_events(
        manifest=manifest, dagster_dbt_translator=translator, context=context, target_path=target_path
    )
