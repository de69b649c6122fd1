"""The `selfeval` command line. It runs the same Dagster assets as the UI, in-process.

Subcommands import what they need lazily, so `selfeval extract` starts without loading Dagster.
Exit codes: 0 all well; 1 a file was rejected, a blocking audit rule failed or a step failed;
2 usage errors.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import io
import json
import logging
import os
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path

from orchestration.build.printable import printable

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2
MARTS = (
    "dim_department",
    "dim_project",
    "dim_duty",
    "dim_report",
    "fct_spend",
    "fct_indicator",
    "fct_key_task",
    "map_project_name",
    "unmatched_project_names",
)


def _cmd_extract(args: argparse.Namespace) -> int:
    """Each file read as `build` reads it: in a worker under the same limits, with the same checks."""
    import dataclasses

    from extract import ProjectFile, ReportError
    from extract.guarded import read_reports
    from orchestration.settings import Settings

    limits = Settings.from_env().file_limits
    paths = [Path(name) for name in args.files]
    problems: dict[Path, str] = {}
    for path in paths:
        try:
            path.open("rb").close()
        except OSError as exc:
            problems[path] = f"cannot read file: {exc.strerror or exc}"
    if args.ocr:
        limits = dataclasses.replace(limits, ocr=args.ocr)
    readable = (p for p in dict.fromkeys(paths) if p not in problems)
    results = dict(read_reports(readable, limits.extract_settings(), limits.worker_limits()))
    for path in paths:  # in the order given, whatever order the workers finish in
        value = results.get(path)
        if isinstance(value, ReportError) or path in problems:
            print(f"{printable(path)}: {problems.get(path) or value}", file=sys.stderr)
            continue
        # A file of project tables prints one object per table; a department-wide report one.
        objects = value.to_json_dicts() if isinstance(value, ProjectFile) else [value.to_json_dict()]
        for obj in objects:
            print(json.dumps(obj, ensure_ascii=False, indent=2 if args.pretty else None))
    return EXIT_PROBLEMS if problems or any(isinstance(v, ReportError) for v in results.values()) else EXIT_OK


class BuildProgress:
    """One line per file on a pipe, a redrawn bar on a terminal."""

    def __init__(self, stream=None):
        # sys.stderr of now, not of when this module was imported (it may have been replaced since)
        self.stream = sys.stderr if stream is None else stream
        self.tty = self.stream.isatty()

    def __call__(self, n: int, total: int, item) -> None:
        status = "ok" if item.error is None else "rejected"
        name = printable(item.path.name)
        if self.tty:
            width = 30
            done = int(width * n / total)
            line = f"\r[{'#' * done}{'.' * (width - done)}] {n}/{total} {name[:40]:<40} {status}"
            self.stream.write(line + ("\n" if n == total else ""))
        else:
            self.stream.write(f"[{n}/{total}] {name}: {status}\n")
        self.stream.flush()


def _cmd_build(args: argparse.Namespace) -> int:
    import dataclasses

    from orchestration.settings import Settings

    settings = Settings.from_env()
    if args.ocr:
        settings = dataclasses.replace(
            settings, file_limits=dataclasses.replace(settings.file_limits, ocr=args.ocr)
        )
    if args.reports:
        settings = dataclasses.replace(settings, reports_dir=Path(args.reports).resolve())
    if args.warehouse:
        settings = dataclasses.replace(settings, warehouse=Path(args.warehouse).resolve())
    paths = settings.paths
    if not paths.reports_dir.is_dir():
        print(f"selfeval build: reports folder not found: {paths.reports_dir}", file=sys.stderr)
        return EXIT_USAGE
    from orchestration.build.inbox import find_pdfs

    # Before anything runs: a build over an empty folder would only fail, after clearing the
    # last build's selection of reports.
    if not find_pdfs(paths.reports_dir):
        where = paths.reports_dir
        print(f"selfeval build: no report files (PDF, spreadsheet, Word) in {where}", file=sys.stderr)
        return EXIT_USAGE
    start = time.perf_counter()
    from orchestration.build.build_lock import BuildLockBusyError, build_lock
    from orchestration.build.pipeline import run_build

    def waiting(message: str) -> None:
        print(f"selfeval build: {message}", file=sys.stderr, flush=True)

    log = paths.data_dir / "logs" / "last_build.log"
    show_phases = sys.stderr.isatty()
    try:
        with build_lock(paths.data_dir, wait=not args.no_wait, on_wait=waiting):
            progress = BuildProgress()  # on the terminal
            # Dagster and dbt write their event logs (and tracebacks) to stdout and stderr: into the
            # log file with the summary; the summary alone on screen.
            with (
                _BuildLog(log) as sink,
                contextlib.redirect_stdout(sink),
                contextlib.redirect_stderr(sink),
                _logged_to(sink, "extract"),
            ):
                outcome = run_build(settings, progress=progress, log_path=log, show_phases=show_phases)
                summary = outcome.summary(seconds=time.perf_counter() - start)
                print(summary)
    except BuildLockBusyError as exc:
        print(f"selfeval build: {exc}; not waiting (--no-wait)", file=sys.stderr)
        return EXIT_USAGE
    print(f"log: {log}")
    print(summary)
    return EXIT_OK if outcome.ok else EXIT_PROBLEMS


@contextlib.contextmanager
def _logged_to(stream, logger_name: str):
    """The named logger's records (an internal error's traceback) go to `stream` only, not the screen."""
    logger = logging.getLogger(logger_name)
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    propagate = logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate


class _BuildLog:
    """The build's log file, as a stream. A full disk must not stop the build in mid-step (or raise
    from a log call): what cannot be written is dropped, and the summary names the full disk."""

    encoding = "utf-8"

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file = None

    def __enter__(self) -> _BuildLog:
        with contextlib.suppress(OSError):
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.path.write_text("", encoding="utf-8")
            # Appending, like the Dagster event log handler that writes to the same file.
            self._file = self.path.open("a", encoding="utf-8")
        return self

    def __exit__(self, *exc_info) -> None:
        if self._file is not None:
            with contextlib.suppress(OSError):
                self._file.close()

    def write(self, text: str) -> int:
        if self._file is not None:
            with contextlib.suppress(OSError):
                self._file.write(text)
        return len(text)

    def flush(self) -> None:
        if self._file is not None:
            with contextlib.suppress(OSError):
                self._file.flush()

    def isatty(self) -> bool:
        return False

    def fileno(self) -> int:  # faulthandler writes crash dumps to the log's descriptor
        if self._file is None:
            raise io.UnsupportedOperation("no log file")
        return self._file.fileno()


def _warehouse_path(args: argparse.Namespace) -> Path:
    from orchestration.settings import Settings

    return Path(args.warehouse) if args.warehouse else Settings.from_env().warehouse


def _cmd_query(args: argparse.Namespace) -> int:
    import duckdb

    from orchestration.reader import connect_read_only

    path = _warehouse_path(args)
    if not path.exists():
        print(f"selfeval query: no warehouse at {path} (run `selfeval build` first)", file=sys.stderr)
        return EXIT_USAGE
    try:
        # Read-only, and no file access from SQL: a query can neither change the warehouse nor write
        # files (COPY ... TO) nor read arbitrary files.
        with connect_read_only(path) as con:
            result = _run_interruptibly(con, args.sql)
    except duckdb.Error as exc:
        print(f"selfeval query: {str(exc).splitlines()[0]}", file=sys.stderr)
        return EXIT_PROBLEMS
    if result is None:
        print("selfeval query: statement returned no rows", file=sys.stderr)
        return EXIT_OK
    columns, rows = result
    try:
        if args.csv:
            import csv

            writer = csv.writer(sys.stdout)
            writer.writerow(columns)
            writer.writerows(rows)
        else:
            print(_table(columns, rows))
        sys.stdout.flush()
    except BrokenPipeError:  # `selfeval query ... | head`: the reader stopped early
        _silence_stdout()
        print("selfeval query: output closed early (broken pipe)", file=sys.stderr)
        return EXIT_PROBLEMS
    return EXIT_OK


def _run_interruptibly(con, sql: str) -> tuple[list[str], list[tuple]] | None:
    """The statement's columns and rows (None if it returns none); Ctrl-C ends the command at once.

    The query runs in a thread while this one waits in Python, where Ctrl-C lands. DuckDB's own
    check for Ctrl-C misses one that comes at the wrong moment (the query then runs to its end), and
    its interrupt() from another thread left the connection busy, so that closing it failed.
    """
    outcome: dict = {}

    def work() -> None:
        try:
            rel = con.sql(sql)
            outcome["value"] = None if rel is None else (rel.columns, rel.fetchall())
        except BaseException as exc:  # handed to the waiting thread
            outcome["error"] = exc

    worker = threading.Thread(target=work, daemon=True)
    worker.start()
    try:
        while worker.is_alive():
            worker.join(0.1)
    except KeyboardInterrupt:
        # A read-only query has nothing to clean up: leave now. Python's shutdown would wait for the
        # query's thread or abort inside DuckDB.
        print("selfeval query: interrupted", file=sys.stderr, flush=True)
        os._exit(EXIT_PROBLEMS)
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so Python's own flush at exit meets no closed pipe again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


def _table(columns: list[str], rows: list[tuple]) -> str:
    def cell(v) -> str:
        return "NULL" if v is None else str(v)

    def width(s: str) -> int:  # CJK characters take two columns in a terminal
        return sum(2 if ord(ch) > 0x2E7F else 1 for ch in s)

    cells = [[cell(v) for v in row] for row in rows]
    widths = [max([width(c), *(width(r[i]) for r in cells)]) for i, c in enumerate(columns)]

    def line(values: list[str]) -> str:
        return " | ".join(v + " " * (w - width(v)) for v, w in zip(values, widths, strict=True))

    out = [line(columns), "-+-".join("-" * w for w in widths), *(line(r) for r in cells)]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out)


def _cmd_export(args: argparse.Namespace) -> int:
    import duckdb

    path = _warehouse_path(args)
    if not path.exists():
        print(f"selfeval export: no warehouse at {path} (run `selfeval build` first)", file=sys.stderr)
        return EXIT_USAGE
    out = Path(args.parquet)
    if out.exists() and not out.is_dir():
        print(f"selfeval export: {out}: exists and is not a folder", file=sys.stderr)
        return EXIT_USAGE
    try:
        out.mkdir(parents=True, exist_ok=True)
        with duckdb.connect(str(path), read_only=True) as con:
            for table in MARTS:
                target = out / f"{table}.parquet"
                # The path goes to DuckDB as a value, never pasted into SQL text.
                con.table(f"marts.{table}").write_parquet(str(target))
                n = con.execute(f"select count(*) from marts.{table}").fetchall()[0][0]
                print(f"{target}: {n} rows")
    except OSError as exc:
        print(f"selfeval export: cannot write {exc.filename or out}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_PROBLEMS
    except duckdb.Error as exc:
        print(f"selfeval export: {str(exc).splitlines()[0]}", file=sys.stderr)
        return EXIT_PROBLEMS
    return EXIT_OK


def _cmd_report(args: argparse.Namespace) -> int:
    from orchestration.evidence import EvidenceReportError, write_site
    from orchestration.settings import Settings

    paths = Settings.from_env().paths
    reports_dir = Path(args.reports) if args.reports else paths.reports_dir
    out = Path(args.out) if args.out else paths.report_dir
    try:
        result = write_site(_warehouse_path(args), out, reports_dir)
    except EvidenceReportError as exc:
        print(f"selfeval report: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as exc:
        print(f"selfeval report: {exc.filename or out}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_PROBLEMS
    for name in result.missing_sources:
        print(
            f"{name}: source PDF not found in {reports_dir}; its findings show values only", file=sys.stderr
        )
    print(
        f"{result.report_pages} report pages, {result.findings} finding cards "
        f"({result.finding_images} with images), {result.size_bytes / 1e6:.1f} MB, {result.seconds:.1f} s"
    )
    print(f"report: {result.index_path}")
    return EXIT_OK


def _cmd_sync_partitions(args: argparse.Namespace) -> int:
    """Register the inbox's fiscal years with the Dagster instance (DAGSTER_HOME), for CLI backfills."""
    import dagster as dg

    from orchestration.build.inbox import scan
    from orchestration.settings import Settings

    settings = Settings.from_env()
    paths = settings.paths
    inbox = scan(paths.reports_dir, cache_dir=paths.header_cache_dir, file_limits=settings.file_limits)
    years = [str(y) for y in inbox.years()]
    instance = dg.DagsterInstance.get()
    known = set(instance.get_dynamic_partitions("fiscal_year"))
    instance.add_dynamic_partitions("fiscal_year", [y for y in years if y not in known])
    print(f"fiscal_year partitions: {', '.join(sorted(known | set(years)))}")
    return EXIT_OK


