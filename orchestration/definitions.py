"""Dagster entry point. Importing it (or anything in orchestration/defs/) reads no setting, writes no
environment variable and runs no dbt: `defs()` reads the settings once, prepares dbt's manifest if
it is missing or stale, and builds the definitions from them."""

import dagster as dg

from orchestration.settings import Settings


def build_definitions(settings: Settings) -> dg.Definitions:
    """Every asset, check, job, sensor and schedule, with resources made from `settings`: the
    extraction's (`extraction_definitions`) and the warehouse's."""
    from orchestration.defs import assets, checks, dbt, evidence, project, resources, schedules, sensors

    project.prepare_manifest()
    warehouse_models = dbt.warehouse_models_asset()
    warehouse = dg.Definitions(
        assets=[
            warehouse_models,
            checks.warehouse_audit_asset(warehouse_models),
            assets.published_warehouse,
            evidence.evidence_report,
        ],
        jobs=[sensors.warehouse_job],
        sensors=[sensors.inbox_sensor, sensors.rebuild_after_extraction],
        schedules=[schedules.rebuild_schedule_for(settings.schedule_cron)],
        resources={"dbt": resources.dbt_resource()},
    )
    return dg.Definitions.merge(extraction_definitions(settings), warehouse)


def extraction_definitions(settings: Settings) -> dg.Definitions:
    """The extraction asset and its job, with the resources, loggers and executor every job runs
    with: alone, what `selfeval build`'s child that scans and extracts runs, loaded without
    dagster-dbt and dbt-core (≈ 1.2 s), so that it extracts while the build process loads them
    (orchestration/build/pipeline.py)."""
    from orchestration.defs import assets, loggers, resources, sensors

    return dg.Definitions(
        assets=[assets.extracted_reports],
        jobs=[sensors.extract_year_job],
        resources=resources.extraction_resources_for(settings),
        loggers=loggers.LOGGERS,
        # Also for assets materialized from the UI outside the jobs: one process per run.
        executor=dg.in_process_executor,
    )


@dg.definitions
def defs() -> dg.Definitions:
    return build_definitions(Settings.from_env())
