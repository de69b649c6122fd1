"""Scheduled re-scan and rebuild: every fiscal year in the inbox is re-extracted (unchanged files are
skipped by content hash); the extraction sensor then rebuilds, audits and publishes the warehouse."""

import dagster as dg

from orchestration.build.inbox import scan
from orchestration.defs.assets import fiscal_years
from orchestration.defs.resources import SelfevalPaths
from orchestration.defs.sensors import extract_year_job
from orchestration.settings import SettingsError


def rebuild_schedule_for(cron: str) -> dg.ScheduleDefinition:
    """The schedule on `cron` (SELFEVAL_SCHEDULE_CRON), off until turned on."""

    def rebuild_schedule(context: dg.ScheduleEvaluationContext, paths: SelfevalPaths):
        p = paths.paths()
        known = set(context.instance.get_dynamic_partitions(fiscal_years.name))
        inbox = scan(p.reports_dir, cache_dir=p.header_cache_dir, file_limits=paths.file_limits())
        years = [str(y) for y in inbox.years()]
        # Years the inbox sensor has not registered yet are registered (and extracted) by its next tick.
        return [dg.RunRequest(partition_key=y, tags={"trigger": "schedule"}) for y in years if y in known]

    try:
        return dg.schedule(
            name="rebuild_schedule",
            cron_schedule=cron,
            job=extract_year_job,
            default_status=dg.DefaultScheduleStatus.STOPPED,
        )(rebuild_schedule)
    except dg.DagsterInvalidDefinitionError as exc:  # the values of its fields (settings checks their count)
        raise SettingsError(f"SELFEVAL_SCHEDULE_CRON: {cron!r}: {str(exc).splitlines()[0]}") from None
