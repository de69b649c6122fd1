"""Scheduled re-scan and rebuild: every year in the inbox re-extracted (cached by content), then the
warehouse rebuilt, audited and published."""

import os

import dagster as dg

from orchestration.defs.assets import EXTRACTED_KEYS
from orchestration.lib.settings import apply_defaults

apply_defaults()

warehouse_job = dg.define_asset_job(
    "warehouse_job",
    selection=dg.AssetSelection.all() - dg.AssetSelection.keys(*EXTRACTED_KEYS),
    description="dbt build into a new file, audit it, publish it if no blocking rule failed.",
)


@dg.schedule(
    cron_schedule=os.environ["SELFEVAL_SCHEDULE_CRON"],
    job=warehouse_job,
    default_status=dg.DefaultScheduleStatus.STOPPED,
)
def rebuild_schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    return dg.RunRequest(run_key=None, tags={"trigger": "schedule"})
