"""dbt's programmatic API (`dbtRunner`) in a forked child, its events streamed back as dicts.

What this relies on beyond the documented APIs, checked by tests/test_dbt_in_child.py: dbt's
events turned into the dicts of its JSON log lines (`dbt_common.events.functions.msg_to_dict`, as
dbt's `--log-format json` prints them), and dagster-dbt's `DbtCoreCliEventMessage`, the public
`DbtCliEventMessage` for dbt-core, which turns such a dict into Dagster events as
`DbtCliResource.cli(...).stream()` does.
"""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from orchestration.build.forked import die_with_parent, start_child
from orchestration.settings import BUILD_DATABASE

_DONE = "done"


@dataclass
class DbtOutcome:
    success: bool = False
    error: str | None = None  # dbt's first error message (or why the child ended), if any


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


def events_of_dbt_in_child(
    project_dir: Path,
    dbt_dir: Path,
    args: list[str],
    outcome: DbtOutcome,
) -> Iterator[dict[str, Any]]:
    """Run `dbt ARGS` with `dbt_dir` as working directory in a forked child; yield its info, warning
    and error events as dicts, as they come; set `outcome` when it has ended."""
    receive, child = start_child(_child, child_environment(project_dir, dbt_dir), dbt_dir, args)
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
                outcome.success, exception = message[1], message[2]
                outcome.error = first_error or exception
                break
            if first_error is None and message.get("info", {}).get("level") == "error":
                first_error = message["info"].get("msg")
            yield message
    finally:
        receive.close()
        if child.is_alive() and outcome.error is None and not outcome.success:
            child.kill()  # the consumer stopped early (an error in this process)
        child.join()


def _child(conn, environment: Mapping[str, str], dbt_dir: Path, args: list[str]) -> None:
    die_with_parent()
    try:
        os.environ.update(environment)
        os.chdir(dbt_dir)
        from dbt.cli.main import dbtRunner
        from dbt_common.events.functions import msg_to_dict

        def forward(event) -> None:
            if event.info.level != "debug":
                conn.send(msg_to_dict(event))

        result = dbtRunner(callbacks=[forward]).invoke(args)
        failure = result.exception
        exception = None if failure is None else f"{type(failure).__name__}: {failure}"
        payload = (_DONE, bool(result.success), exception)
    except BaseException as exc:  # everything goes back to the parent, as text
        traceback.print_exc()
        payload = (_DONE, False, f"{type(exc).__name__}: {exc}")
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
    conn.send(payload)
    conn.close()


def result_events(
    raw: dict[str, Any], manifest: Mapping[str, Any], translator, context, target_path: Path
) -> Iterator[Any]:
    """The Dagster events (Output per model, AssetCheckResult per test) of one dbt event dict."""
    from dagster_dbt.core.dbt_cli_event import DbtCoreCliEventMessage

    event = DbtCoreCliEventMessage(raw_event=raw, event_history_metadata={})
    yield from event.to_default_asset_events(
        manifest=manifest, dagster_dbt_translator=translator, context=context, target_path=target_path
    )
