"""A full disk, named as such: `no space left on device while writing <file>`.

Each writer raises it its own way — Python an OSError (ENOSPC, or EDQUOT for a quota), DuckDB an
IOException whose text says "No space left on device", Arrow an OSError with the errno in its
text — often far from the file it was writing. The build's steps wrap what they write with
`named_if_disk_full(target)`, so the summary and the log say which file could not be written
instead of what failed next (a missing schema, a traceback).
"""

from __future__ import annotations

import contextlib
import errno
import re
from collections.abc import Iterator
from pathlib import Path

PHRASE = "no space left on device while writing"
_ERRNOS = (errno.ENOSPC, errno.EDQUOT)
_TEXTS = ("no space left on device", "disk quota exceeded")
_QUOTED_PATH = re.compile(r'"([^"]*(?:/|\.duckdb|\.wal)[^"]*)"')  # DuckDB quotes the file it wrote


class DiskFullError(OSError):
    def __init__(self, target: Path | str) -> None:
        super().__init__(errno.ENOSPC, f"{PHRASE} {target}")
        self.target = str(target)

    def __str__(self) -> str:
        return self.strerror


def is_disk_full(exc: BaseException | str) -> bool:
    if isinstance(exc, OSError) and exc.errno in _ERRNOS:
        return True
    text = str(exc).lower()
    return any(t in text for t in _TEXTS)


def written_file(exc: BaseException | str, default: Path | str) -> Path | str:
    """The file the error (or its text) names, when it names one; else `default`."""
    if isinstance(exc, DiskFullError):
        return exc.target
    if isinstance(exc, OSError) and exc.filename:
        return exc.filename2 or exc.filename  # a copy names its source first, its target second
    found = _QUOTED_PATH.search(str(exc))
    return found.group(1) if found else default


@contextlib.contextmanager
def named_if_disk_full(target: Path | str, always_target: bool = False) -> Iterator[None]:
    """Inside, a full disk is raised as DiskFullError naming the file written (`target` when the
    error does not name one, or always with `always_target`); other errors pass unchanged."""
    try:
        yield
    except DiskFullError:
        raise
    except Exception as exc:
        if is_disk_full(exc):
            raise DiskFullError(target if always_target else written_file(exc, target)) from exc
        raise


def disk_full_line(text: str) -> str | None:
    """The `no space left on device while writing …` line in an error's text, if there is one."""
    found = re.search(rf"{PHRASE} [^\n]+", text)
    return found.group(0) if found else None
