"""Quarantine per report, not per batch: a report whose rows fail a dbt test or an error-severity
audit rule is recorded as rejected (`failed check <name>`, in audit.rejected_files) and every staging
model leaves it out (dbt macro `not_rejected`), so the rebuild publishes all the other reports.

A failing check is traced to the reports whose rows fail it: dbt's generic tests are asked again
row by row on the model they test (not_null, unique, accepted_values, relationships: the model must
carry `report_id`), audit findings name their source file. A failure that cannot be traced, or that
every report of the build shares (then the code is wrong, not a report), quarantines nothing: the
build stays unpublished, as before, and says why.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from . import rejections

# report_id -> names of the checks its rows fail
Failing = dict[str, set[str]]
# Every extracted file, both kinds: a department-wide report (report_id = sha256) and a file of
# project tables (report_id = sha256#table_index, one per table; int_reports__versions).
_FILES = (
    "select sha256, source_file from staging.stg_extracted__reports "
    "union select sha256, source_file from staging.stg_extracted__project_reports "
    "union select sha256, source_file from staging.stg_extracted__department_tables"
)


def _sha256(report_id: str) -> str:
    return report_id.split("#", 1)[0]


def _test_name(node: dict) -> str:
    return node["name"].rstrip("_")  # dbt pads names of tests whose arguments are not identifiers


def _relation(node: dict) -> str:
    return f'"{node["schema"]}"."{node["alias"]}"'


def _failing_rows_sql(test: dict, nodes: dict) -> tuple[str, list] | None:
    """SQL selecting the report_id of every row the generic test rejects, or None if not traceable."""
    meta = test.get("test_metadata") or {}
    kwargs = meta.get("kwargs") or {}
    model = nodes.get(test.get("attached_node") or "")
    column = kwargs.get("column_name") or test.get("column_name")
    if model is None or not column:
        return None
    relation, col = _relation(model), f'"{column}"'
    kind = meta.get("name")
    if kind == "not_null":
        return f"select report_id from {relation} where {col} is null", []
    if kind == "unique":
        duplicated = f"select {col} from {relation} group by {col} having count(*) > 1"
        return f"select report_id from {relation} where {col} in ({duplicated})", []
    if kind == "accepted_values":
        values = [str(v) for v in kwargs.get("values", [])]
        return (
            f"select report_id from {relation} where {col} is not null "
            f"and cast({col} as varchar) not in (select unnest(?::varchar[]))",
            [values],
        )
    if kind == "relationships":
        parents = [n for n in test["depends_on"]["nodes"] if n != test["attached_node"]]
        if len(parents) != 1 or parents[0] not in nodes:
            return None
        field = f'"{kwargs["field"]}"'
        parent = _relation(nodes[parents[0]])
        return (
            f"select report_id from {relation} where {col} is not null "
            f"and {col} not in (select {field} from {parent} where {field} is not null)",
            [],
        )
    return None


def reports_failing_tests(build_db: Path, manifest: dict, test_ids: list[str]) -> Failing | None:
    """The reports whose rows fail the given dbt tests, or None if one of them cannot be traced."""
    nodes = manifest["nodes"]
    failing: Failing = {}
    with duckdb.connect(str(build_db), read_only=True) as con:
        for test_id in test_ids:
            test = nodes.get(test_id)
            query = _failing_rows_sql(test, nodes) if test else None
            if query is None:
                return None
            try:
                rows = con.execute(*query).fetchall()
            except duckdb.Error:  # the model has no report_id, or was never built
                return None
            if not rows:
                return None
            for (report_id,) in rows:
                failing.setdefault(report_id, set()).add(_test_name(test))
    return failing


def reports_failing_audit(build_db: Path, rules: list[str]) -> Failing | None:
    """The files (by sha256) with findings of the given (error-severity) audit rules, or None if a
    finding names no report."""
    with duckdb.connect(str(build_db), read_only=True) as con:
        rows = con.execute(
            "select f.rule, r.sha256 from audit.findings as f "
            f"left join ({_FILES}) as r on f.source_file = r.source_file "
            "where f.rule in (select unnest(?::varchar[]))",
            [rules],
        ).fetchall()
    if not rows or any(report_id is None for _, report_id in rows):
        return None
    failing: Failing = {}
    for rule, report_id in rows:
        failing.setdefault(report_id, set()).add(rule)
    return failing


def quarantine(rejected_dir: Path, build_db: Path, failing: Failing | None) -> list[str]:
    """Record each failing report as rejected; the source files quarantined (none if untraceable)."""
    if not failing:
        return []
    with duckdb.connect(str(build_db), read_only=True) as con:
        files = dict(con.execute(_FILES).fetchall())
    by_file: Failing = {}
    for report_id, checks in failing.items():
        by_file.setdefault(_sha256(report_id), set()).update(checks)
    if set(by_file) >= set(files):  # every report fails: a fault of the build, not of a report
        return []
    out = []
    for sha256, checks in sorted(by_file.items()):
        source_file = files[sha256]
        why = f"failed check {', '.join(sorted(checks))}"
        rejections.record(rejected_dir, Path(source_file), sha256, why)
        out.append(source_file)
    return out
