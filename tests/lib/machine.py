"""Run a command as on another machine: a fresh server's missing fonts, another locale, and so on."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

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
        cwd=Path(__file__).resolve().parents[2],
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout
