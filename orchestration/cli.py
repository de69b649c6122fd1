"""The `selfeval` command line. It runs the same Dagster assets as the UI, in-process.

Subcommands import what they need lazily, so `selfeval extract` starts without loading Dagster.
Exit codes: 0 all well; 1 a file was rejected, a blocking audit rule failed or a step failed;
2 usage errors.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import logging
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

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
    from extract import ReportError, read_report

    failed = 0
    for path in args.files:
        try:
            report = read_report(path)
        except ReportError as exc:
            print(f"{path}: {exc}", file=sys.stderr)
            failed += 1
            continue
        except OSError as exc:
            print(f"{path}: cannot read file: {exc.strerror or exc}", file=sys.stderr)
            failed += 1
            continue
        doc = report.to_json_dict()
        print(json.dumps(doc, ensure_ascii=False, indent=2 if args.pretty else None))
    return EXIT_PROBLEMS if failed else EXIT_OK


class _Progress:
    """One line per file on a pipe, a redrawn bar on a terminal."""

    def __init__(self, stream=None):
        # sys.stderr of now, not of when this module was imported (it may have been replaced since)
        self.stream = sys.stderr if stream is None else stream
        self.tty = self.stream.isatty()

    def __call__(self, n: int, total: int, item) -> None:
        status = "ok" if item.error is None else "rejected"
        if self.tty:
            width = 30
            done = int(width * n / total)
            line = f"\r[{'#' * done}{'.' * (width - done)}] {n}/{total} {item.path.name[:40]:<40} {status}"
            self.stream.write(line + ("\n" if n == total else ""))
        else:
            self.stream.write(f"[{n}/{total}] {item.path.name}: {status}\n")
        self.stream.flush()


def _cmd_build(args: argparse.Namespace) -> int:
    if args.reports:
        os.environ["SELFEVAL_REPORTS_DIR"] = str(Path(args.reports).resolve())
    if args.warehouse:
        os.environ["SELFEVAL_WAREHOUSE"] = str(Path(args.warehouse).resolve())
    from orchestration.lib.settings import Paths

    paths = Paths.from_env()
    if not paths.reports_dir.is_dir():
        print(f"selfeval build: reports folder not found: {paths.reports_dir}", file=sys.stderr)
        return EXIT_USAGE
    start = time.perf_counter()
    from orchestration.lib.pipeline import run_build

    # Dagster and dbt write their event logs to stdout; keep them in a file, the summary on screen.
    log = paths.data_dir / "logs" / "last_build.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w", encoding="utf-8") as fh, contextlib.redirect_stdout(fh), _logged_to(fh, "extract"):
        outcome = run_build(paths, progress=_Progress())
    print(f"log: {log}")
    print(outcome.summary(seconds=time.perf_counter() - start))
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


def _warehouse_path(args: argparse.Namespace) -> Path:
    from orchestration.lib.settings import Paths

    return Path(args.warehouse) if args.warehouse else Paths.from_env().warehouse


def _cmd_query(args: argparse.Namespace) -> int:
    import duckdb

    from orchestration.lib.reader import connect_read_only

    path = _warehouse_path(args)
    if not path.exists():
        print(f"selfeval query: no warehouse at {path} (run `selfeval build` first)", file=sys.stderr)
        return EXIT_USAGE
    try:
        # Read-only, and no file access from SQL: a query can neither change the warehouse nor write
        # files (COPY ... TO) nor read arbitrary files.
        with connect_read_only(path) as con:
            rel = con.sql(args.sql)
            if rel is None:
                print("selfeval query: statement returned no rows", file=sys.stderr)
                return EXIT_OK
            columns, rows = rel.columns, rel.fetchall()
    except duckdb.Error as exc:
        print(f"selfeval query: {str(exc).splitlines()[0]}", file=sys.stderr)
        return EXIT_PROBLEMS
    if args.csv:
        import csv

        writer = csv.writer(sys.stdout)
        writer.writerow(columns)
        writer.writerows(rows)
    else:
        print(_table(columns, rows))
    return EXIT_OK


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
    out.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(path), read_only=True) as con:
        for table in MARTS:
            target = out / f"{table}.parquet"
            con.execute(f"copy (select * from marts.{table}) to '{target}' (format parquet)").fetchall()
            n = con.execute(f"select count(*) from marts.{table}").fetchall()[0][0]
            print(f"{target}: {n} rows")
    return EXIT_OK


def _cmd_report(args: argparse.Namespace) -> int:
    from orchestration.lib.evidence import EvidenceReportError, write_site
    from orchestration.lib.settings import Paths

    paths = Paths.from_env()
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

    from orchestration.lib.inbox import scan
    from orchestration.lib.settings import Paths

    paths = Paths.from_env()
    years = [str(y) for y in scan(paths.reports_dir, cache_dir=paths.header_cache_dir).years()]
    instance = dg.DagsterInstance.get()
    known = set(instance.get_dynamic_partitions("fiscal_year"))
    instance.add_dynamic_partitions("fiscal_year", [y for y in years if y not in known])
    print(f"fiscal_year partitions: {', '.join(sorted(known | set(years)))}")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="selfeval",
        description="Budget self-evaluation report PDFs -> an audited DuckDB warehouse.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("extract", help="extract report PDFs and print JSON (one object per report and line)")
    p.add_argument("files", nargs="+", metavar="FILE.pdf")
    p.add_argument("--pretty", action="store_true", help="indent the JSON")
    p.set_defaults(func=_cmd_extract)

    p = sub.add_parser(
        "build", help="extract every report in a folder, build, audit and publish the warehouse"
    )
    p.add_argument(
        "--reports", metavar="DIR", help="folder searched recursively for PDFs (SELFEVAL_REPORTS_DIR)"
    )
    p.add_argument("--warehouse", metavar="PATH", help="published DuckDB file (SELFEVAL_WAREHOUSE)")
    p.set_defaults(func=_cmd_build)

    p = sub.add_parser(
        "sync-partitions", help="add the inbox's fiscal years to the Dagster instance's partitions"
    )
    p.set_defaults(func=_cmd_sync_partitions)

    p = sub.add_parser("query", help="run read-only SQL on the published warehouse")
    p.add_argument("sql")
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
    p.add_argument("--parquet", metavar="DIR", required=True)
    p.add_argument("--warehouse", metavar="PATH", help="DuckDB file (default SELFEVAL_WAREHOUSE)")
    p.set_defaults(func=_cmd_export)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
    return args.func(args)


def run() -> None:
    """The `selfeval` command (a console script): main(), then exit.

    The objects left are frozen first, so Python's final garbage collections skip them: with Dagster,
    dbt and Great Expectations loaded, those took ≈ 1.8 s after every build for nothing. atexit
    handlers still run, but objects caught in reference cycles are no longer finalized at exit:
    the commands must close what they open (DuckDB connections especially), as they do.
    """
    code = main()
    gc.freeze()
    sys.exit(code)


if __name__ == "__main__":
    run()
