"""extract.guarded's workers are forked once and read file after file, each file under its own limits.

The readers here are test doubles given to `read_files` (it takes the reader): each answers its worker's
process id, so a test sees which worker read which file. They reach the workers through fork."""

from __future__ import annotations

import os
import signal
import time
from collections import Counter
from pathlib import Path

from extract import guarded
from extract.errors import InternalError, MemoryLimitError, TimeLimitError, WorkerCrashedError
from extract.guarded import Limits, read_files
from extract.settings import DEFAULT_SETTINGS

MB = 1024 * 1024
_KEPT: list[bytearray] = []  # what a leaking reader keeps, in its worker's copy of this module


def _pid(path, settings, sha256=None):
    return os.getpid()


def _sleepy(path, settings, sha256=None):
    if path.name.startswith("slow"):
        time.sleep(60)
    return os.getpid()


def _hog(path, settings, sha256=None):
    if path.name == "hog.pdf":
        return len(bytearray(512 * MB))  # over the file's allowance: MemoryError under RLIMIT_DATA
    return os.getpid(), path.name


def _leaky(path, settings, sha256=None):
    _KEPT.append(bytearray(60 * MB))  # kept after the file: the worker's heap grows
    return os.getpid()


def _buggy(path, settings, sha256=None):
    if path.name == "bug.pdf":
        raise RuntimeError("a bug in the reader")
    return os.getpid()


def _dies(path, settings, sha256=None):
    if path.name == "killed.pdf":
        os.kill(os.getpid(), signal.SIGKILL)
    if path.name == "exits.pdf":
        os._exit(3)
    return os.getpid()


class _NotesItsWorker:
    """A result that, when the consumer's process unpickles it, says whether the worker that sent it
    is still running."""

    def __init__(self, pid: int):
        self.pid = pid

    def __reduce__(self):
        return _is_running_child, (self.pid,)


def _is_running_child(pid: int) -> bool:
    return pid in _children()


def _noting(path, settings, sha256=None):
    return _NotesItsWorker(os.getpid())


def _paths(*names: str) -> list[Path]:
    return [Path(name) for name in names]


def _run(fn, paths: list[Path], **limits) -> dict[Path, object]:
    results = list(read_files(fn, paths, DEFAULT_SETTINGS, Limits(**limits)))
    assert Counter(path for path, _ in results) == Counter(paths)  # every path exactly once
    return dict(results)


def _children() -> set[int]:
    """This process's child processes, zombies included (they stay listed until joined)."""
    children = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == os.getpid():
                children.add(int(entry.name))
    return children


def test_a_batch_is_read_by_as_many_processes_as_workers():
    results = _run(_pid, _paths(*"abcdef"), seconds=60, memory_mb=256, workers=2)
    assert len(set(results.values())) == 2
    assert os.getpid() not in results.values()


def test_time_limited_file_does_not_lose_the_files_after_it_in_its_worker():
    a, slow, b, c = paths = _paths("a.pdf", "slow.pdf", "b.pdf", "c.pdf")
    results = _run(_sleepy, paths, seconds=2, memory_mb=256, workers=1)
    assert str(results[slow]) == "extraction time limit exceeded: over 2 s"
    assert isinstance(results[slow], TimeLimitError)
    assert results[b] == results[c] != results[a]  # one fresh worker reads the rest


def test_memory_limited_files_successor_is_read_by_a_fresh_worker():
    a, hog, b = paths = _paths("a.pdf", "hog.pdf", "b.pdf")
    results = _run(_hog, paths, seconds=60, memory_mb=64, workers=1)
    assert isinstance(results[hog], MemoryLimitError)
    assert results[b] == (results[b][0], "b.pdf") and results[b][0] != results[a][0]


def test_each_file_may_allocate_its_allowance_on_top_of_what_its_worker_holds():
    paths = _paths("a.pdf", "b.pdf", "c.pdf")  # 60 MB each, kept: 180 MB in all, over one 100 MB limit
    results = _run(_leaky, paths, seconds=60, memory_mb=100, workers=1)
    assert len(set(results.values())) == 1
    assert all(isinstance(pid, int) for pid in results.values())


def test_worker_whose_heap_grew_past_the_bound_is_replaced(monkeypatch):
    monkeypatch.setattr(guarded, "HEAP_GROWTH_MB", 50)  # reaches the workers through fork
    results = _run(_leaky, _paths("a.pdf", "b.pdf", "c.pdf"), seconds=60, memory_mb=100, workers=1)
    assert len(set(results.values())) == 3


def test_worker_is_replaced_after_an_internal_error():
    a, bug, b, c = paths = _paths("a.pdf", "bug.pdf", "b.pdf", "c.pdf")
    results = _run(_buggy, paths, seconds=60, memory_mb=256, workers=1)
    assert str(results[bug]) == "internal error: RuntimeError: a bug in the reader"
    assert isinstance(results[bug], InternalError)
    assert results[b] == results[c] != results[a]  # one new worker for the files after it


def test_killed_worker_rejects_its_file_for_memory_and_a_fresh_worker_continues():
    a, killed, b = paths = _paths("a.pdf", "killed.pdf", "b.pdf")
    results = _run(_dies, paths, seconds=60, memory_mb=256, workers=1)
    assert isinstance(results[killed], MemoryLimitError)
    assert isinstance(results[b], int) and results[b] != results[a]


def test_worker_that_exits_mid_file_is_a_crash_and_a_fresh_worker_continues():
    a, exits, b = paths = _paths("a.pdf", "exits.pdf", "b.pdf")
    results = _run(_dies, paths, seconds=60, memory_mb=256, workers=1)
    assert str(results[exits]) == "extraction worker crashed: exit code 3"
    assert isinstance(results[exits], WorkerCrashedError)
    assert isinstance(results[b], int) and results[b] != results[a]


def test_closing_the_iterator_early_leaves_no_child_process():
    before = _children()
    results = read_files(
        _sleepy, _paths("a.pdf", "slow1.pdf", "slow2.pdf"), DEFAULT_SETTINGS, Limits(60, 256, 2)
    )
    path, _ = next(results)
    assert path == Path("a.pdf") and len(_children() - before) == 2  # one worker still reading slow1
    results.close()
    assert _children() == before


def test_a_worker_with_no_file_left_has_exited_before_its_last_result_is_handed_on():
    # Its heap (all a long file's pages) is gone before the consumer stores what it read.
    before = _children()
    results = read_files(_pid, _paths("a.pdf", "b.pdf"), DEFAULT_SETTINGS, Limits(60, 256, 1))
    first, _ = next(results)
    assert first == Path("a.pdf") and len(_children() - before) == 1  # it reads b.pdf next
    last, _ = next(results)
    assert last == Path("b.pdf") and _children() == before
    results.close()


def test_a_worker_with_no_file_left_has_exited_before_its_last_result_is_unpickled():
    # Unpickled beside the worker's heap, a long file's records would be held twice at once.
    results = _run(_noting, _paths("a.pdf", "b.pdf"), seconds=60, memory_mb=256, workers=1)
    assert results == {Path("a.pdf"): True, Path("b.pdf"): False}


def test_the_consumers_objects_are_frozen_while_the_workers_live_and_unfrozen_after():
    import gc

    assert gc.get_freeze_count() == 0
    results = read_files(_pid, _paths("a.pdf", "b.pdf"), DEFAULT_SETTINGS, Limits(60, 256, 1))
    next(results)
    assert gc.get_freeze_count() > 0
    assert len(list(results)) == 1
    assert gc.get_freeze_count() == 0
