"""Run one phase of a build in a forked child and get its (picklable) result back.

Memory a phase builds up — pdfminer/PDFium and Arrow for extraction, dbt's parsed project for a
dbt run — is given back to the system when the child exits; CPython keeps most of what it
allocated once. The child shares the parent's imports, so it starts in milliseconds.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import multiprocessing as mp
import os
import pickle
import signal
import sys
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any, cast

_PR_SET_PDEATHSIG = 1
# The children started here and not yet joined, as (this process, the child) pids: while one lives,
# this process's objects stay frozen (start_child, joined).
_sharing: set[tuple[int, int]] = set()


class PhaseFailedError(RuntimeError):
    pass


def run_forked(fn: Callable[..., Any], *args: Any, as_raised: bool = False) -> Any:
    """`fn(*args)` in a forked child; its exception is re-raised here as PhaseFailedError, or with
    `as_raised` as itself where it can be sent back (`sendable`: a full disk's OSError, DuckDB's
    errors), so that the caller tells them apart as if `fn` had run here."""
    receive, child = start_child(_child, fn, args, as_raised)
    try:
        return result_of(receive, child, fn)  # before join: a large result would block the child's exit
    finally:
        receive.close()
        joined(child)


def result_of(
    receive: Connection, child: BaseProcess, fn: Callable[..., Any], on_note: Callable[..., Any] | None = None
) -> Any:
    """The next result the child sends (`send_result`): `fn`'s value, or its exception raised here
    (PhaseFailedError when it sent its text, or sent nothing and died). The notes it sends before
    (`send_note`) are handed to `on_note` here, as they come."""
    while True:
        try:
            ok, value = receive.recv()
        except EOFError:
            child.join()
            ok, value = False, None
        if ok is not None:
            break
        if on_note is not None:
            on_note(*value)
    if not ok:
        if isinstance(value, BaseException):
            raise value
        reason = value or f"exit code {child.exitcode}, no result"
        raise PhaseFailedError(f"{getattr(fn, '__name__', fn)} failed in its process: {reason}")
    return value


def start_child(target: Callable[..., None], *args: Any) -> tuple[Connection, BaseProcess]:
    """`target(send, *args)` started in a forked child: the end of the pipe that receives what it
    sends, and the child (the caller joins it)."""
    ctx = mp.get_context("fork")
    receive, send = ctx.Pipe(duplex=False)
    # What this process has buffered would otherwise be written twice: by it and by the child.
    sys.stdout.flush()
    sys.stderr.flush()
    # Frozen (gc.freeze), the objects the child inherits are left alone by both collectors: the
    # child's, and this process's until the child is joined. Walking them would write to their pages,
    # copying each (copy on write) for the process that wrote: during a long extraction, ≈ 23 MB of
    # pages no longer shared (docs/performance.md). Python's documented use of gc.freeze before fork.
    gc.freeze()
    try:
        child = ctx.Process(target=target, args=(send, *args), daemon=False)
        child.start()
    except BaseException:
        _unfreeze_unless_sharing()
        raise
    _sharing.add((os.getpid(), cast(int, child.pid)))
    send.close()
    return receive, child


def joined(child: BaseProcess) -> None:
    """`child.join()`; this process's objects are unfrozen once no child it started shares them."""
    child.join()
    _sharing.discard((os.getpid(), cast(int, child.pid)))
    _unfreeze_unless_sharing()


def _unfreeze_unless_sharing() -> None:
    if not any(parent == os.getpid() for parent, _ in _sharing):
        gc.unfreeze()


class WarmChild:
    """A forked child started ahead of its work: it does its slow set-up (imports, parsing) while
    this process goes on with the build, then waits for the work (`go`).

    `target(send, work, *args)` runs in the child; `work` is the receiving end of a pipe on which
    the arguments `go` sends arrive (EOFError: there will be none). The child inherits this
    process as it is now: start it after the imports it shares, before what it need not share.
    """

    def __init__(self, target: Callable[..., None], *args: Any) -> None:
        ctx = mp.get_context("fork")
        work_receive, self._work_send = ctx.Pipe(duplex=False)
        self.receive, self.process = start_child(target, work_receive, *args)
        work_receive.close()

    def go(self, *work: Any) -> Connection:
        """Hand the child its work; the end of the pipe that receives what it sends."""
        self._work_send.send(work)
        self._work_send.close()
        return self.receive

    def cancel(self) -> None:
        """A child not given its work (or not to be waited for) is ended."""
        self._work_send.close()
        if self.process.is_alive():
            self.process.kill()
        joined(self.process)
        self.receive.close()


def _child(conn, fn: Callable[..., Any], args: tuple, as_raised: bool) -> None:
    die_with_parent()
    send_result(conn, fn, args, as_raised)
    conn.close()


def send_note(conn: Connection, *args: Any) -> None:
    """In a forked child: `args` for the parent's `on_note` (`result_of`), ahead of the result."""
    conn.send((None, args))


def send_result(conn: Connection, fn: Callable[..., Any], args: tuple, as_raised: bool) -> tuple[bool, Any]:
    """In a forked child: `fn(*args)` sent to the parent (`result_of`), or its exception, as itself
    where it can be (`as_raised`) or as text; returned as (whether it succeeded, the value)."""
    try:
        payload = (True, fn(*args))
    except BaseException as exc:  # everything goes back to the parent, as text or as itself
        traceback.print_exc()
        payload = (False, sendable(exc) if as_raised else f"{type(exc).__name__}: {exc}")
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
    conn.send(payload)
    return payload


def sendable(exc: BaseException) -> BaseException:
    """`exc` if it survives pickling as itself (OSError, DuckDB's errors), else its text."""
    try:
        back = pickle.loads(pickle.dumps(exc))
    except Exception:
        back = None
    if type(back) is type(exc) and str(back) == str(exc):
        return exc
    return PhaseFailedError(f"{type(exc).__name__}: {exc}")


def die_with_parent() -> None:
    """A killed build must not leave a phase running on (Linux prctl; elsewhere a no-op)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
