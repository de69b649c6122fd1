"""Run the `selfeval` command in a subprocess under a given environment or wrapper command.

For tests that compare records across machines' settings: locale, time zone, worker count, the
filesystem of the data, hidden fonts (a wrapper such as `unshare -m ...` that hides font folders).
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

from tests.truth import PDF_DIR

SELFEVAL = Path(sys.executable).with_name("selfeval")
# Present on every Linux system, and a tmpfs on the common distributions (checked where used).
SHARED_MEMORY_DIR = Path("/dev/shm")


def fixture_pdfs() -> list[Path]:
    return sorted(PDF_DIR.glob("*.pdf"))


def extract_fixtures(
    env: Mapping[str, str] | None = None,
    wrapper: Sequence[str] = (),
    pdfs: Sequence[Path] | None = None,
    timeout_seconds: float = 900,
) -> dict[str, dict]:
    """`selfeval extract` over the fixture PDFs (or `pdfs`) in a subprocess: its JSON by file name.

    `env` is added to this process's environment; `wrapper` is put before the command (e.g.
    `["bare"]` or `["unshare", "-m", ...]`). Fails with the command's stderr if it exits
    non-zero.
    """
    files = [str(p) for p in (pdfs if pdfs is not None else fixture_pdfs())]
    result = subprocess.run(
        [*wrapper, str(SELFEVAL), "extract", *files],
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=timeout_seconds,
    )
    assert result.returncode == 0, f"selfeval extract exited {result.returncode}:\n{result.stderr[-4000:]}"
    docs = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    return {doc["source_file"]: doc for doc in docs}


def filesystem_type(path: Path) -> str:
    """The type of the filesystem `path` is on (its longest mount point in /proc/self/mounts)."""
    resolved, best, fs_type = path.resolve(), "", ""
    with open("/proc/self/mounts", encoding="utf-8") as fh:
        for line in fh:
            _, mount_point, kind, *_ = line.split()
            mount_point = mount_point.replace("\\040", " ")
            inside = resolved == Path(mount_point) or Path(mount_point) in resolved.parents
            if inside and len(mount_point) >= len(best):
                best, fs_type = mount_point, kind
    return fs_type


@contextlib.contextmanager
def tmpfs_dir() -> Iterator[Path]:
    """A temporary folder on a tmpfs (another filesystem than the checkout's), removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="selfeval-", dir=SHARED_MEMORY_DIR) as name:
        path = Path(name)
        assert filesystem_type(path) == "tmpfs", f"{SHARED_MEMORY_DIR} is not a tmpfs here"
        yield path
