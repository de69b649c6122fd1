"""Read many PDFs in worker processes, each file under a time and memory limit.

A hostile file (thousands of pages, a decompression bomb, a parser loop) costs at most its own
limits: its worker is killed and the file rejected with a one-line reason, while the other files go
on — in parallel, one worker per core by default.

Workers are forked once and read file after file (forking one per file cost 10-40 ms of CPU per
file in copy-on-write faults and cold caches). The parent hands a worker one file at a time and
knows which file each is on since when, so every limit is still per file:

- time: a worker over the limit is killed, its file rejected, and a fresh worker takes the rest;
- memory: before each file the worker sets its RLIMIT_DATA soft limit to its heap in use plus the
  file's allowance (only the soft limit: an unprivileged worker could not raise a lowered hard
  limit for the next file). A worker whose heap has grown more than `HEAP_GROWTH_MB` since it
  started (caches, fragmentation) is recycled after that file, so a worker's footprint stays below
  its start + `HEAP_GROWTH_MB` + the allowance;
- a worker killed or aborted mid-file (the kernel, PDFium's abort on a failed allocation) rejects
  that file for memory, any other death as a crash; a fresh worker takes the rest;
- after any outcome other than a result or a `ReportError` raised by the reader (MemoryError,
  RecursionError, an internal error) the worker's state is not trusted: it answers and exits.
"""

from __future__ import annotations

import contextlib
import faulthandler
import gc
import logging
import multiprocessing as mp
import os
import pickle
import resource
import signal
import sys
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, cast

from . import errors
from .settings import DEFAULT_SETTINGS, ExtractSettings

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Limits:
    """Each file's time and memory limit, and how many files are read at once. The caller chooses
    them (orchestration's settings read SELFEVAL_FILE_TIMEOUT_SECONDS, _FILE_MEMORY_MB, _WORKERS)."""

    seconds: float = 120.0
    memory_mb: int = 2048
    workers: int = max(1, os.cpu_count() or 1)


# Killed by the kernel's OOM killer, or aborted by PDFium, which calls abort() when an allocation
# fails under the worker's RLIMIT_DATA (its failed CHECKs trap instead: SIGILL/SIGTRAP).
_OUT_OF_MEMORY_EXITS = (-signal.SIGKILL, -signal.SIGABRT)
# A worker whose heap grew more than this since it was forked is replaced after its current file.
HEAP_GROWTH_MB = 256

Reader = Callable[[Path, ExtractSettings, str | None], Any]


def _data_bytes_in_use() -> int:
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmData:"):
                return int(line.split()[1]) * 1024
    return 0


def _internal_error(path: Path, exc: BaseException) -> errors.InternalError:
    """A bug must not take the batch down, nor pass for a damaged file. Call within `except`."""
    first_line = next(iter(str(exc).splitlines()), "")  # the summary gives one line per file
    detail = f"{type(exc).__name__}: {first_line}" if first_line else type(exc).__name__
    return errors.InternalError(path, detail, traceback.format_exc())


def _read(
    fn: Reader, path: Path, settings: ExtractSettings, memory_mb: int, sha256: str | None
) -> tuple[bool, Any]:
    """(whether the worker may read another file, the result or ReportError)."""
    try:
        return True, fn(path, settings, sha256)
    except errors.ReportError as exc:
        return True, exc
    except MemoryError:
        return False, errors.MemoryLimitError(path, f"over {memory_mb} MB")
    except RecursionError:
        return False, errors.TruncatedPdfError(path, "nesting too deep")
    except Exception as exc:
        return False, _internal_error(path, exc)


