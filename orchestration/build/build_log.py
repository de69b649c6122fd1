"""What a build tells its operator: every Dagster event in a plain-text log, the phases on screen.

Dagster hands each run's events to the `build_log` logger (defs/loggers.py), which writes them here:
to the build's log file, without the console logger's colour codes, and, on a terminal, one line
as each phase (extract, dbt, audit, publish) starts and ends.
"""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path
from typing import TextIO

# The Dagster step that is each phase of a build.
PHASES = {
    "extracted_reports": "extract",
    "warehouse_models": "dbt",
    "warehouse_audit": "audit",
    "published_warehouse": "publish",
}
_PLAIN = logging.Formatter("%(asctime)s - %(levelname)s - %(message)s")


def build_logger(name: str, path: str | None, show_phases: bool) -> logging.Logger:
    """A logger (not registered with `logging`: one per run) writing to `path` and the terminal."""
    logger = logging.Logger(name, level=logging.DEBUG)
    if path:
        # Appended: each run of the build (one per fiscal year, then the warehouse) adds its events;
        # the CLI empties the file when the build starts.
        handler = logging.FileHandler(path, mode="a", encoding="utf-8")
        handler.setFormatter(_PLAIN)
        logger.addHandler(handler)
    if show_phases:
        # The terminal itself: `selfeval build` sends sys.stderr (Dagster's tracebacks) to the log.
        logger.addHandler(PhaseDisplay(sys.__stderr__))
    return logger


class PhaseDisplay(logging.Handler):
    """One line as each build phase starts and one as it ends (a terminal's view of the build)."""

    def __init__(self, stream: TextIO) -> None:
        super().__init__(level=logging.DEBUG)
        from rich.console import Console  # only builds on a terminal draw it

        self.console = Console(file=stream, highlight=False)
        self.started: dict[str, float] = {}

    def emit(self, record: logging.LogRecord) -> None:
        event = (getattr(record, "dagster_meta", None) or {}).get("dagster_event")
        phase = PHASES.get(getattr(event, "step_key", None) or "")
        if phase is None:
            return
        kind = event.event_type_value
        if kind == "STEP_START":
            self.started[phase] = time.perf_counter()
            self.console.print(f"[bold]{phase}[/bold] …")
        elif kind in ("STEP_SUCCESS", "STEP_FAILURE"):
            seconds = time.perf_counter() - self.started.pop(phase, time.perf_counter())
            outcome = "done" if kind == "STEP_SUCCESS" else "[red]failed[/red]"
            self.console.print(f"[bold]{phase}[/bold] {outcome} ({seconds:.1f} s)")


def run_config(log_path: Path | None, show_phases: bool) -> dict:
    """Run config for a build's runs: the console quiet, every event to the build log."""
    return {
        "loggers": {
            "console": {"config": {"log_level": "WARNING"}},
            "build_log": {"config": {"path": str(log_path) if log_path else "", "phases": show_phases}},
        }
    }
