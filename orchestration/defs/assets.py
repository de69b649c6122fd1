"""Extraction (partitioned by fiscal year) and publishing. Thin: the work is in orchestration/build."""

import shutil
import time

import dagster as dg

from extract.lib.text import file_name
from orchestration.build import rejections
from orchestration.build.disk_full import DiskFullError, named_if_disk_full
from orchestration.build.inbox import scan
from orchestration.build.printable import printable
from orchestration.build.publish import publish, write_build_info
from orchestration.defs.resources import BuildLock, SelfevalPaths

fiscal_years = dg.DynamicPartitionsDefinition(name="fiscal_year")

# One asset key per extracted table (dbt needs one per source), all made by one partitioned step.
EXTRACTED_TABLES = (
    "report",
    "budget_lines",
    "key_tasks",
    "key_task_projects",
    "indicators",
    "project_reports",
    "project_funding_lines",
    "project_indicators",
    "department_tables",
    "department_funding_lines",
    "department_key_tasks",
    "department_indicators",
    "rejected_files",
)
EXTRACTED_KEYS = tuple(dg.AssetKey(["extracted", t]) for t in EXTRACTED_TABLES)
_ROW_TABLES = ("budget_lines", "key_tasks", "indicators")


@dg.multi_asset(
    name="extracted_reports",
    specs=[
        dg.AssetSpec(
            key, group_name="extract", kinds={"python", "parquet"}, description=f"Extracted {key.path[-1]}"
        )
        for key in EXTRACTED_KEYS
    ],
    partitions_def=fiscal_years,
)
def extracted_reports(context: dg.AssetExecutionContext, paths: SelfevalPaths, build_lock: BuildLock):
    """Every report of one fiscal year in the inbox, extracted to Parquet (one folder per report)."""
    # Imported here: Arrow (and the pandas it pulls in) only in processes that extract.
    from orchestration.build.extraction import extract_year

    p = paths.paths()
    year = int(context.partition_key)

    def log_file(f, status: str) -> None:
        # Unchanged files are counted below, not logged one by one: each log line is an event-log
        # write (≈ 2 ms), ≈ 0.4 s per rebuild at 200 reports for lines that say nothing new.
        if status != "cached":
            context.log.info(f"{printable(f.path.name)}: {status}")

    inbox = scan(p.reports_dir, cache_dir=p.header_cache_dir, file_limits=paths.file_limits())
    rejections.sync_with_inbox(p.rejected_dir, inbox)
    result = extract_year(
        inbox.for_year(year),
        year,
        p.extracted_dir,
        p.rejected_dir,
        p.extraction_cache_dir,
        progress=log_file,
        file_limits=paths.file_limits(),
    )
    context.log.info(
        f"fiscal year {year}: {len(result.loaded)} extracted, {len(result.cached)} unchanged "
        f"(content hash already extracted), {len(result.rejected)} rejected, {len(result.removed)} removed"
    )
    for name, reason in result.rejected:
        context.log.warning(f"{printable(name)}: {reason}")
    for pdf, sheet in result.superseded:
        context.log.info(f"{printable(pdf)}: its tables are all in {printable(sheet)}, loaded from there")
    common = {
        "fiscal_year": year,
        "reports": len(result.loaded) + len(result.cached),
        "extracted": len(result.loaded),
        "cached (unchanged content)": len(result.cached),
        "pages": result.pages,
        "seconds": round(result.seconds, 2),
        "source_files": dg.MetadataValue.json(sorted(result.loaded + result.cached)),
    }
    for key in EXTRACTED_KEYS:
        table = key.path[-1]
        extra = {}
        if table in _ROW_TABLES:
            extra["rows"] = result.rows.get(table, 0)
        if table == "rejected_files":
            extra = {
                "rejected": dg.MetadataValue.json(
                    [{"file": file_name(f.path), "reason": f.error} for f in inbox.rejected]
                    + [{"file": n, "reason": r} for n, r in result.rejected]
                ),
                "duplicates": dg.MetadataValue.json(
                    [[file_name(a), file_name(b)] for a, b in inbox.duplicates]
                ),
                "superseded_by_spreadsheet": dg.MetadataValue.json([list(p) for p in result.superseded]),
            }
        yield dg.MaterializeResult(asset_key=key, metadata={**common, **extra})


@dg.asset(
    deps=[dg.AssetKey("warehouse_audit")],
    group_name="publish",
    kinds={"duckdb"},
    description="The audited build, atomically renamed over the published warehouse path.",
)
def published_warehouse(
    context: dg.AssetExecutionContext, paths: SelfevalPaths, build_lock: BuildLock
) -> dg.MaterializeResult:
    from orchestration.defs.dbt import build_path, remove_build

    p = paths.paths()
    start = time.perf_counter()
    build = build_path(p, context.op_execution_context.run_id)
    if not build.exists():
        raise dg.Failure(
            f"no build at {build}: materialize the dbt assets and the audit in the same run first"
        )
    try:
        with named_if_disk_full(build):
            write_build_info(build, context.op_execution_context.run_id, p.reports_dir)
        result = publish(build, p.warehouse)  # blocking audit checks already stopped this step if failed
    except DiskFullError:
        remove_build(build)
        raise
    shutil.rmtree(build.parent / f"{build.stem}.tmp", ignore_errors=True)
    return dg.MaterializeResult(
        metadata={
            "path": str(result.warehouse),
            "bytes": result.warehouse.stat().st_size,
            "seconds": round(time.perf_counter() - start, 2),
        }
    )
