"""Persist extracted reports as Parquet: one folder per report, replaced whole on re-extraction.

Paths go through fsspec (UPath), so the same code writes to a local folder today and object storage
later. Layout: <root>/<sha256>/{report,budget_lines,key_tasks,key_task_projects,indicators}.parquet
for a department-wide report, <root>/<sha256>/{project_reports,project_funding_lines,
project_indicators,department_tables,department_funding_lines,department_key_tasks,
department_indicators}.parquet for a file of tables (project and department-wide) —
keyed by content, so the same file re-extracted overwrites its folder instead of adding a copy — and
<root>/<sha256>/extractor_version=<version>, an empty file naming the extractor that wrote the folder
(is_current: one stat per report, as cheap as the existence check it replaced). The layout's
names and is_current are in extract.lib.store_paths, which needs no Arrow.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from functools import cached_property
from operator import attrgetter
from types import NoneType
from typing import Any, get_args, get_origin, get_type_hints

import pyarrow as pa
import pyarrow.parquet as pq
from upath import UPath

from . import version
from .lib.store_paths import EMPTY_TABLES_DIR, version_file_name
from .lib.text import name_key
from .models import (
    BudgetLine,
    DepartmentIndicator,
    DepartmentTable,
    DepartmentTask,
    FundingLine,
    Indicator,
    KeyTask,
    ProjectFile,
    ProjectIndicator,
    ProjectReport,
    Provenance,
    Report,
    ReportFacts,
    is_matched_by_name,
    value_fields,
)

# Wide enough for any printed amount; the marts narrow it to DECIMAL(18,2).
AMOUNT = pa.decimal128(38, 6)


@dataclass(frozen=True)
class WriteStamps:
    """What the store knows about a file and the PDF does not: when it was extracted and modified."""

    extracted_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    source_modified_at: datetime | None = None


_ARROW_TYPES = {
    Decimal: AMOUNT,
    bool: pa.bool_(),
    int: pa.int32(),
    float: pa.float64(),
    str: pa.string(),
    datetime: pa.timestamp("us", tz="UTC"),
}
# Provenance.bbox's four numbers, in its documented order, each a column of its own.
BBOX_EDGES = ("x0", "top", "x1", "bottom")


def _arrow_type(hint: Any) -> pa.DataType:
    args = [a for a in get_args(hint) if a not in (NoneType, Ellipsis)]
    if get_origin(hint) is tuple:  # tuple[X, ...]
        return pa.list_(_arrow_type(args[0]))
    return _arrow_type(args[0]) if args else _ARROW_TYPES[hint]


_MICRO = Decimal("0.000001")


@dataclass(frozen=True)
class Column:
    name: str
    type: pa.DataType
    value: Callable[[Any], Any]  # the stored value, from the part the column belongs to


def _attribute(name: str, type_: pa.DataType) -> Callable[[Any], Any]:
    """The stored value of a record's field: amounts at the column's scale, tuples as lists."""
    if type_ == AMOUNT:
        return lambda part: None if (v := getattr(part, name)) is None else v.quantize(_MICRO)
    if pa.types.is_list(type_):
        return lambda part: list(getattr(part, name))
    return attrgetter(name)  # a plain value: no per-row call of ours


def _provenance_columns() -> list[Column]:
    hints = get_type_hints(Provenance)
    bbox_type = _arrow_type(get_args(hints["bbox"])[0])
    return [
        Column("page", _arrow_type(hints["page"]), lambda part: part.provenance.page),
        Column("pages", _arrow_type(hints["pages"]), lambda part: list(part.provenance.pages)),
        *(Column(f"bbox_{edge}", bbox_type, _bbox_edge(i)) for i, edge in enumerate(BBOX_EDGES)),
        Column("cell_range", pa.string(), lambda part: part.provenance.cell_range),
    ]


@dataclass(frozen=True)
class ListItem:
    """Each item of a record's tuple field, one row apiece, as one column (KeyTask.projects), and
    the item's name key as `key_column` when SQL matches on it."""

    record_type: type
    field_name: str
    column: str
    key_column: str | None = None

    def columns(self) -> list[Column]:
        hint = get_type_hints(self.record_type)[self.field_name]
        columns = [Column(self.column, _arrow_type(get_args(hint)[0]), lambda item: item)]
        if self.key_column:
            columns.append(Column(self.key_column, pa.string(), _name_key))
        return columns


def _name_key(value: str | None) -> str | None:
    return None if value is None else name_key(value)


def _record_columns(record_type: type, skip: frozenset[str]) -> list[Column]:
    columns = []
    for name, hint in value_fields(record_type).items():
        if name in skip:
            continue
        columns.append(Column(name, _arrow_type(hint), _attribute(name, _arrow_type(hint))))
        if is_matched_by_name(record_type, name):
            columns.append(Column(f"{name}_key", pa.string(), _name_key_of(name)))
    if Provenance in get_type_hints(record_type).values():
        columns += _provenance_columns()
    return columns


