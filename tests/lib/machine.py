"""Run a command as on another machine: a fresh server's missing fonts, another locale, and so on."""

from __future__ import annotations

import contextlib
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
# On every Linux system, and a tmpfs on the common distributions (checked where used).
SHARED_MEMORY_DIR = Path("/dev/shm")
# Where fontconfig and PDFium look for system fonts on Linux.
FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", "/usr/share/X11/fonts")


def can_hide_fonts() -> bool:
    """Hiding font directories needs a private mount namespace: root and `unshare`, as in CI."""
    return os.geteuid() == 0 and shutil.which("unshare") is not None


def without_fonts(cmd: list[str]) -> list[str]:
    """`cmd` with every system font directory hidden (an empty folder mounted over each)."""
    dirs = " ".join(shlex.quote(d) for d in FONT_DIRS)
    script = (
        f'empty=$(mktemp -d); for d in {dirs}; do [ -d "$d" ] && mount --bind "$empty" "$d"; done; exec "$@"'
    )
    return ["unshare", "-m", "sh", "-c", script, "sh", *cmd]


def with_machine_fonts(cmd: list[str]) -> list[str]:
    """`cmd` with the machine's fonts, also where this process runs with them hidden (`.ci/run` keeps
    them reachable at SELFEVAL_TEST_MACHINE_FONTS); elsewhere `cmd` itself."""
    kept = os.environ.get("SELFEVAL_TEST_MACHINE_FONTS")
    if not kept:
        return cmd
    script = f'mount --bind {shlex.quote(kept)} {FONT_DIRS[0]} && exec "$@"'
    return ["unshare", "-m", "sh", "-c", script, "sh", *cmd]


def selfeval_extract(pdfs: list[Path], wrapper=None, env: dict[str, str] | None = None) -> str:
    """`selfeval extract` over `pdfs` in a new process (optionally wrapped), its standard output."""
    cmd = [sys.executable, "-m", "orchestration.cli", "extract", *map(str, pdfs)]
    if wrapper is not None:
        cmd = wrapper(cmd)
    result = subprocess.run(
        cmd,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=600,
        cwd=REPO_ROOT,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


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
    if not SHARED_MEMORY_DIR.is_dir() or filesystem_type(SHARED_MEMORY_DIR) != "tmpfs":
        pytest.skip(f"{SHARED_MEMORY_DIR} is not a tmpfs here")
    with tempfile.TemporaryDirectory(prefix="selfeval-", dir=SHARED_MEMORY_DIR) as name:
        yield Path(name)