def _cmd_prune(args: argparse.Namespace) -> int:
    """Empty the extraction cache of what the last build did not use (builds only add to it)."""
    from orchestration.build.extraction import prune_cache
    from orchestration.settings import Settings

    paths = Settings.from_env().paths
    result = prune_cache(paths.extraction_cache_dir, paths.extracted_dir, paths.header_cache_dir)
    print(
        f"extraction cache {paths.extraction_cache_dir}: {result.removed} reports removed "
        f"({result.freed_bytes / 1e6:.1f} MB), {result.kept} kept (used by the last build)"
    )
    return EXIT_OK


def _version() -> str:
    from importlib.metadata import version

    return f"selfeval {version('selfeval')}"


def _ocr_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--ocr",
        choices=("auto", "always", "never"),
        help="when pages are read by OCR (docs/ocr.md); default SELFEVAL_OCR or auto: no or unreadable text",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="selfeval",
        description="Budget self-evaluation report PDFs -> an audited DuckDB warehouse. "
        "Settings come from the environment, then from ./.env (see .env.example).",
    )
    parser.add_argument("--version", action="version", version=_version(), help="print the version and exit")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser(
        "extract",
        help="extract report PDFs and print JSON (one object per report or project table, one per line)",
    )
    p.add_argument(
        "files", nargs="+", metavar="FILE", help="reports to read: PDF, .xlsx, .xlsm, .xls, .ods or .docx"
    )
    p.add_argument("--pretty", action="store_true", help="indent the JSON")
    _ocr_option(p)
    p.set_defaults(func=_cmd_extract)

    p = sub.add_parser(
        "build", help="extract every report in a folder, build, audit and publish the warehouse"
    )
    p.add_argument(
        "--reports", metavar="DIR", help="folder searched recursively for PDFs (SELFEVAL_REPORTS_DIR)"
    )
    p.add_argument("--warehouse", metavar="PATH", help="published DuckDB file (SELFEVAL_WAREHOUSE)")
    p.add_argument(
        "--no-wait",
        action="store_true",
        help="exit 2 at once when another build of the same data folder is running (default: wait)",
    )
    _ocr_option(p)
    p.set_defaults(func=_cmd_build)

    p = sub.add_parser(
        "sync-partitions", help="add the inbox's fiscal years to the Dagster instance's partitions"
    )
    p.set_defaults(func=_cmd_sync_partitions)

    p = sub.add_parser(
        "prune", help="remove cached extractions the last build did not use (builds never remove them)"
    )
    p.set_defaults(func=_cmd_prune)

    p = sub.add_parser("query", help="run read-only SQL on the published warehouse")
    p.add_argument("sql", metavar="SQL", help='one SQL statement, e.g. "select * from marts.fct_spend"')
    p.add_argument("--csv", action="store_true", help="CSV instead of a table")
    p.add_argument("--warehouse", metavar="PATH", help="DuckDB file (default SELFEVAL_WAREHOUSE)")
    p.set_defaults(func=_cmd_query)

    p = sub.add_parser(
        "report", help="write the evidence report (static offline site) from the published warehouse"
    )
    p.add_argument("--warehouse", metavar="PATH", help="DuckDB file (default SELFEVAL_WAREHOUSE)")
    p.add_argument(
        "--out", metavar="DIR", help="site folder, replaced whole (default SELFEVAL_DATA_DIR/report)"
    )
    p.add_argument(
        "--reports", metavar="DIR", help="inbox where the source PDFs are found (SELFEVAL_REPORTS_DIR)"
    )
    p.set_defaults(func=_cmd_report)

    p = sub.add_parser("export", help="write the marts as Parquet, for tools that cannot read DuckDB")
    p.add_argument(
        "--parquet", metavar="DIR", required=True, help="folder to write <table>.parquet files into"
    )
    p.add_argument("--warehouse", metavar="PATH", help="DuckDB file (default SELFEVAL_WAREHOUSE)")
    p.set_defaults(func=_cmd_export)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
    _load_dotenv()
    from orchestration.settings import SettingsError

    try:
        with _ocr_progress():
            return args.func(args)
    except SettingsError as exc:  # a SELFEVAL_* variable's value: one line naming it
        print(f"selfeval {args.command}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:  # Ctrl-C: one line, not the traceback of wherever it landed
        print(f"selfeval {args.command}: interrupted", file=sys.stderr)
        return EXIT_PROBLEMS


@contextlib.contextmanager
def _ocr_progress():
    """Each page read by OCR said on stderr as it is read (extract.report logs it; seconds a page),
    from the extraction workers too (forked with this handler); removed again when the command ends."""
    log = logging.getLogger("extract.report")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("selfeval: %(message)s"))
    level = log.level
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    try:
        yield
    finally:
        log.removeHandler(handler)
        log.setLevel(level)


def _load_dotenv() -> None:
    """Settings from ./.env, as .env.example suggests; variables already set in the environment win."""
    from dotenv import load_dotenv

    load_dotenv(Path.cwd() / ".env", override=False)


def run() -> None:
    """The `selfeval` command (a console script)."""
    code = main()
    # Everything is written and closed: the collection Python runs as it exits, over every object a
    # build made (Dagster, dbt, Great Expectations: about 570,000), would only free memory the
    # system takes back anyway. Frozen (a documented gc call), the objects are left out of it: a
    # one-report build exited 3.0 s → 0.2 s later after its summary, measured on this machine
    # under load (docs/performance.md). Objects are still freed and finalised as modules unload.
    gc.freeze()
    sys.exit(code)


if __name__ == "__main__":
    run()
