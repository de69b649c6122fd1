"""Rejected files, one small Parquet file each, read by dbt into audit.rejected_files.

An empty file with the schema is always present, so the dbt source never globs nothing.
"""

from __future__ import annotations

import hashlib
import os
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from extract.lib.text import file_name

from .atomic_write import replaced_on_success
from .disk_full import named_if_disk_full

_EMPTY = "_schema.parquet"
# Written and read with DuckDB, which every build process has: Arrow (and the pandas it pulls in,
# ≈ 90 MB) stays out of processes that only build or audit the warehouse.
_COLUMNS = "source_file varchar, sha256 varchar, reason varchar, seen_at timestamptz"


def _write(rows: list[tuple], out: Path) -> None:
    with duckdb.connect() as con:
        con.execute(f"create table rejected ({_COLUMNS})").fetchall()
        if rows:
            con.executemany("insert into rejected values (?, ?, ?, ?)", rows)
        target = str(out).replace("'", "''")
        con.execute(f"copy rejected to '{target}' (format parquet)").fetchall()


def ensure(rejected_dir: Path) -> None:
    rejected_dir.mkdir(parents=True, exist_ok=True)
    for stale in rejected_dir.glob(".*.tmp"):  # left by a killed build
        stale.unlink(missing_ok=True)
    empty = rejected_dir / _EMPTY
    if not empty.exists():
        with named_if_disk_full(empty), replaced_on_success(empty) as tmp:
            _write([], tmp)


def _key(path: Path, sha256: str | None) -> str:
    """A rejection is kept under the file's content hash; a file never read (a link out of the
    inbox) under a hash of its path instead."""
    if sha256 is not None:
        return sha256
    return "unread-" + hashlib.sha256(os.fsencode(path)).hexdigest()


def record(rejected_dir: Path, path: Path, sha256: str | None, reason: str) -> None:
    ensure(rejected_dir)
    target = rejected_dir / f"{_key(path, sha256)}.parquet"
    with named_if_disk_full(target), replaced_on_success(target) as tmp:
        _write([(file_name(path), sha256, reason, datetime.now(UTC))], tmp)


def clear(rejected_dir: Path, sha256: str) -> None:
    (rejected_dir / f"{sha256}.parquet").unlink(missing_ok=True)


def keep_only(rejected_dir: Path, sha256s: set[str]) -> None:
    """Forget rejections of files no longer in the inbox."""
    ensure(rejected_dir)
    for p in rejected_dir.glob("*.parquet"):
        if p.name != _EMPTY and p.stem not in sha256s:
            p.unlink()


def sync_with_inbox(rejected_dir: Path, inbox) -> None:
    """Rejections mirror the inbox: files gone from it are forgotten, files without a readable
    header (no fiscal year, so no partition run would see them) are recorded."""
    keep_only(rejected_dir, {_key(f.path, f.sha256) for f in inbox.files})
    for f in inbox.rejected:
        record(rejected_dir, f.path, f.sha256, f.error or "rejected")


def read_all(rejected_dir: Path) -> list[dict]:
    """Every recorded rejection, oldest file name first."""
    ensure(rejected_dir)
    rows = []
    with duckdb.connect() as con:
        for p in sorted(rejected_dir.glob("*.parquet")):
            cur = con.execute("select * from read_parquet(?)", [str(p)])
            names = [d[0] for d in cur.description]
            rows.extend(dict(zip(names, r, strict=True)) for r in cur.fetchall())
    return rows
