"""Extract one fiscal year's reports to Parquet, reusing what is done: same content, same extractor.

Layout: <extracted>/fiscal_year=<YYYY>/<sha256>/*.parquet. A year's folder belongs to that year's
partition run alone, which also removes reports no longer in the inbox, so re-runs replace output
instead of duplicating it. A report extracted by another extractor version (extract.version) is
extracted again, its folder swapped whole for the new one.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from extract import ReportError
from extract.guarded import read_reports
from extract.store import is_current, write_report

from . import rejections
from .disk_full import named_if_disk_full
from .inbox import InboxFile


@dataclass
class YearResult:
    fiscal_year: int
    loaded: list[str] = field(default_factory=list)  # source files extracted now
    cached: list[str] = field(default_factory=list)  # unchanged content, extracted by this version
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (source file, reason)
    removed: list[str] = field(default_factory=list)  # report folders no longer in the inbox
    pages: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def _mtime(path: Path) -> datetime:
    return datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)


def year_dir(extracted_dir: Path, year: int) -> Path:
    return extracted_dir / f"fiscal_year={year}"


def extract_year(
    files: tuple[InboxFile, ...],
    year: int,
    extracted_dir: Path,
    rejected_dir: Path,
    progress: Callable[[InboxFile, str], None] | None = None,
) -> YearResult:
    start = time.perf_counter()
    result = YearResult(year)
    out = year_dir(extracted_dir, year)
    out.mkdir(parents=True, exist_ok=True)
    keep: set[str] = set()
    todo: dict[Path, InboxFile] = {}
    for f in files:
        if is_current(out, f.sha256):
            keep.add(f.sha256)
            result.cached.append(f.path.name)
            if progress:
                progress(f, "cached")
        else:
            todo[f.path] = f
    # Parallel, each file under its time and memory limits (extract.guarded); results stream to
    # Parquet as they come, so memory does not grow with the batch.
    for path, value in read_reports(todo):
        f = todo[path]
        if isinstance(value, ReportError):
            rejections.record(rejected_dir, f.path, f.sha256, str(value))
            result.rejected.append((f.path.name, str(value)))
            status = f"rejected: {value}"
        else:
            with named_if_disk_full(out / f.sha256):
                write_report(value, out, source_modified_at=_mtime(f.path))
            rejections.clear(rejected_dir, f.sha256)
            keep.add(f.sha256)
            result.loaded.append(f.path.name)
            result.pages += value.page_count
            for table in ("budget_lines", "key_tasks", "indicators"):
                result.rows[table] = result.rows.get(table, 0) + len(getattr(value, table))
            status = "extracted"
            if value.integrity_warnings:  # loaded (records checked), but the file needed repair: say so
                status += f" (repaired: {'; '.join(value.integrity_warnings)})"
        if progress:
            progress(f, status)
    for folder in out.iterdir():
        if folder.is_dir() and folder.name not in keep:
            shutil.rmtree(folder)
            if not folder.name.startswith("."):
                result.removed.append(folder.name)
    result.seconds = time.perf_counter() - start
    return result
