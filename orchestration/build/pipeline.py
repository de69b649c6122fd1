"""One whole build, in-process: scan the inbox, extract each fiscal year, then dbt → audit → publish.

The CLI calls this; it runs the very jobs the Dagster UI and sensor run (definitions in defs/).
"""

from __future__ import annotations

import contextlib
import functools
import json
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.process import BaseProcess
from pathlib import Path

import duckdb

from orchestration.settings import Paths, Settings

from . import build_log, rejections
from .disk_full import disk_full_line
from .forked import PhaseFailedError, die_with_parent, joined, result_of, send_note, send_result, start_child
from .inbox import Inbox, scan
from .printable import printable


@dataclass
class BuildOutcome:
    paths: Paths
    inbox: Inbox
    rejected: list[dict] = field(default_factory=list)
    failed_steps: list[str] = field(default_factory=list)
    blocking_rules: list[str] = field(default_factory=list)
    published: bool = False
    rows: dict[str, int] = field(default_factory=dict)
    findings: dict[str, int] = field(default_factory=dict)
    phase_seconds: dict[str, float] = field(default_factory=dict)
    data_docs: Path | None = None
    report: Path | None = None  # the evidence report's index.html, rebuilt after this publish
    # (PDF, spreadsheet): the PDF's tables all loaded from the spreadsheet (extraction.SUPERSEDED_FILE)
    superseded: list[tuple[str, str]] = field(default_factory=list)
    # (file, its pages read by OCR): scanned pages and unreadable text layers (docs/ocr.md)
    ocr_pages: list[tuple[str, list[int]]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.published and not (self.rejected or self.failed_steps or self.blocking_rules)

    def summary(self, seconds: float) -> str:
        loaded = self.rows.get("dim_report", 0)
        lines = [f"reports loaded: {loaded} (fiscal years {', '.join(map(str, self.inbox.years())) or '-'})"]
        lines.append(f"files rejected: {len(self.rejected)}")
        lines += [f"  {printable(r['source_file'])}: {printable(r['reason'])}" for r in self.rejected]
        for dup, kept in self.inbox.duplicates:
            lines.append(f"  duplicate content, loaded once: {printable(dup.name)} = {printable(kept.name)}")
        for pdf, sheet in self.superseded:
            lines.append(f"  same tables, loaded from the spreadsheet: {printable(pdf)} = {printable(sheet)}")
        if self.inbox.skipped:
            lines.append(f"entries skipped (no regular file to read): {len(self.inbox.skipped)}")
            folder = self.paths.reports_dir
            lines += [f"  {printable(p.relative_to(folder))}: {why}" for p, why in self.inbox.skipped]
        if self.ocr_pages:
            lines.append(f"files read by OCR: {len(self.ocr_pages)} (doubtful rows: rule ocr_needs_review)")
            for name, pages in self.ocr_pages:
                lines.append(f"  {printable(name)}: pages {', '.join(map(str, pages))}")
        if self.rows:
            lines.append("rows: " + ", ".join(f"{t} {n}" for t, n in self.rows.items()))
        if self.findings:
            lines.append("audit findings by rule: " + ", ".join(f"{r} {n}" for r, n in self.findings.items()))
        else:
            lines.append("audit findings by rule: none")
        for step in self.failed_steps:
            lines.append(f"failed step: {step}")
        if self.data_docs is not None:
            lines.append(f"data docs: {self.data_docs}")
        if self.published:
            lines.append(f"published: {self.paths.warehouse}")
        else:
            full = next(filter(None, map(disk_full_line, self.failed_steps)), None)
            why = (
                f"blocking audit rules failed: {', '.join(self.blocking_rules)}"
                if self.blocking_rules
                else full or "a step failed"
            )
            before = (
                f"the previous warehouse is unchanged: {self.paths.warehouse}"
                if self.paths.warehouse.exists()
                else f"there is no warehouse at {self.paths.warehouse} yet"
            )
            lines.append(f"NOT published ({why}); {before}")
        # Hundredths: benchmarks/run.py compares phases of whole builds that differ by one report.
        phases = ", ".join(f"{name} {t:.2f}" for name, t in self.phase_seconds.items())
        lines.append(f"seconds: {seconds:.1f}" + (f" ({phases})" if phases else ""))
        if self.report is not None:
            lines.append(f"report: {self.report}")
        return "\n".join(lines)


def _superseded(extracted_dir: Path) -> list[tuple[str, str]]:
    from .extraction import SUPERSEDED_FILE  # Arrow only in processes that extract or report

    out: list[tuple[str, str]] = []
    for listed in sorted(extracted_dir.glob(f"fiscal_year=*/{SUPERSEDED_FILE}")):
        out += [(pdf, sheet) for pdf, sheet in json.loads(listed.read_text(encoding="utf-8"))]
    return out


def run_build(
    settings: Settings,
    progress: Callable | None = None,
    log_path: Path | None = None,
    show_phases: bool = False,
) -> BuildOutcome:
    """`progress` sees each scanned file; `log_path` gets every Dagster event; `show_phases` prints
    each phase's start and end on stderr (for a terminal)."""
    import dagster as dg

    from orchestration.dbt_glue.in_child import cancel_prestarted

    clock = _Phases()
    try:
        # Entered: the instance is Dagster's current one while the build runs (resolving
        # definitions consults it), and no longer once it is gone.
        with dg.DagsterInstance.ephemeral() as instance:
            return _run_build(settings, instance, clock, progress, log_path, show_phases)
    finally:
        cancel_prestarted()  # a build that ended before its dbt step (or retried it) leaves none


def _prestart_dbt(settings: Settings, extraction: BaseProcess | None = None) -> None:
    """dbt's child for this build's dbt step, started now: it imports dbt's runner and parses the
    project on the other core while this process sets up the warehouse run. Not while
    `extraction`, the child that scans and extracts, is still running.

    Asked first as soon as dagster-dbt and dbt-core are imported (loading the definitions imports
    them anyway): a build with one new report, or none, has extracted by then, and dbt's child
    parses while this process loads the definitions (≈ 0.4 s of the one-report build's wait for it,
    docs/performance.md). Asked again once extraction is done: a child already started is kept.
    Never beside the extraction: waiting there with its parsed project (≈ 75 MB), it put a
    10-report build's peak memory, with the extraction workers', at ≈ 495 MB against ≈ 420 MB."""
    from orchestration.dbt_glue.runner import prestart_whole_build
    from orchestration.defs.project import prepare_manifest
    from orchestration.defs.resources import dbt_resource

    if extraction is not None and extraction.is_alive():
        return
    with contextlib.suppress(OSError):  # a full disk, say: the dbt step starts its own and says why
        prepare_manifest()  # the saved parse the child starts from (a no-op unless the project changed)
        prestart_whole_build(dbt_resource(), settings.paths.dbt_dir, settings.dbt_threads)


def _run_build(settings: Settings, instance, clock, progress, log_path, show_phases) -> BuildOutcome:
    import dagster as dg

    from orchestration.definitions import build_definitions

    paths = settings.paths
    run_config = build_log.run_config(log_path, show_phases)
    # The scan and the extraction run in one forked child, started first: it loads the extraction's
    # definitions alone and reads the inbox on the other core while this process loads dagster-dbt
    # and dbt-core for the warehouse's (≈ 1.2 s of a one-report build's ≈ 2 s of loading). The PDF
    # readers (PDFium, pdfplumber, pikepdf, numpy) are imported there, once, for the header workers
    # and the extraction workers it forks, and Arrow to store what they read: never by this process,
    # which then builds and audits the warehouse (its peak memory, see forked.py).
    receive, reader = start_child(_scan_and_extract, settings, instance, progress, run_config)
    try:
        _prestart_dbt(settings, extraction=reader)
        definitions = build_definitions(settings)
        clock.done("load")
        # Each file's progress shown by this process, on its streams; the scan's exception raised as itself.
        inbox = result_of(receive, reader, scan, progress)
        outcome = BuildOutcome(paths, inbox, phase_seconds=clock.seconds)
        instance.add_dynamic_partitions("fiscal_year", _years(inbox))
        clock.done("scan")
        try:
            outcome.failed_steps.extend(result_of(receive, reader, _extract_years))
        except PhaseFailedError as exc:  # the warehouse is still rebuilt from what was extracted before
            outcome.failed_steps.append(str(exc))
    except BaseException:  # interrupted, loading or the scan failed: no extraction behind the build's back
        reader.kill()
        raise
    finally:
        receive.close()
        joined(reader)
    clock.done("extract")
    _prestart_dbt(settings)
    warehouse = _build_warehouse(definitions, instance, paths, run_config)
    steps = {"warehouse_models": "dbt", "warehouse_audit": "audit", "evidence_report": "report"}
    clock.done("publish", parts=_step_seconds(instance, warehouse.run_id, steps))
    for evaluation in warehouse.get_asset_check_evaluations():
        if not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.ERROR:
            outcome.blocking_rules.append(evaluation.check_name)
    build = paths.build_dir / f"{warehouse.run_id}.duckdb"
    # Published means the publish step succeeded: the report step after it may still fail on its own.
    outcome.published = (
        not build.exists() and warehouse.is_node_success("published_warehouse") and paths.warehouse.exists()
    )
    if not warehouse.success and not outcome.blocking_rules:
        for step, why in _failed_steps(warehouse):
            outcome.failed_steps.append(f"warehouse step {step}" + (f": {why}" if why else ""))
    docs = paths.audit_dir / warehouse.run_id / "data_docs" / "index.html"
    outcome.data_docs = docs if docs.exists() else None
    outcome.rejected = rejections.read_all(paths.rejected_dir)
    outcome.superseded = _superseded(paths.extracted_dir)
    for materialization in warehouse.asset_materializations_for_node("evidence_report"):
        outcome.report = Path(materialization.metadata["path"].value)
    _read_counts(outcome, paths.warehouse if outcome.published else build)
    return outcome


# A build whose failing check was traced to reports is retried without them (quarantine.py);
# each retry quarantines at least one more report, so this bounds only pathological batches.
MAX_WAREHOUSE_BUILDS = 4


def _build_warehouse(definitions, instance, paths: Paths, run_config: dict):
    """warehouse_job, run again while a run quarantined reports: the rest of the batch publishes."""
    job = definitions.resolve_job_def("warehouse_job")
    for _ in range(MAX_WAREHOUSE_BUILDS):
        before = {r["sha256"] for r in rejections.read_all(paths.rejected_dir)}
        result = job.execute_in_process(instance=instance, raise_on_error=False, run_config=run_config)
        quarantined = {r["sha256"] for r in rejections.read_all(paths.rejected_dir)} - before
        if result.success or not quarantined:
            break
    return result


class _Phases:
    """Wall seconds per build phase, for the summary (benchmarks/run.py reads them)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._last = time.perf_counter()

    def done(self, name: str, parts: dict[str, float] | None = None) -> None:
        """Seconds since the last phase; `parts` of them, measured inside, are listed first."""
        now = time.perf_counter()
        self.seconds.update(parts or {})
        self.seconds[name] = now - self._last - sum((parts or {}).values())
        self._last = now


def _step_seconds(instance, run_id: str, names: dict[str, str]) -> dict[str, float]:
    """Seconds of the named steps of a finished run, from its event log, under their new names."""
    started: dict[str, float] = {}
    out: dict[str, float] = {}
    for record in instance.all_logs(run_id):
        event = record.dagster_event
        if event is None or event.step_key not in names:
            continue
        if event.event_type_value == "STEP_START":
            started[event.step_key] = record.timestamp
        elif event.event_type_value in ("STEP_SUCCESS", "STEP_FAILURE") and event.step_key in started:
            out[names[event.step_key]] = record.timestamp - started[event.step_key]
    return out


def _years(inbox: Inbox) -> list[str]:
    return [str(y) for y in inbox.years()]


# Arrow imports pandas to tell a pandas object from a list when it makes a table: the extraction
# makes its tables from lists (extract.store), and writes the same Parquet without it (≈ 40 MB less
# beside the extraction's workers: docs/performance.md).
UNUSED_BY_THE_EXTRACTION = ("pandas",)


def _scan_and_extract(send, settings: Settings, instance, progress, run_config: dict) -> None:
    """In a forked child: the inbox scanned and sent, then its fiscal years extracted and the
    failed steps' lines sent (`result_of` receives each)."""
    from orchestration.definitions import extraction_definitions

    from .unused_imports import leave_out

    die_with_parent()
    leave_out(UNUSED_BY_THE_EXTRACTION)
    paths = settings.paths
    definitions = extraction_definitions(settings)
    shown = functools.partial(send_note, send) if progress else None
    scanned, inbox = send_result(
        send, scan, (paths.reports_dir, shown, paths.header_cache_dir, settings.file_limits), True
    )
    if scanned:
        years = _years(inbox)
        instance.add_dynamic_partitions("fiscal_year", years)  # this process's copy of the instance
        send_result(send, _extract_years, (paths, inbox, definitions, instance, years, run_config), False)
    send.close()


def _extract_years(
    paths: Paths, inbox: Inbox, definitions, instance, years: list[str], run_config: dict
) -> list[str]:
    """Run extract_year_job once per fiscal year (in a forked child); a line per failed year."""
    _drop_years_not_in_inbox(paths, set(years))
    job = definitions.resolve_job_def("extract_year_job")
    failed = []
    rejections.sync_with_inbox(paths.rejected_dir, inbox)
    for year in years:
        result = job.execute_in_process(
            partition_key=year, instance=instance, raise_on_error=False, run_config=run_config
        )
        if not result.success:
            why = "; ".join(filter(None, (w for _, w in _failed_steps(result))))
            failed.append(f"extract fiscal year {year}" + (f": {why}" if why else ""))
    _reject_files_changed_since_the_scan(paths, inbox)
    return failed


def _reject_files_changed_since_the_scan(paths: Paths, inbox: Inbox) -> None:
    """A file rewritten after this build's scan may have been filed under another year by the
    extraction runs' own scans, or none: still accounted for, as changed while being read."""
    from extract.errors import ChangedWhileReadError

    from .inbox import sha256_of

    selected = {p.name for p in paths.extracted_dir.glob("fiscal_year=*/*") if p.is_dir()}
    recorded = {r["sha256"] for r in rejections.read_all(paths.rejected_dir)}
    for f in inbox.accepted:
        if f.sha256 in selected or f.sha256 in recorded:
            continue
        try:
            now = sha256_of(f.path)
        except OSError:
            now = None
        if now != f.sha256 and now not in selected:
            rejections.record(paths.rejected_dir, f.path, f.sha256, ChangedWhileReadError.reason)


def _failed_steps(result) -> list[tuple[str, str | None]]:
    """The run's failed steps, each with why: the full disk it ran into, else its error's first line."""
    out = []
    for event in result.all_events:
        if event.event_type_value == "STEP_FAILURE":
            error = event.step_failure_data.error
            why = None
            if error is not None:
                why = disk_full_line(error.to_string()) or _first_line(error)
            out.append((event.step_key, why))
    return out


def _drop_years_not_in_inbox(paths: Paths, years: set[str]) -> None:
    """A year whose every file left the inbox has no partition run to clear it: clear it here."""
    if not paths.extracted_dir.exists():
        return
    from .extraction import is_empty_tables_folder, year_dir

    keep = {year_dir(paths.extracted_dir, int(y)).name for y in years}
    for folder in paths.extracted_dir.iterdir():
        if folder.is_dir() and folder.name not in keep and not is_empty_tables_folder(folder):
            shutil.rmtree(folder)


def _first_line(error) -> str:
    """The first line of a step's error (dbt's own message, not Dagster's wrapping of it)."""
    while error is not None and error.cause is not None and "dagster" in error.cls_name.lower():
        error = error.cause
    return error.message.strip().splitlines()[0] if error is not None and error.message.strip() else "failed"


def _read_counts(outcome: BuildOutcome, db: Path) -> None:
    # A build whose step failed may lack tables: what failed is already said, and reading it would
    # only add a second error in the first one's place.
    if not db.exists() or (outcome.failed_steps and not outcome.published):
        return
    try:
        _counts_from(outcome, db)
    except duckdb.Error as exc:  # a failed build may lack tables: the summary still prints
        if not outcome.failed_steps:  # else that failure is the news, not the tables it left out
            outcome.failed_steps.append(f"reading {db.name}: {str(exc).splitlines()[0]}")


def _counts_from(outcome: BuildOutcome, db: Path) -> None:
    with duckdb.connect(str(db), read_only=True) as con:
        for table in ("dim_report", "fct_spend", "fct_indicator", "fct_key_task", "dim_project"):
            outcome.rows[table] = con.execute(f"select count(*) from marts.{table}").fetchall()[0][0]
        outcome.ocr_pages = [
            (name, list(pages))
            for name, pages in con.execute(
                "select distinct source_file, ocr_pages from marts.dim_report "
                "where is_current and len(ocr_pages) > 0 order by source_file"
            ).fetchall()
        ]
        outcome.findings = dict(
            con.execute(
                "select rule, failing_rows from audit.rule_results where failing_rows > 0 order by rule"
            ).fetchall()
        )
