"""Persist extracted reports as Parquet: one folder per report, replaced whole on re-extraction.

Paths go through fsspec (UPath), so the same code writes to a local folder today and object storage
later. Layout: <root>/<sha256>/{report,budget_lines,key_tasks,key_task_projects,indicators}.parquet
for a department-wide report, <root>/<sha256>/{project_reports,project_funding_lines,
project_indicators}.parquet for a file of project tables —
keyed by content, so the same file re-extracted overwrites its folder instead of adding a copy — and
<root>/<sha256>/extractor_version=<version>, an empty file naming the extractor that wrote the folder
(is_current: one stat per report, as cheap as the existence check it replaced).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from upath import UPath

from . import version
from .models import ProjectFile, Provenance, Report

# Wide enough for any printed amount; the marts narrow it to DECIMAL(18,2).
AMOUNT = pa.decimal128(38, 6)
TABLES = ("report", "budget_lines", "key_tasks", "key_task_projects", "indicators")
# A project-form file (ProjectFile) writes these instead: one row per table / funding row / indicator.
PROJECT_TABLES = ("project_reports", "project_funding_lines", "project_indicators")
VERSION_FILE_PREFIX = "extractor_version="


def version_file_name(extractor_version: str) -> str:
    return f"{VERSION_FILE_PREFIX}{extractor_version}"


_PROVENANCE = [
    ("page", pa.int32()),
    ("pages", pa.list_(pa.int32())),
    ("bbox_x0", pa.float64()),
    ("bbox_top", pa.float64()),
    ("bbox_x1", pa.float64()),
    ("bbox_bottom", pa.float64()),
]

SCHEMAS: dict[str, pa.Schema] = {
    "report": pa.schema(
        [
            ("sha256", pa.string()),
            ("source_file", pa.string()),
            ("title", pa.string()),
            ("department", pa.string()),
            ("fiscal_year", pa.int32()),
            ("city", pa.string()),
            ("page_count", pa.int32()),
            ("extracted_at", pa.timestamp("us", tz="UTC")),
            ("source_modified_at", pa.timestamp("us", tz="UTC")),
            ("completion_rate_pct", AMOUNT),
            ("budget_timeliness_rate_pct", AMOUNT),
            ("indicator_total", pa.int32()),
            ("indicator_met", pa.int32()),
            ("indicator_met_share_pct", AMOUNT),
            ("benefit_indicator_count", pa.int32()),
            ("satisfaction_indicator_count", pa.int32()),
        ]
    ),
    "budget_lines": pa.schema(
        [
            ("sha256", pa.string()),
            ("line_index", pa.int32()),
            ("line_name", pa.string()),
            ("line_type", pa.string()),
            ("initial_budget", AMOUNT),
            ("adjustment", AMOUNT),
            ("adjusted_budget", AMOUNT),
            ("actual_spend", AMOUNT),
            ("execution_rate_pct", AMOUNT),
            *_PROVENANCE,
        ]
    ),
    "key_tasks": pa.schema(
        [
            ("sha256", pa.string()),
            ("task_index", pa.int32()),
            ("duty", pa.string()),
            ("task", pa.string()),
            ("status", pa.string()),
            *_PROVENANCE,
        ]
    ),
    "key_task_projects": pa.schema(
        [
            ("sha256", pa.string()),
            ("task_index", pa.int32()),
            ("project_position", pa.int32()),
            ("project_name_raw", pa.string()),
        ]
    ),
    "indicators": pa.schema(
        [
            ("sha256", pa.string()),
            ("indicator_index", pa.int32()),
            ("level1", pa.string()),
            ("category", pa.string()),
            ("indicator_name", pa.string()),
            ("target_raw", pa.string()),
            ("actual_raw", pa.string()),
            ("value_source", pa.string()),
            ("deviation_raw", pa.string()),
            ("reason", pa.string()),
            *_PROVENANCE,
        ]
    ),
    "project_reports": pa.schema(
        [
            ("sha256", pa.string()),
            ("table_index", pa.int32()),
            ("source_file", pa.string()),
            ("page_count", pa.int32()),
            ("extracted_at", pa.timestamp("us", tz="UTC")),
            ("source_modified_at", pa.timestamp("us", tz="UTC")),
            ("form", pa.string()),
            ("fiscal_year", pa.int32()),
            ("department", pa.string()),
            ("department_code", pa.string()),
            ("implementing_unit", pa.string()),
            ("implementing_unit_code", pa.string()),
            ("project_name", pa.string()),
            ("project_code", pa.string()),
            ("goal_expected", pa.string()),
            ("goal_achieved", pa.string()),
            ("total_weight", AMOUNT),
            ("total_score", AMOUNT),
            ("conclusion", pa.string()),
            ("problems", pa.string()),
            ("improvements", pa.string()),
            *_PROVENANCE,
        ]
    ),
    "project_funding_lines": pa.schema(
        [
            ("sha256", pa.string()),
            ("table_index", pa.int32()),
            ("line_index", pa.int32()),
            ("line_name", pa.string()),
            ("funding_source", pa.string()),
            ("initial_budget", AMOUNT),
            ("adjusted_budget", AMOUNT),
            ("actual_spend", AMOUNT),
            ("execution_rate_pct", AMOUNT),
            ("weight", AMOUNT),
            ("score", AMOUNT),
            ("reason", pa.string()),
            *_PROVENANCE,
        ]
    ),
    "project_indicators": pa.schema(
        [
            ("sha256", pa.string()),
            ("table_index", pa.int32()),
            ("indicator_index", pa.int32()),
            ("level1", pa.string()),
            ("level2", pa.string()),
            ("indicator_name", pa.string()),
            ("operator", pa.string()),
            ("target_raw", pa.string()),
            ("unit", pa.string()),
            ("actual_raw", pa.string()),
            ("weight", AMOUNT),
            ("score", AMOUNT),
            ("reason", pa.string()),
            *_PROVENANCE,
        ]
    ),
}


def _prov(p: Provenance) -> dict:
    x0, top, x1, bottom = p.bbox
    return {
        "page": p.page,
        "pages": list(p.pages),
        "bbox_x0": x0,
        "bbox_top": top,
        "bbox_x1": x1,
        "bbox_bottom": bottom,
    }


def _dec(v: Decimal | None) -> Decimal | None:
    return None if v is None else v.quantize(Decimal("0.000001"))


def report_rows(
    report: Report, extracted_at: datetime | None = None, source_modified_at: datetime | None = None
) -> dict[str, list[dict]]:
    """The report as plain rows per table (what goes into Parquet)."""
    sha = report.sha256
    facts = report.facts
    rows: dict[str, list[dict]] = {
        "report": [
            {
                "sha256": sha,
                "source_file": report.source_file,
                "title": report.title,
                "department": report.department,
                "fiscal_year": report.fiscal_year,
                "city": report.city,
                "page_count": report.page_count,
                "extracted_at": extracted_at or datetime.now(UTC),
                "source_modified_at": source_modified_at,
                "completion_rate_pct": _dec(facts.completion_rate_pct),
                "budget_timeliness_rate_pct": _dec(facts.budget_timeliness_rate_pct),
                "indicator_total": facts.indicator_total,
                "indicator_met": facts.indicator_met,
                "indicator_met_share_pct": _dec(facts.indicator_met_share_pct),
                "benefit_indicator_count": facts.benefit_indicator_count,
                "satisfaction_indicator_count": facts.satisfaction_indicator_count,
            }
        ],
        "budget_lines": [
            {
                "sha256": sha,
                "line_index": i,
                "line_name": b.line_name,
                "line_type": b.line_type,
                "initial_budget": _dec(b.initial_budget),
                "adjustment": _dec(b.adjustment),
                "adjusted_budget": _dec(b.adjusted_budget),
                "actual_spend": _dec(b.actual_spend),
                "execution_rate_pct": _dec(b.execution_rate_pct),
                **_prov(b.provenance),
            }
            for i, b in enumerate(report.budget_lines)
        ],
        "key_tasks": [
            {
                "sha256": sha,
                "task_index": i,
                "duty": t.duty,
                "task": t.task,
                "status": t.status,
                **_prov(t.provenance),
            }
            for i, t in enumerate(report.key_tasks)
        ],
        "key_task_projects": [
            {"sha256": sha, "task_index": i, "project_position": k, "project_name_raw": name}
            for i, t in enumerate(report.key_tasks)
            for k, name in enumerate(t.projects)
        ],
        "indicators": [
            {
                "sha256": sha,
                "indicator_index": i,
                "level1": x.level1,
                "category": x.category,
                "indicator_name": x.indicator_name,
                "target_raw": x.target_raw,
                "actual_raw": x.actual_raw,
                "value_source": x.value_source,
                "deviation_raw": x.deviation_raw,
                "reason": x.reason,
                **_prov(x.provenance),
            }
            for i, x in enumerate(report.indicators)
        ],
    }
    return rows


def project_file_rows(
    extracted: ProjectFile, extracted_at: datetime | None = None, source_modified_at: datetime | None = None
) -> dict[str, list[dict]]:
    """A project-form file as plain rows per table: `table_index` numbers its tables in printed order."""
    sha = extracted.sha256
    at = extracted_at or datetime.now(UTC)
    return {
        "project_reports": [
            {
                "sha256": sha,
                "table_index": t,
                "source_file": extracted.source_file,
                "page_count": extracted.page_count,
                "extracted_at": at,
                "source_modified_at": source_modified_at,
                "form": p.form,
                "fiscal_year": p.fiscal_year,
                "department": p.department,
                "department_code": p.department_code,
                "implementing_unit": p.implementing_unit,
                "implementing_unit_code": p.implementing_unit_code,
                "project_name": p.project_name,
                "project_code": p.project_code,
                "goal_expected": p.goal_expected,
                "goal_achieved": p.goal_achieved,
                "total_weight": _dec(p.total_weight),
                "total_score": _dec(p.total_score),
                "conclusion": p.conclusion,
                "problems": p.problems,
                "improvements": p.improvements,
                **_prov(p.provenance),
            }
            for t, p in enumerate(extracted.projects)
        ],
        "project_funding_lines": [
            {
                "sha256": sha,
                "table_index": t,
                "line_index": i,
                "line_name": f.line_name,
                "funding_source": f.funding_source,
                "initial_budget": _dec(f.initial_budget),
                "adjusted_budget": _dec(f.adjusted_budget),
                "actual_spend": _dec(f.actual_spend),
                "execution_rate_pct": _dec(f.execution_rate_pct),
                "weight": _dec(f.weight),
                "score": _dec(f.score),
                "reason": f.reason,
                **_prov(f.provenance),
            }
            for t, p in enumerate(extracted.projects)
            for i, f in enumerate(p.funding_lines)
        ],
        "project_indicators": [
            {
                "sha256": sha,
                "table_index": t,
                "indicator_index": i,
                "level1": x.level1,
                "level2": x.level2,
                "indicator_name": x.indicator_name,
                "operator": x.operator,
                "target_raw": x.target_raw,
                "unit": x.unit,
                "actual_raw": x.actual_raw,
                "weight": _dec(x.weight),
                "score": _dec(x.score),
                "reason": x.reason,
                **_prov(x.provenance),
            }
            for t, p in enumerate(extracted.projects)
            for i, x in enumerate(p.indicators)
        ],
    }


def file_rows(
    extracted: Report | ProjectFile,
    extracted_at: datetime | None = None,
    source_modified_at: datetime | None = None,
) -> dict[str, list[dict]]:
    """What one PDF writes, per table: a department-wide report's tables or a project file's."""
    if isinstance(extracted, ProjectFile):
        return project_file_rows(extracted, extracted_at, source_modified_at)
    return report_rows(extracted, extracted_at, source_modified_at)


# Where write_empty_tables puts its files, relative to the folder of report folders: two levels
# down, like <fiscal_year=YYYY>/<sha256>/, so a reader's `<root>/*/*/<table>.parquet` glob finds them.
EMPTY_TABLES_DIR = Path("_schema") / "empty"


def write_empty_tables(root: str | UPath) -> UPath:
    """Every table's schema as an empty Parquet file under <root>/_schema/empty/: a reader globbing
    <root>/*/*/<table>.parquet then finds each table, with its columns, even when no file of that
    kind (department-wide report or project tables) was extracted. Rewritten whole each time, so the
    files follow the schemas of this extractor version."""
    folder = UPath(root) / EMPTY_TABLES_DIR.as_posix()
    folder.mkdir(parents=True, exist_ok=True)
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
        for name, rows in file_rows(report, extracted_at, source_modified_at).items():
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


def is_current(root: str | UPath | Path, sha256: str) -> bool:
    """The report's folder exists and was written by this extractor version (else: extract again).

    False too for folders written before versions were recorded."""
    # A local Path is used as given: wrapping it in UPath costs ~20× a stat, per report per rebuild.
    root = UPath(root) if isinstance(root, str) else root
    return (root / sha256 / version_file_name(version.extractor_version())).exists()


def remove_report(root: str | UPath, sha256: str) -> None:
    path = UPath(root) / sha256
    if path.exists():
        _rmtree(path)


def _rmtree(path: UPath) -> None:
    path.fs.rm(path.path, recursive=True)


def read_table(root: str | UPath, name: str) -> pa.Table:
    """All reports' rows of one table (for tests and tools; dbt reads the files itself)."""
    root = UPath(root)
    parts = [pq.read_table(p.open("rb")) for p in sorted(root.glob(f"*/{name}.parquet"))]
    return pa.concat_tables(parts) if parts else SCHEMAS[name].empty_table()
