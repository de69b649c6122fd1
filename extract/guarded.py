"""Read many PDFs in worker processes, each under a time and memory limit.

A hostile file (thousands of pages, a decompression bomb, a parser loop) costs at most its own
limits: its worker is killed and the file rejected with a one-line reason, while the other files go
on — in parallel, one worker per core by default.
"""

from __future__ import annotations

import faulthandler
import logging
import multiprocessing as mp
import os
import resource
import signal
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, cast

from . import errors
from .report import read_header, read_report
from .settings import DEFAULT_SETTINGS, ExtractSettings

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Limits:
    seconds: float = 120.0
    memory_mb: int = 2048
    workers: int = max(1, os.cpu_count() or 1)

    @classmethod
    def from_env(cls) -> Limits:
        env = os.environ
        return cls(
            seconds=float(env.get("SELFEVAL_FILE_TIMEOUT_SECONDS", cls.seconds)),
            memory_mb=int(env.get("SELFEVAL_FILE_MEMORY_MB", cls.memory_mb)),
            workers=int(env.get("SELFEVAL_WORKERS", cls.workers)),
        )


def settings_from_env() -> ExtractSettings:
    """The page limit is configurable like the time and memory limits (SELFEVAL_MAX_PAGES), and when
    pages are read by OCR (SELFEVAL_OCR: auto, always, never; docs/ocr.md)."""
    return ExtractSettings(
        max_pages=int(os.environ.get("SELFEVAL_MAX_PAGES", DEFAULT_SETTINGS.max_pages)),
        ocr=os.environ.get("SELFEVAL_OCR", DEFAULT_SETTINGS.ocr),
    )


# Killed by the kernel's OOM killer, or aborted by PDFium, which calls abort() when an allocation
# fails under the worker's RLIMIT_DATA (its failed CHECKs trap instead: SIGILL/SIGTRAP).
_OUT_OF_MEMORY_EXITS = (-signal.SIGKILL, -signal.SIGABRT)


def _data_bytes_in_use() -> int:
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmData:"):
                return int(line.split()[1]) * 1024
    return 0


def _child(conn, fn: Callable, path: Path, settings: ExtractSettings, memory_mb: int) -> None:
    # PDFium aborts when the memory limit stops an allocation: an expected outcome here, not a crash
    # worth a Python stack dump from an inherited faulthandler (pytest and Dagster enable one).
    faulthandler.disable()
    # A forked worker starts with its parent's heap: the limit is what the file may add on top.
    limit = _data_bytes_in_use() + memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))
    try:
        conn.send(("ok", fn(path, settings)))
    except errors.ReportError as exc:
        conn.send(("error", exc))
    except MemoryError:
        conn.send(("error", errors.MemoryLimitError(path, f"over {memory_mb} MB")))
    except RecursionError:
        conn.send(("error", errors.TruncatedPdfError(path, "nesting too deep")))
    except Exception as exc:  # a bug must not take the batch down, nor pass for a damaged file
        first_line = next(iter(str(exc).splitlines()), "")  # the summary gives one line per file
        detail = f"{type(exc).__name__}: {first_line}" if first_line else type(exc).__name__
        conn.send(("error", errors.InternalError(path, detail, traceback.format_exc())))
    finally:
        conn.close()


def _map(
    fn: Callable[[Path, ExtractSettings], Any],
    paths: Iterable[Path],
    settings: ExtractSettings,
    limits: Limits,
) -> Iterator[tuple[Path, Any]]:
    """Yield (path, result or ReportError) as workers finish; order is completion order."""
    ctx = mp.get_context("fork")  # workers inherit the imported parser: no start-up cost per file
    pending = list(paths)
    running: dict[Any, tuple[Path, Any, float]] = {}
    while pending or running:
        while pending and len(running) < limits.workers:
            path = pending.pop(0)
            parent, child = ctx.Pipe(duplex=False)
            proc = ctx.Process(target=_child, args=(child, fn, path, settings, limits.memory_mb), daemon=True)
            proc.start()
            child.close()
            running[parent] = (path, proc, time.monotonic())
        # wait() answers a subset of the objects it is given: here, the running workers' pipes.
        ready = cast(list[Connection], mp.connection.wait(list(running), timeout=0.05))
        for conn in ready:
            path, proc, _ = running.pop(conn)
            try:
                _, value = conn.recv()
            except EOFError:  # died without a word: killed by the kernel (memory) or a signal
                proc.join()
                value = (
                    errors.MemoryLimitError(path, f"over {limits.memory_mb} MB")
                    if proc.exitcode in _OUT_OF_MEMORY_EXITS
                    else errors.WorkerCrashedError(path, f"exit code {proc.exitcode}")
                )
            proc.join()
            conn.close()
            if isinstance(value, errors.InternalError):
                _log.error("%s: %s\n%s", path, value, value.traceback_text.rstrip())
            yield path, value
        now = time.monotonic()
        for conn, (path, proc, started) in list(running.items()):
            if now - started > limits.seconds:
                proc.kill()
                proc.join()
                conn.close()
                del running[conn]
                yield path, errors.TimeLimitError(path, f"over {limits.seconds:g} s")


def read_reports(
    paths: Iterable[Path], settings: ExtractSettings | None = None, limits: Limits | None = None
) -> Iterator[tuple[Path, Any]]:
    """(path, Report, ProjectFile or ReportError) for each file, extracted in parallel under limits."""
    return _map(read_report, paths, settings or settings_from_env(), limits or Limits.from_env())


def read_headers(
    paths: Iterable[Path], settings: ExtractSettings | None = None, limits: Limits | None = None
) -> Iterator[tuple[Path, Any]]:
    """(path, ReportHeader or ReportError) for each file, first pages only, under limits."""
    return _map(read_header, paths, settings or settings_from_env(), limits or Limits.from_env())
