"""Read-only connections to the published warehouse, for processes that stay up (notebooks, apps).

A build replaces the warehouse by renaming a new file over it. DuckDB keeps one database instance
per path and process: while any connection of a process is open on the old file, every new
`duckdb.connect(same path)` in that process gets the old file again. These connections avoid that:
each opens the file in an in-memory database of its own (ATTACH), so it reads the file the path
names now, whatever else the process holds open.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

# The name the warehouse has inside a connection; `use` makes `marts.fct_spend` resolve to it.
CATALOG = "warehouse"


def connect_read_only(path: str | Path) -> duckdb.DuckDBPyConnection:
    """The warehouse as the path names it now: read-only, and SQL cannot touch any other file."""
    con = duckdb.connect(":memory:")
    try:
        literal = "'" + str(path).replace("'", "''") + "'"  # ATTACH takes no parameters
        con.execute(f"attach {literal} as {CATALOG} (read_only)").fetchall()
        con.execute(f"use {CATALOG}").fetchall()
        # Last: it also forbids ATTACH, and once off it cannot be turned back on by SQL.
        con.execute("set enable_external_access = false").fetchall()
    except BaseException:
        con.close()
        raise
    return con


class WarehouseReader:
    """One connection to the warehouse, reopened when a build has replaced the file.

    `connection()` checks the file's identity (device, inode, modification time, size) on each
    call, a `stat`; after a publish it closes the old connection and opens the new file.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._con: duckdb.DuckDBPyConnection | None = None
        self._identity: tuple[int, int, int, int] | None = None

    def connection(self) -> duckdb.DuckDBPyConnection:
        identity = _identity(self.path)
        if self._con is None or identity != self._identity:
            self.close()
            self._con = connect_read_only(self.path)
            self._identity = identity
        return self._con

    def close(self) -> None:
        if self._con is not None:
            self._con.close()
            self._con = None

    def __enter__(self) -> WarehouseReader:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _identity(path: Path) -> tuple[int, int, int, int]:
    st = os.stat(path)
    return st.st_dev, st.st_ino, st.st_mtime_ns, st.st_size
