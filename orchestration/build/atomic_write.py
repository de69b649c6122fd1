"""Write a file whole or not at all: a temporary file beside the target, renamed over it on success
and removed on failure, so a full disk or a crash never leaves half a file where a reader looks."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def replaced_on_success(target: Path, tmp: Path | None = None) -> Iterator[Path]:
    """Yield a temporary path beside `target` (same folder, so the rename is atomic) to write;
    `tmp` names it when a later run must find and remove what a killed one left."""
    tmp = tmp or target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        yield tmp
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise
