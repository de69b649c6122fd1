"""Write-audit-publish: the published warehouse is replaced only by an audited build, atomically.

Readers (BI tools) keep whatever file they opened: `os.replace` swaps the directory entry in one
step, so a new connection sees either the old warehouse or the new one, never a half-written file,
and a reader holding the old file open never blocks the swap.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import duckdb

from .atomic_write import replaced_on_success
from .disk_full import named_if_disk_full


@dataclass(frozen=True)
class PublishResult:
    published: bool
    warehouse: Path
    reason: str


# What a BI user reads to tell which build they have and how fresh it is; comments as dbt gives the
# marts (English and Chinese), since this table is written here, not by dbt.
BUILD_INFO_COLUMNS = {
    "built_at": ("timestamptz", "When the audited build was published (发布时间)."),
    "run_id": (
        "varchar",
        "Dagster run that built it; its audit results are in data/audit/<run id> (运行标识).",
    ),
    "selfeval_version": ("varchar", "Version of selfeval that built it (selfeval 版本)."),
    "dbt_version": ("varchar", "dbt-core version that ran the models (dbt 版本)."),
    "duckdb_version": ("varchar", "DuckDB version that wrote the file (DuckDB 版本)."),
    "inbox": ("varchar", "Folder the reports were read from (报告目录)."),
    "report_count": ("integer", "Reports in marts.dim_report, superseded versions included (报告数)."),
}


def write_build_info(build_db: Path, run_id: str, inbox: Path) -> None:
    """Record in the build, as `audit.build_info` (one row), when, by what and from what it was built."""
    columns = ", ".join(f"{name} {kind}" for name, (kind, _) in BUILD_INFO_COLUMNS.items())
    row = (
        run_id,
        version("selfeval"),
        version("dbt-core"),
        duckdb.__version__,
        str(inbox),
    )
    with duckdb.connect(str(build_db)) as con:
        con.execute("create schema if not exists audit").fetchall()
        con.execute(f"create or replace table audit.build_info ({columns})").fetchall()
        con.execute(
            "insert into audit.build_info select current_timestamp, ?, ?, ?, ?, ?,"
            " (select count(*) from marts.dim_report)",
            row,
        ).fetchall()
        table_comment = (
            "The build this file holds, one row: when, by which versions, from which inbox (构建信息)."
        )
        con.execute(f"comment on table audit.build_info is {_sql_string(table_comment)}").fetchall()
        for name, (_, comment) in BUILD_INFO_COLUMNS.items():
            con.execute(f"comment on column audit.build_info.{name} is {_sql_string(comment)}").fetchall()


def _sql_string(text: str) -> str:
    """A SQL string literal (COMMENT ON takes no parameters)."""
    return "'" + text.replace("'", "''") + "'"


def finalize_build(build_db: Path) -> None:
    """Fold the write-ahead log into the file so the build is one self-contained file."""
    with named_if_disk_full(build_db), duckdb.connect(str(build_db)) as con:
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
    if build_db.parent.resolve().stat().st_dev == warehouse.parent.resolve().stat().st_dev:
        os.replace(build_db, warehouse)
    else:
        # rename is only atomic within one filesystem: a whole copy beside the target first,
        # removed if it cannot be completed (full disk). Named after the file readers open.
        with named_if_disk_full(warehouse, always_target=True), replaced_on_success(warehouse, tmp=staged):
            _copy_to_disk(build_db, staged)
        build_db.unlink()
    return PublishResult(True, warehouse, "published")


def _copy_to_disk(source: Path, target: Path) -> None:
    """Copy, then flush to the device: some filesystems report a full disk only then."""
    shutil.copyfile(source, target)
    with target.open("rb+") as fh:
        os.fsync(fh.fileno())
