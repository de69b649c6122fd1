"""`dbt build` into a new DuckDB file, yielding dagster-dbt's events for it.

A whole build (every model, the CLI's and the sensor's runs) calls dbt's own programmatic API,
`dbtRunner`, in a forked child of this process (`in_child.py`): it starts with the dbt-core that
dagster-dbt already imported, parses nothing the last build of any data folder parsed, and gives
its memory back when it exits. dagster-dbt's `DbtCliResource` would start dbt twice more (a
`dbt --version`, then the build) and load the adapter in this process too: about 5 s of a
one-report build (docs/performance.md). The child's dbt events become Dagster events through
dagster-dbt's own conversion. A run of some models only (from the UI) goes through
`DbtCliResource`, which knows how to turn the run's selection into dbt's.

dbt builds in the data folder's dbt folder (`Paths.dbt_dir`), which is the child's working
directory: the profile's database path and the folders the sources read are the same relative
paths for every data folder (`RELATIVE_VARS`, `BUILD_DATABASE`), so dbt's saved parse
(partial_parse.msgpack) is valid for any of them. A data folder's first build starts from the
one `prepare_manifest` (orchestration/defs/project.py) saved beside the project's manifest.
The build lock keeps a second build of the same data folder out. The finished file is
checkpointed and moved to the run's own build path.

`selfeval build` starts the child a little ahead (`prestart_whole_build`, once extraction is done,
which may be before the definitions load): it imports dbt's runner and parses while the build sets
up its warehouse run, and builds on the manifest it parsed when the step starts. dbt writes no
manifest.json or run_results.json (≈ 0.5 s per build): the child sends back the nodes that failed.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import shutil
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource

from orchestration.build.disk_full import DiskFullError, is_disk_full, named_if_disk_full, written_file
from orchestration.build.publish import finalize_build
from orchestration.settings import BUILD_DATABASE

from .in_child import DbtOutcome, events_of_dbt_in_child, prestart, result_events

PARTIAL_PARSE_FILE = "partial_parse.msgpack"
# The dbt-duckdb plugins profiles.yml lists (`plugins: - module:`).
PROFILE_PLUGINS = ("orchestration.dbt_glue.name_key",)
# The sources' folders as seen from the dbt folder (data folder/dbt): Paths.extracted_dir and
# Paths.rejected_dir are the data folder's extracted/ and rejected/.
RELATIVE_VARS = {"extracted_dir": "../extracted", "rejected_dir": "../rejected"}


class DbtBuildError(Exception):
    def __init__(self, message: str, failed_tests: list[str] | None = None):
        super().__init__(message)
        self.failed_tests = failed_tests or []  # unique_ids, for tracing the failure to reports


def build_args(threads: int, project_vars: Mapping[str, str]) -> list[str]:
    """dbt's arguments for a build. dbt's unit tests check the SQL on fixed inputs, not the data:
    the test suite runs them, as dbt advises, not every build."""
    return [
        "build",
        "--exclude-resource-type",
        "unit_test",
        "--threads",
        str(threads),
        "--vars",
        json.dumps(dict(project_vars), sort_keys=True),
    ]


def whole_build_args(dbt: DbtCliResource, threads: int) -> list[str]:
    """dbt's arguments for a whole build, run in a child (the same for every data folder).
    No JSON artifacts: the failures come back from the child, and the manifest Dagster reads is
    the project's own (`prepare_manifest`); writing dbt's manifest.json and run_results.json took
    ≈ 0.5 s of every build."""
    return [*dbt.global_config_flags, *build_args(threads, RELATIVE_VARS), "--no-write-json"]


def whole_parse_args(dbt: DbtCliResource) -> list[str]:
    """`dbt parse` as a whole build parses (its global flags and vars): for a prestarted child."""
    # Silent: its lines would come before the step's in the log, and an error is the build's to
    # report (the build then parses again, saying why).
    flags = [*dbt.global_config_flags, "--log-level", "none"]
    return [*flags, "parse", "--no-write-json", "--vars", json.dumps(RELATIVE_VARS, sort_keys=True)]


def prestart_whole_build(dbt: DbtCliResource, dbt_dir: Path, threads: int) -> None:
    """Start the child of the next whole build in `dbt_dir` now (in_child.prestart): it imports dbt
    and parses while the build loads its definitions and extracts; `dbt_build` runs it."""
    dbt_dir.mkdir(parents=True, exist_ok=True)
    _seed_partial_parse(Path(dbt.project_dir), dbt_dir)
    # Imported here, before the fork, so that the child shares them: this process imports them
    # anyway (they are the extractor's), and dbt's first connection would otherwise import them
    # in the child (≈ 1 s of CPU and 50 MB, PDF readers and numpy with them).
    for module in PROFILE_PLUGINS:
        importlib.import_module(module)
    prestart(Path(dbt.project_dir), dbt_dir, whole_build_args(dbt, threads), whole_parse_args(dbt))


def dbt_build(
    context: dg.AssetExecutionContext,
    dbt: DbtCliResource,
    dbt_dir: Path,
    database: Path,
    project_vars: Mapping[str, str],
    threads: int,
    manifest: Mapping[str, Any] | None = None,
    translator: DagsterDbtTranslator | None = None,
) -> Iterator[Any]:
    """Run `dbt build` (the context's selection) in `dbt_dir`, then move the file to `database`.

    Yields dagster-dbt's Output / AssetCheckResult events; raises DbtBuildError if dbt failed
    (DiskFullError if it ran into a full disk). `project_vars` are the project's `--vars` for a run
    of some models only (absolute paths); a whole build reads the same folders by RELATIVE_VARS.
    `manifest` and `translator` are the dbt assets' (for turning dbt's events into Dagster's).
    """
    built = dbt_dir / BUILD_DATABASE
    _remove(built)  # left by a build that was killed
    dbt_dir.mkdir(parents=True, exist_ok=True)
    (dbt_dir / "run_results.json").unlink(missing_ok=True)  # the last build's: not this one's failures
    if context.is_subset or manifest is None:
        outcome = yield from _through_dbt_cli_resource(context, dbt, dbt_dir, built, project_vars, threads)
    else:
        _seed_partial_parse(Path(dbt.project_dir), dbt_dir)
        args = whole_build_args(dbt, threads)
        outcome = DbtOutcome()
        for raw in events_of_dbt_in_child(Path(dbt.project_dir), dbt_dir, args, outcome):
            yield from result_events(raw, manifest, translator or DagsterDbtTranslator(), context, dbt_dir)
    try:
        if outcome.error is not None and is_disk_full(outcome.error):
            raise DiskFullError(written_file(outcome.error, dbt_dir))
        if built.exists():
            # Closing may fail to checkpoint without a word (full disk): the file would then lack
            # what its write-ahead log holds. Only a whole, checkpointed file moves on; a failed
            # build's too, so that its failing tests can be traced to reports (build/quarantine.py).
            with named_if_disk_full(built):
                finalize_build(built)
            os.replace(built, database)
        if not outcome.success:
            failed = outcome.failed
            # dbt's own words for what failed (run_results), else its first error.
            why = "; ".join(f"{n['unique_id']}: {_one_line(n.get('message'))}" for n in failed[:5])
            raise DbtBuildError(
                "dbt build failed: " + (why or _one_line(outcome.error)),
                [n["unique_id"] for n in failed if n["unique_id"].startswith("test.")],
            )
    finally:
        _remove(built)


def _through_dbt_cli_resource(context, dbt: DbtCliResource, dbt_dir, built, project_vars, threads):
    """A run of some models only, as dagster-dbt runs it (its own dbt process, absolute paths)."""
    args = build_args(threads, project_vars)
    # The profile reads its database path from the environment, and DbtCliResource hands dbt a copy
    # of this process's environment when it starts it: set for that moment only.
    with environment_while_starting({"SELFEVAL_BUILD_DB": str(built)}):
        invocation = dbt.cli(args, context=context, target_path=dbt_dir, raise_on_error=False)
    yield from invocation.stream()
    error = None if invocation.is_successful() else invocation.get_error()
    return DbtOutcome(
        success=invocation.is_successful(),
        error=None if error is None else str(error) or "see log",
        failed=_failed_in_run_results(dbt_dir),
    )


def _seed_partial_parse(project_dir: Path, dbt_dir: Path) -> None:
    """A data folder's first build starts from the project's saved parse (as dagster-dbt's
    `DbtCliInvocation` does): dbt checks it is still valid, and parses anew what is not."""
    saved = project_dir / "target" / PARTIAL_PARSE_FILE
    mine = dbt_dir / PARTIAL_PARSE_FILE
    if saved.exists() and not mine.exists():
        with contextlib.suppress(OSError):  # no copy: dbt parses the whole project
            shutil.copyfile(saved, mine)


def _one_line(text: str | None) -> str:
    """dbt's message on one line (its cause is on the next: `Runtime Error in model …` / `IO Error: …`)."""
    return " ".join(line.strip() for line in (text or "").splitlines() if line.strip()) or "see log"


def _failed_in_run_results(dbt_dir: Path) -> list[dict]:
    """The results of dbt's run_results.json that failed or errored, in dbt's order (a run through
    DbtCliResource: a child's run reports them itself)."""
    path = dbt_dir / "run_results.json"
    if not path.exists():
        return []
    results = json.loads(path.read_text(encoding="utf-8")).get("results", [])
    return [r for r in results if str(r.get("status")).lower() in ("fail", "error")]


def _remove(built: Path) -> None:
    for leftover in (built, built.with_name(f"{built.name}.wal")):
        leftover.unlink(missing_ok=True)


@contextlib.contextmanager
def environment_while_starting(values: Mapping[str, str]) -> Iterator[None]:
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
