"""`selfeval build` run in this process, as a user runs it: its exit code and what it printed."""

from __future__ import annotations

import contextlib
import io
import shutil
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, NamedTuple

import pytest


def inbox_of(folder: Path, files: Mapping[str, Path]) -> Path:
    """`folder`/inbox holding a copy of each source file under its given name."""
    inbox = folder / "inbox"
    inbox.mkdir()
    for name, source in files.items():
        shutil.copy(source, inbox / name)
    return inbox


class BuildRun(NamedTuple):
    code: int
    out: str
    err: str


def build_in_process(
    inbox: Path,
    data_dir: Path,
    warehouse: Path,
    env: Mapping[str, str] | None = None,
    patches: Iterable[tuple[Any, str, Any]] = (),
) -> BuildRun:
    """`selfeval build --reports INBOX --warehouse WAREHOUSE` with SELFEVAL_DATA_DIR=DATA_DIR (and
    `env`), each (object, attribute, value) of `patches` set for its duration only."""
    from orchestration.cli import main

    out, err = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SELFEVAL_DATA_DIR", str(data_dir))
        for name, value in (env or {}).items():
            patch.setenv(name, value)
        for target, attribute, value in patches:
            patch.setattr(target, attribute, value)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(["build", "--reports", str(inbox), "--warehouse", str(warehouse)])
    return BuildRun(code, out.getvalue(), err.getvalue())