def _worker(
    tasks: Connection,
    results: Connection,
    fn: Reader,
    settings: ExtractSettings,
    memory_mb: int,
    inherited: list[Connection],
) -> None:
    """Read (path, sha256) tasks until None or the parent's end closes; answer (value, retiring)."""
    # PDFium aborts when the memory limit stops an allocation: an expected outcome here, not a crash
    # worth a Python stack dump from an inherited faulthandler (pytest and Dagster enable one).
    faulthandler.disable()
    # The objects the worker inherits stay the parent's pages: a collection walking them would write
    # to each (copy on write). Frozen, only the worker's own are collected (15,000 → 10,500 page
    # faults over the 28 table fixtures' two workers, ≈ 5% of their CPU).
    gc.freeze()
    for conn in inherited:  # the parent's ends of the other workers' pipes, copied by fork
        conn.close()
    _, hard = resource.getrlimit(resource.RLIMIT_DATA)
    heap_bound = _data_bytes_in_use() + HEAP_GROWTH_MB * 1024 * 1024
    while True:
        try:
            task = tasks.recv()
        except EOFError:
            return
        if task is None:
            return
        path, sha256 = task
        # A forked worker carries its parent's heap and its earlier files' leftovers: the limit is
        # what this file may add on top.
        limit = _data_bytes_in_use() + memory_mb * 1024 * 1024
        resource.setrlimit(
            resource.RLIMIT_DATA, (limit if hard == resource.RLIM_INFINITY else min(limit, hard), hard)
        )
        trusted, value = _read(fn, path, settings, memory_mb, sha256)
        retiring = not trusted or _data_bytes_in_use() > heap_bound
        try:
            results.send((value, retiring))
        except OSError:  # the parent is gone (killed): nobody to answer
            return
        except MemoryError:
            results.send((errors.MemoryLimitError(path, f"over {memory_mb} MB"), True))
            return
        except Exception as exc:  # a result that cannot be sent (pickled): our bug
            results.send((_internal_error(path, exc), True))
            return
        del value
        if retiring:
            return


def _death(path: Path, exitcode: int | None, memory_mb: int) -> errors.ReportError:
    """Why a worker died reading `path`, from its exit code."""
    if exitcode in _OUT_OF_MEMORY_EXITS:
        return errors.MemoryLimitError(path, f"over {memory_mb} MB")
    return errors.WorkerCrashedError(path, f"exit code {exitcode}")


class _Worker:
    """A forked worker and the file it is reading (None when idle), as the parent sees it."""

    def __init__(
        self, ctx: Any, fn: Reader, settings: ExtractSettings, memory_mb: int, others: list[_Worker]
    ):
        task_end, self.tasks = ctx.Pipe(duplex=False)  # (reading end, writing end)
        self.results, result_end = ctx.Pipe(duplex=False)
        inherited = [conn for w in others for conn in (w.tasks, w.results)]
        self.proc = ctx.Process(
            target=_worker, args=(task_end, result_end, fn, settings, memory_mb, inherited), daemon=True
        )
        self.proc.start()
        task_end.close()
        result_end.close()
        self.path: Path | None = None
        self.started = 0.0

    def give(self, path: Path, sha256: str | None) -> bool:
        """Hand over a file; False if the worker is gone (died while idle)."""
        try:
            self.tasks.send((path, sha256))
        except OSError:
            return False
        self.path, self.started = path, time.monotonic()
        return True

    def stop(self, kill: bool) -> None:
        if kill:
            self.proc.kill()
        else:
            with contextlib.suppress(OSError):  # it may have left already (retiring)
                self.tasks.send(None)
        self.proc.join()
        self.tasks.close()
        self.results.close()
        self.proc.close()