# The file's content hash keys every table; the other key columns are positions in printed order.
def _key_type(name: str) -> pa.DataType:
    return pa.string() if name == "sha256" else pa.int32()


Part = type | ListItem


@dataclass(frozen=True)
class ParquetTable:
    """One Parquet file of a report folder: its key columns, then the values of each part in order.

    `rows` yields, per row, the key values and one instance per part; a record's provenance becomes
    page, pages and bbox_* columns; `omit` names values stored nowhere (integrity warnings).
    """

    keys: tuple[str, ...]
    parts: tuple[Part, ...]
    rows: Callable[[Any, WriteStamps], Iterable[tuple[tuple, tuple]]]
    omit: frozenset[str] = frozenset()

    @cached_property
    def part_columns(self) -> list[list[Column]]:
        skip = self.omit | set(self.keys)
        return [p.columns() if isinstance(p, ListItem) else _record_columns(p, skip) for p in self.parts]

    @cached_property
    def schema(self) -> pa.Schema:
        keys = [(k, _key_type(k)) for k in self.keys]
        return pa.schema(keys + [(c.name, c.type) for columns in self.part_columns for c in columns])

    def to_rows(self, extracted: Any, stamps: WriteStamps) -> list[dict]:
        out = []
        for key_values, instances in self.rows(extracted, stamps):
            row = dict(zip(self.keys, key_values, strict=True))
            for columns, instance in zip(self.part_columns, instances, strict=True):
                row.update((c.name, c.value(instance)) for c in columns)
            out.append(row)
        return out


def _each(records_of: Callable[[Any], Iterable[Any]]) -> Callable[[Any, Any], Iterable]:
    """Rows of a department-wide report's table: (sha256, position), record."""
    return lambda report, _: (((report.sha256, i), (rec,)) for i, rec in enumerate(records_of(report)))


def _each_project(records_of: Callable[[ProjectReport], Iterable[Any]]) -> Callable[[Any, Any], Iterable]:
    """Rows of a project file's per-table records: (sha256, table position, position), record."""
    return lambda extracted, _: (
        ((extracted.sha256, t, i), (rec,))
        for t, project in enumerate(extracted.projects)
        for i, rec in enumerate(records_of(project))
    )


def _each_department_table(
    records_of: Callable[[DepartmentTable], Iterable[Any]],
) -> Callable[[Any, Any], Iterable]:
    """Rows of a file's department-wide tables' records: (sha256, table position, position), record."""
    return lambda extracted, _: (
        ((extracted.sha256, t, i), (rec,))
        for t, table in enumerate(extracted.department_tables)
        for i, rec in enumerate(records_of(table))
    )


# What a department-wide report (Report) writes, one Parquet file per entry.
REPORT_TABLES: dict[str, ParquetTable] = {
    "report": ParquetTable(
        ("sha256",),
        (Report, WriteStamps, ReportFacts),
        lambda report, stamps: [((report.sha256,), (report, stamps, report.facts))],
        # The header and which pages were read by OCR; the rows are tables of their own.
        omit=frozenset({"budget_lines", "key_tasks", "indicators", "facts", "integrity_warnings"}),
    ),
    "budget_lines": ParquetTable(("sha256", "line_index"), (BudgetLine,), _each(lambda r: r.budget_lines)),
    "key_tasks": ParquetTable(
        ("sha256", "task_index"),
        (KeyTask,),
        _each(lambda r: r.key_tasks),
        omit=frozenset({"projects"}),  # key_task_projects
    ),
    "key_task_projects": ParquetTable(
        ("sha256", "task_index", "project_position"),
        (ListItem(KeyTask, "projects", "project_name_raw", key_column="project_name_key"),),
        lambda report, _: (
            ((report.sha256, i, k), (name,))
            for i, task in enumerate(report.key_tasks)
            for k, name in enumerate(task.projects)
        ),
    ),
    "indicators": ParquetTable(("sha256", "indicator_index"), (Indicator,), _each(lambda r: r.indicators)),
}
# What a file of project tables (ProjectFile) writes instead: one row per table / funding row / indicator.
PROJECT_FILE_TABLES: dict[str, ParquetTable] = {
    "project_reports": ParquetTable(
        ("sha256", "table_index"),
        (ProjectFile, WriteStamps, ProjectReport),
        lambda extracted, stamps: (
            ((extracted.sha256, t), (extracted, stamps, p)) for t, p in enumerate(extracted.projects)
        ),
        omit=frozenset({"integrity_warnings"}),
    ),
    "project_funding_lines": ParquetTable(
        ("sha256", "table_index", "line_index"), (FundingLine,), _each_project(lambda p: p.funding_lines)
    ),
    "project_indicators": ParquetTable(
        ("sha256", "table_index", "indicator_index"),
        (ProjectIndicator,),
        _each_project(lambda p: p.indicators),
    ),
}
# ...and its department-wide tables (DepartmentTable), table_index counting those tables alone.
DEPARTMENT_TABLE_TABLES: dict[str, ParquetTable] = {
    "department_tables": ParquetTable(
        ("sha256", "table_index"),
        (ProjectFile, WriteStamps, DepartmentTable),
        lambda extracted, stamps: (
            ((extracted.sha256, t), (extracted, stamps, d)) for t, d in enumerate(extracted.department_tables)
        ),
        omit=frozenset({"integrity_warnings"}),
    ),
    "department_funding_lines": ParquetTable(
        ("sha256", "table_index", "line_index"),
        (FundingLine,),
        _each_department_table(lambda d: d.funding_lines),
    ),
    "department_key_tasks": ParquetTable(
        ("sha256", "table_index", "task_index"),
        (DepartmentTask,),
        _each_department_table(lambda d: d.key_tasks),
    ),
    "department_indicators": ParquetTable(
        ("sha256", "table_index", "indicator_index"),
        (DepartmentIndicator,),
        _each_department_table(lambda d: d.indicators),
    ),
}
TABLES = tuple(REPORT_TABLES)
PROJECT_TABLES = tuple(PROJECT_FILE_TABLES)
DEPARTMENT_TABLES = tuple(DEPARTMENT_TABLE_TABLES)


