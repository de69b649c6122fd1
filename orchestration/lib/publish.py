"""Write-audit-publish: the published warehouse is replaced only by an audited build, atomically.

Readers (BI tools) keep whatever file they opened: `os.replace` swaps the directory entry in one
step, so a new connection sees either the old warehouse or the new one, never a half-written file,
and a reader holding the old file open never blocks the swap.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import duckdb


class PublishRefusedError(RuntimeError):
    """The build failed a blocking (error-severity) audit rule; the published warehouse is untouched."""


@dataclass(frozen=True)
class PublishResult:
    published: bool
    warehouse: Path
    reason: str


def finalize_build(build_db: Path) -> None:
    """Fold the write-ahead log into the file so the build is one self-contained file."""
    with duckdb.connect(str(build_db)) as con:
        con.execute("checkpoint").fetchall()
    wal = build_db.with_name(build_db.name + ".wal")
    if wal.exists():
        raise RuntimeError(f"{build_db}: write-ahead log still present after checkpoint")


def publish(build_db: str | Path, warehouse: str | Path, blocking: tuple = ()) -> PublishResult:
    """Atomically move the audited build over the warehouse path, unless a blocking rule failed."""
    build_db, warehouse = Path(build_db), Path(warehouse)
    if blocking:
        names = ", ".join(getattr(r, "rule", str(r)) for r in blocking)
        return PublishResult(False, warehouse, f"not published: blocking audit rules failed: {names}")
    finalize_build(build_db)
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    staged = warehouse.with_name(f".{warehouse.name}.incoming")
    staged.unlink(missing_ok=True)  # left by a build killed mid-copy
    if build_db.parent.resolve().stat().st_dev != warehouse.parent.resolve().stat().st_dev:
        # rename is only atomic within one filesystem: stage a copy beside the target first.
        staged.write_bytes(build_db.read_bytes())
        build_db.unlink()
        build_db = staged
    os.replace(build_db, warehouse)
    return PublishResult(True, warehouse, "published")
