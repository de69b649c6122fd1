"""One build at a time per data folder: an OS lock (flock) on `<data dir>/build.lock`.

Every process that writes the data folder's builds — `selfeval build`, and each Dagster run of
extract_year_job or warehouse_job, from the UI, a sensor, a schedule or the `dagster` CLI — holds
it for its whole run. Two CLI processes have two Dagster instances and cannot see each other's
runs; the kernel sees both. It frees the lock when the holder exits, however it dies: no stale
lock to clear by hand. So whatever lies in `build/` while a process holds the lock belongs to no
live process (stale-build cleanup relies on that).

Nested holders in one process (the CLI's build, then the Dagster runs it executes) share the
first one's lock. Forked children (extraction, dbt, extraction workers) close their copy of the
lock's descriptor at once: the parent keeps holding it, and a child left running after its parent
died cannot keep the next build waiting.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

LOCK_NAME = "build.lock"


class BuildLockBusyError(RuntimeError):
    """Another process holds the data folder's build lock (raised only when not waiting)."""


@dataclass
class _Held:
    fd: int | None  # None in a forked child: the parent holds the lock
    depth: int


_held: dict[Path, _Held] = {}
_fork_hook_registered = False


def _close_in_child() -> None:
    for held in _held.values():
        if held.fd is not None:
            with contextlib.suppress(OSError):
                os.close(held.fd)
            held.fd = None


def _holder(fd: int) -> str:
    """The pid the holder wrote into the lock file, for the waiting message ("" when unknown)."""
    with contextlib.suppress(OSError, ValueError):
        pid = int(os.pread(fd, 32, 0).decode("ascii").strip() or "x")
        return f" (pid {pid})"
    return ""


@contextlib.contextmanager
def build_lock(
    data_dir: Path, wait: bool = True, on_wait: Callable[[str], None] | None = None
) -> Iterator[None]:
    """Hold the data folder's build lock inside the block.

    When another process holds it: `wait` blocks until it is free, after telling `on_wait` (one
    line); otherwise BuildLockBusyError at once.
    """
    global _fork_hook_registered
    key = Path(os.path.realpath(data_dir))  # one lock whatever the spelling
    if key in _held:
        _held[key].depth += 1
        try:
            yield
        finally:
            _held[key].depth -= 1
        return
    key.mkdir(parents=True, exist_ok=True)
    fd = os.open(key / LOCK_NAME, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            message = f"another build of {key} is running{_holder(fd)}"
            if not wait:
                raise BuildLockBusyError(message) from None
            if on_wait is not None:
                on_wait(f"{message}; waiting for it to finish")
            fcntl.flock(fd, fcntl.LOCK_EX)
        with contextlib.suppress(OSError):  # only for the message; a full disk must not stop us
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        if not _fork_hook_registered:
            os.register_at_fork(after_in_child=_close_in_child)
            _fork_hook_registered = True
        _held[key] = _Held(fd, 1)
        try:
            yield
        finally:
            del _held[key]
    finally:
        with contextlib.suppress(OSError):
            os.close(fd)  # closing the last descriptor releases the lock