def _bbox_edge(index: int) -> Callable[[Any], Any]:
    return lambda part: part.provenance.bbox[index]


def _name_key_of(name: str) -> Callable[[Any], Any]:
    return lambda part: _name_key(getattr(part, name))


SCHEMAS: dict[str, pa.Schema] = {
    name: t.schema for name, t in (REPORT_TABLES | PROJECT_FILE_TABLES | DEPARTMENT_TABLE_TABLES).items()
}


def file_rows(extracted: Report | ProjectFile, stamps: WriteStamps) -> dict[str, list[dict]]:
    """What one PDF writes, per table: a department-wide report's tables or a project file's."""
    tables = (
        PROJECT_FILE_TABLES | DEPARTMENT_TABLE_TABLES if isinstance(extracted, ProjectFile) else REPORT_TABLES
    )
    return {name: table.to_rows(extracted, stamps) for name, table in tables.items()}


def write_empty_tables(root: str | UPath) -> UPath:
    """Every table's schema as an empty Parquet file under <root>/_schema/empty/: a reader globbing
    <root>/*/*/<table>.parquet then finds each table, with its columns, even when no file of that
    kind (department-wide report or project tables) was extracted. Rewritten whole each time, so the
    files follow the schemas of this extractor version."""
    folder = UPath(root) / EMPTY_TABLES_DIR.as_posix()
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob(".*.tmp"):  # left by a killed build (builds of a data folder take turns)
        stale.unlink()
    for name, schema in SCHEMAS.items():
        staging = folder / f".{name}.{uuid.uuid4().hex}.tmp"
        with staging.open("wb") as fh:
            pq.write_table(schema.empty_table(), fh)
        staging.rename(folder / f"{name}.parquet")
    return folder


def write_report(
    report: Report | ProjectFile,
    root: str | UPath,
    extracted_at: datetime | None = None,
    source_modified_at: datetime | None = None,
) -> UPath:
    """Write the report under <root>/<sha256>/, replacing an earlier extraction of the same file.

    The new folder is written beside the old one and swapped in by rename, so a reader (or a crash)
    never sees a half-written report folder. It records the extractor version that made it.
    """
    root = UPath(root)
    root.mkdir(parents=True, exist_ok=True)
    final = root / report.sha256
    staging = root / f".{report.sha256}.{uuid.uuid4().hex}.tmp"
    staging.mkdir(parents=True)
    try:
        stamps = WriteStamps(extracted_at or datetime.now(UTC), source_modified_at)
        for name, rows in file_rows(report, stamps).items():
            table = pa.Table.from_pylist(rows, schema=SCHEMAS[name])
            with (staging / f"{name}.parquet").open("wb") as fh:
                pq.write_table(table, fh)
        (staging / version_file_name(version.extractor_version())).touch()
    except BaseException:
        _rmtree(staging)  # a full disk leaves no half-written folder behind
        raise
    old = None
    if final.exists():
        old = root / f".{report.sha256}.{uuid.uuid4().hex}.old"
        final.rename(old)
    staging.rename(final)
    if old is not None:
        _rmtree(old)
    return final


def _rmtree(path: UPath) -> None:
    path.fs.rm(path.path, recursive=True)


def read_table(root: str | UPath, name: str) -> pa.Table:
    """All reports' rows of one table (for tests and tools; dbt reads the files itself)."""
    root = UPath(root)
    parts = [pq.read_table(p.open("rb")) for p in sorted(root.glob(f"*/{name}.parquet"))]
    return pa.concat_tables(parts) if parts else SCHEMAS[name].empty_table()
