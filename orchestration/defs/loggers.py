"""Loggers of every job: Dagster's console logger, and the build log `selfeval build` writes."""

import dagster as dg

from orchestration.build.build_log import build_logger


@dg.logger(
    config_schema={
        "path": dg.Field(str, default_value="", description="file the events are appended to ('' = none)"),
        "phases": dg.Field(bool, default_value=False, description="print each build phase to stderr"),
    },
    description="Every event as plain text (no colour codes) in the build log; phases on a terminal.",
)
def build_log(init_context: dg.InitLoggerContext):
    config = init_context.logger_config
    return build_logger(f"selfeval_{init_context.run_id}", config["path"] or None, config["phases"])


LOGGERS = {"console": dg.colored_console_logger, "build_log": build_log}
