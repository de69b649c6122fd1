"""Inbox sensor: new or changed files (by content hash) request a run for their fiscal year, and so
does every file after an extractor upgrade (its records are re-extracted)."""

import json

import dagster as dg

from extract import version
from orchestration.build.inbox import scan
from orchestration.defs.assets import EXTRACTED_KEYS, fiscal_years
from orchestration.defs.resources import SelfevalPaths

warehouse_job = dg.define_asset_job(
    "warehouse_job",
    selection=dg.AssetSelection.all() - dg.AssetSelection.assets(*EXTRACTED_KEYS),
    description="dbt build into a new file, audit it, publish it if no blocking rule failed.",
    executor_def=dg.in_process_executor,  # one process holds the build lock for the whole run
)

# Partitioned by fiscal year like the extraction asset it selects (Dagster infers it from the asset).
extract_year_job = dg.define_asset_job(
    "extract_year_job",
    selection=dg.AssetSelection.assets(*EXTRACTED_KEYS),
    executor_def=dg.in_process_executor,
)


@dg.sensor(job=extract_year_job, minimum_interval_seconds=60, default_status=dg.DefaultSensorStatus.RUNNING)
def inbox_sensor(context: dg.SensorEvaluationContext, paths: SelfevalPaths) -> dg.SensorResult:
    p = paths.paths()
    inbox = scan(p.reports_dir, cache_dir=p.header_cache_dir, file_limits=paths.file_limits())
    by_year: dict[int, list[str]] = {}
    for f in inbox.accepted:
        by_year.setdefault(f.fiscal_year, []).append(f.sha256)
    known = set(context.instance.get_dynamic_partitions(fiscal_years.name))
    new_years = sorted(str(y) for y in by_year if str(y) not in known)
    extractor = version.extractor_version()
    # What earlier extractor versions saw is moot (and would only grow the cursor).
    seen = {k for k in json.loads(context.cursor or "[]") if k.endswith(f":{extractor}")}
    current = {f"{year}:{sha}:{extractor}" for year, shas in by_year.items() for sha in shas}
    # One request per fiscal year with new content; the run key names that content and the
    # extractor, so the same bytes never start a run twice (the cursor remembers them), while
    # changed bytes, or the same bytes after an extractor upgrade, always do.
    fresh: dict[int, list[str]] = {}
    for key in sorted(current - seen):
        year, sha, _ = key.split(":")
        fresh.setdefault(int(year), []).append(sha)
    requests = [
        dg.RunRequest(
            partition_key=str(year),
            run_key=f"{year}:{extractor}:{','.join(shas)}",
            tags={"new_files": str(len(shas))},
        )
        for year, shas in sorted(fresh.items())
    ]
    return dg.SensorResult(
        run_requests=requests,
        dynamic_partitions_requests=[fiscal_years.build_add_request(new_years)] if new_years else [],
        cursor=json.dumps(sorted(seen | current)),
    )


@dg.asset_sensor(
    asset_key=dg.AssetKey(["extracted", "report"]),
    job=warehouse_job,
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
)
def rebuild_after_extraction(context: dg.SensorEvaluationContext, asset_event: dg.EventLogEntry):
    """A fiscal year was (re-)extracted: rebuild, audit and publish the warehouse once."""
    return dg.RunRequest(run_key=f"extraction-{asset_event.run_id}")