def read_files(
    fn: Reader,
    paths: Iterable[Path] | Mapping[Path, str],
    settings: ExtractSettings,
    limits: Limits,
) -> Iterator[tuple[Path, Any]]:
    """Yield (path, result or ReportError) as workers finish, each path once; order is completion order.

    Given {path: sha256} (the inbox scan's hashes), a file whose bytes no longer hash so is rejected
    (`ChangedWhileReadError`): what is read is always what was hashed. Closing the iterator early
    kills the workers."""
    ctx = mp.get_context("fork")  # workers inherit the imported parser: no start-up cost per file
    expected: Mapping[Path, str] = paths if isinstance(paths, Mapping) else {}
    pending = deque(paths)
    workers: list[_Worker] = []

    def retire(worker: _Worker, kill: bool) -> None:
        workers.remove(worker)
        worker.stop(kill)

    # This process's objects, frozen while its workers live: its garbage collector, walking them as
    # it stores the results, would write to the pages it shares with each worker (copy on write).
    # Left frozen if they already were (a forked phase of a build: forked.start_child).
    was_frozen = gc.get_freeze_count() > 0
    gc.freeze()
    try:
        while pending or workers:
            for worker in [w for w in workers if w.path is None]:
                if not pending:
                    retire(worker, kill=False)  # nothing left for it
                elif not worker.give(pending[0], expected.get(pending[0])):
                    retire(worker, kill=True)
                else:
                    pending.popleft()
            while pending and len(workers) < limits.workers:
                worker = _Worker(ctx, fn, settings, limits.memory_mb, workers)
                workers.append(worker)
                if worker.give(pending[0], expected.get(pending[0])):
                    pending.popleft()
            busy = {w.results: w for w in workers if w.path is not None}
            if not busy:
                continue
            deadline = min(w.started for w in busy.values()) + limits.seconds
            timeout = max(0.0, deadline - time.monotonic())
            # wait() answers a subset of the objects it is given: here, the busy workers' pipes.
            for conn in cast(list[Connection], mp.connection.wait(list(busy), timeout=timeout)):
                worker = busy[conn]
                path = cast(Path, worker.path)
                worker.path = None
                try:
                    answer = conn.recv_bytes()
                except EOFError:  # died without a word: killed by the kernel (memory) or a signal
                    worker.proc.join()
                    value, retiring = _death(path, worker.proc.exitcode, limits.memory_mb), True
                else:
                    # With nothing left for it, its heap goes before the result is unpickled here
                    # and the consumer stores it (a long file's pages, docs/performance.md).
                    if not pending:
                        retire(worker, kill=False)
                    value, retiring = pickle.loads(answer)  # what Connection.recv does
                    del answer
                if retiring and worker in workers:
                    retire(worker, kill=False)
                if isinstance(value, errors.InternalError):
                    _log.error("%s: %s\n%s", path, value, value.traceback_text.rstrip())
                yield path, value
            now = time.monotonic()
            late = [w for w in workers if w.path is not None and now - w.started > limits.seconds]
            for worker in [w for w in late if not w.results.poll()]:  # an answer in time is taken next
                path = cast(Path, worker.path)
                retire(worker, kill=True)
                yield path, errors.TimeLimitError(path, f"over {limits.seconds:g} s")
    finally:
        for worker in workers:  # the consumer stopped early, or the parent failed: no orphan, no zombie
            worker.stop(kill=True)
        workers.clear()
        if not was_frozen:
            gc.unfreeze()


def read_reports(
    paths: Iterable[Path] | Mapping[Path, str],
    settings: ExtractSettings | None = None,
    limits: Limits | None = None,
) -> Iterator[tuple[Path, Any]]:
    """(path, Report, ProjectFile or ReportError) for each file, extracted in parallel under limits."""
    return read_files(_reader("read_report"), paths, settings or DEFAULT_SETTINGS, limits or Limits())


def read_headers(
    paths: Iterable[Path] | Mapping[Path, str],
    settings: ExtractSettings | None = None,
    limits: Limits | None = None,
) -> Iterator[tuple[Path, Any]]:
    """(path, ReportHeader or ReportError) for each file, first pages only, under limits."""
    return read_files(_reader("read_header"), paths, settings or DEFAULT_SETTINGS, limits or Limits())


def __getattr__(name: str) -> Any:
    """PEP 562: `read_report` and `read_header` (extract.report, with PDFium, pdfplumber, pikepdf and
    numpy) are imported on first use, by the process that forks the workers (they inherit them),
    not with this module: the build process, which imports it, reads no file itself."""
    if name in ("read_header", "read_report"):
        from . import report

        return getattr(report, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _reader(name: str) -> Reader:
    """This module's `read_report` or `read_header`, or what a test put in its place."""
    return cast(Reader, getattr(sys.modules[__name__], name))
