"""Scheduled re-scan and rebuild: every fiscal year in the inbox is re-extracted (unchanged files are
skipped by content hash); the extraction sensor then rebuilds, audits and publishes the warehouse."""

import os

import dagster as dg

from orchestration.defs.assets import fiscal_years
from orchestration.defs.sensors import extract_year_job
from orchestration.lib.inbox import scan
from orchestration.lib.settings import Paths, apply_defaults

apply_defaults()


@dg.schedule(
    cron_schedule=os.environ["SELFEVAL_SCHEDULE_CRON"],
    job=extract_year_job,
    default_status=dg.DefaultScheduleStatus.STOPPED,
)
def rebuild_schedule(context: dg.ScheduleEvaluationContext):
    paths = Paths.from_env()
    known = set(context.instance.get_dynamic_partitions(fiscal_years.name))
    years = [str(y) for y in scan(paths.reports_dir, cache_dir=paths.header_cache_dir).years()]
    # Years the inbox sensor has not registered yet are registered (and extracted) by its next tick.
    return [dg.RunRequest(partition_key=y, tags={"trigger": "schedule"}) for y in years if y in known]
