"""A session fixture's product made once per test run, however many pytest-xdist workers ask for it.

Each xdist worker is its own process with its own session fixtures; an expensive product several
workers read (the corpus warehouse) is made by the first worker that needs it, under a file lock in the
run's shared temporary folder, and read by the others (pytest-xdist's documented recipe). Without
xdist (`-n 0`, worker_id "master") it is simply made in the session's own temporary folder.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from filelock import FileLock


def once_per_run(
    tmp_path_factory: pytest.TempPathFactory, worker_id: str, name: str, make: Callable[[Path], Path]
) -> Path:
    """make(folder) -> the product's path, called once per run; every caller gets the same path."""
    if worker_id == "master":
        return make(tmp_path_factory.mktemp(name))
    shared = tmp_path_factory.getbasetemp().parent  # this run's folder, above every worker's own
    done = shared / f"{name}.done"  # written only once made: a worker whose make failed leaves none
    with FileLock(str(shared / f"{name}.lock")):
        if not done.exists():
            folder = shared / f"{name}.{worker_id}"
            folder.mkdir()
            done.write_text(str(make(folder).relative_to(shared)), encoding="utf-8")
    return shared / done.read_text(encoding="utf-8")
