"""The rows each audit rule checks, read from a build with DuckDB: no Great Expectations needed.

A build's audit reads them before it imports GX (orchestration/build/audit_child.py): the queries'
buffers, ≈ 20–30 MB at their largest, come and go while its process is small, not on top of GX's
import, and its process is the build's peak memory (docs/performance.md).
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from .rule_files import FINDING_CONTEXT, Rule, RuleFileError


def read_rule_rows(build_db: str | Path, rules: tuple[Rule, ...]) -> list[pd.DataFrame]:
    """Each rule's rows, in the rules' order. The build file is closed again before they are
    validated: a DuckDB connection holds ≈ 30 MB (its catalog and the query buffers)."""
    with duckdb.connect(str(build_db)) as con:
        return [_rule_frame(con, rule) for rule in rules]


def _rule_frame(con: duckdb.DuckDBPyConnection, rule: Rule) -> pd.DataFrame:
    try:
        frame = con.sql(rule.sql).df()
    except (duckdb.ParserException, duckdb.BinderException) as exc:
        raise RuleFileError(rule.path, str(exc).splitlines()[0]) from None
    missing = [column for column in FINDING_CONTEXT if column not in frame.columns]
    if missing:
        raise RuleFileError(rule.path, f"the query returns no column {', '.join(missing)}")
    return frame
