"""Extract one fiscal year's reports to Parquet, reusing what is done: same content, same extractor.

Two folders, so that one inbox's build never throws away another's extractions:
- the cache, <cache>/<sha256>/*.parquet: every report ever extracted, keyed by content and shared
  by every inbox built over the same data folder; builds only add to it (`selfeval prune` empties
  what the last build did not use);
- the selection, <extracted>/fiscal_year=<YYYY>/<sha256>/*.parquet: hard links to the cache entries
  of the reports in the inbox now, what dbt reads. A year's folder belongs to that year's partition
  run alone, which also removes reports no longer in the inbox, so re-runs replace output instead
  of duplicating it.
A cache entry written by another extractor version (extract.version) does not count: the report is
extracted again, its entry swapped whole for the new one, and selected again.

A PDF whose every table one of the year's spreadsheets or Word files also holds (same form, fiscal
year, department and project, by name key) is not selected: the department published the table in
both, and the spreadsheet is exact where the PDF is read from its print (docs/spreadsheets.md).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from extract import ProjectFile, Report, ReportError, errors
from extract.guarded import read_reports
from extract.lib.file_kinds import is_table_file
from extract.lib.store_paths import EMPTY_TABLES_DIR, is_current
from extract.lib.text import file_name, name_key
from orchestration.settings import FileLimits

from . import rejections
from .disk_full import DiskFullError, named_if_disk_full
from .inbox import InboxFile

_log = logging.getLogger(__name__)

ROW_TABLES = ("budget_lines", "key_tasks", "indicators")
# A file of project tables counts its tables and their rows (one cache entry, one sha256 folder).
PROJECT_ROW_TABLES = ("project_reports", "project_funding_lines", "project_indicators")
# ...and its department-wide tables theirs.
DEPARTMENT_ROW_TABLES = (
    "department_tables",
    "department_funding_lines",
    "department_key_tasks",
    "department_indicators",
)
_DEPARTMENT_ROWS = ("funding_lines", "key_tasks", "indicators")
# The year's PDFs left out for a spreadsheet holding the same tables: [[pdf, spreadsheet], ...].
SUPERSEDED_FILE = "superseded.json"
# Written last into a cache entry: an entry without it was cut short and is extracted again. It also
# gives cached reports their page and row counts without opening their Parquet files.
COUNTS_FILE = "counts.json"


@dataclass
class YearResult:
    fiscal_year: int
    loaded: list[str] = field(default_factory=list)  # source files extracted now
    cached: list[str] = field(default_factory=list)  # unchanged content, extracted by this version
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (source file, reason)
    removed: list[str] = field(default_factory=list)  # report folders no longer in the inbox
    # (PDF, spreadsheet or Word file): the PDF's tables are all in the other file, loaded from there
    superseded: list[tuple[str, str]] = field(default_factory=list)
    pages: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def count(self, counts: dict, sign: int = 1) -> None:
        self.pages += sign * counts["pages"]
        for table, rows in counts["rows"].items():
            self.rows[table] = self.rows.get(table, 0) + sign * rows


def table_identities(extracted: Report | ProjectFile) -> list[str]:
    """What a file's tables are, whatever file they were read from: form, year, department, project."""
    if isinstance(extracted, ProjectFile):
        return sorted(
            {
                "|".join(
                    (
                        t.form,
                        str(t.fiscal_year),
                        name_key(t.department or t.implementing_unit or ""),
                        name_key(t.project_name),
                    )
                )
                for t in extracted.projects
            }
        )
    return [f"{extracted.form}|{extracted.fiscal_year}|{name_key(extracted.department)}"]


def _superseded(files: dict[str, tuple[InboxFile, dict]]) -> list[tuple[InboxFile, InboxFile]]:
    """(PDF, the spreadsheet or Word file holding all its tables) among sha256 -> (file, counts)."""
    exact: dict[str, InboxFile] = {}
    for f, counts in files.values():
        if is_table_file(f.path):
            for identity in counts.get("identities", []):
                exact.setdefault(identity, f)
    out = []
    for f, counts in files.values():
        identities = counts.get("identities", [])
        if not is_table_file(f.path) and identities and all(i in exact for i in identities):
            out.append((f, exact[identities[0]]))
    return out


def _row_counts(extracted: Report | ProjectFile) -> dict[str, int]:
    if isinstance(extracted, ProjectFile):
        tables = extracted.projects
        funding = sum(len(t.funding_lines) for t in tables)
        indicators = sum(len(t.indicators) for t in tables)
        counts = dict(zip(PROJECT_ROW_TABLES, (len(tables), funding, indicators), strict=True))
        if departments := extracted.department_tables:
            rows = (
                len(departments),
                *(sum(len(getattr(d, f)) for d in departments) for f in _DEPARTMENT_ROWS),
            )
            counts |= dict(zip(DEPARTMENT_ROW_TABLES, rows, strict=True))
        return counts
    return {t: len(getattr(extracted, t)) for t in ROW_TABLES}


def _mtime(path: Path) -> datetime:
    return datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)


def year_dir(extracted_dir: Path, year: int) -> Path:
    return extracted_dir / f"fiscal_year={year}"


def is_empty_tables_folder(folder: Path) -> bool:
    """The folder of the tables' empty schema files (store.write_empty_tables), no fiscal year's."""
    return folder.name == EMPTY_TABLES_DIR.parts[0]


def _cached_counts(entry: Path, reading: str) -> dict | None:
    """The entry's counts, if it was read under the same reading settings (`ExtractSettings.reading`:
    a file read with `--ocr never` is read again with `--ocr auto`)."""
    try:
        counts = json.loads((entry / COUNTS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return counts if isinstance(counts, dict) and counts.get("reading") == reading else None


def _select(entry: Path, year_folder: Path) -> None:
    """The cache entry's files (Parquet and the extractor version's marker), hard-linked into the
    year's selection, swapped in whole."""
    staging = year_folder / f".{entry.name}.{uuid.uuid4().hex}.tmp"
    staging.mkdir()
    for part in (p for p in entry.iterdir() if p.is_file()):
        try:
            os.link(part, staging / part.name)
        except OSError:  # a filesystem without hard links
            shutil.copy2(part, staging / part.name)
    final = year_folder / entry.name
    if final.exists():
        shutil.rmtree(final)
    staging.rename(final)


def extract_year(
    files: tuple[InboxFile, ...],
    year: int,
    extracted_dir: Path,
    rejected_dir: Path,
    cache_dir: Path,
    progress: Callable[[InboxFile, str], None] | None = None,
    file_limits: FileLimits | None = None,
) -> YearResult:
    start = time.perf_counter()
    result = YearResult(year)
    out = year_dir(extracted_dir, year)
    out.mkdir(parents=True, exist_ok=True)
    cache_dir.mkdir(parents=True, exist_ok=True)
    _remove_leftovers(cache_dir)
    keep: set[str] = set()
    kept: dict[str, tuple[InboxFile, dict]] = {}
    todo: dict[Path, InboxFile] = {}
    limits = file_limits or FileLimits()
    settings = limits.extract_settings()
    for f in files:
        fresh = is_current(cache_dir, f.sha256)
        counts = _cached_counts(cache_dir / f.sha256, settings.reading) if fresh else None
        if counts is None:
            todo[f.path] = f
            continue
        if not is_current(out, f.sha256):  # selected before the entry was extracted again
            _select(cache_dir / f.sha256, out)
        keep.add(f.sha256)
        kept[f.sha256] = (f, counts)
        result.cached.append(file_name(f.path))
        result.count(counts)
        if progress:
            progress(f, "cached")
    # Parallel, each file under its time and memory limits (extract.guarded); results stream to
    # Parquet as they come, so memory does not grow with the batch.
    # Each worker reads the bytes the scan hashed, or rejects the file as changed while being read.
    hashes = {p: f.sha256 for p, f in todo.items()}
    try:
        for path, value in read_reports(hashes, settings, limits.worker_limits()):
            f = todo[path]
            if not isinstance(value, ReportError):
                try:
                    counts = _store(value, f, cache_dir, out, settings.reading)
                except DiskFullError:
                    raise  # the whole step stops: every file after this one would fail the same way
                except Exception as exc:  # this file's records cannot be stored: it alone is rejected
                    _log.exception("%s: storing its records failed", file_name(f.path))
                    value = errors.InternalError(
                        f.path, f"{type(exc).__name__}: {next(iter(str(exc).splitlines()), '')}"
                    )
            if isinstance(value, ReportError):
                rejections.record(rejected_dir, f.path, f.sha256, str(value))
                result.rejected.append((file_name(f.path), str(value)))
                status = f"rejected: {value}"
            else:
                rejections.clear(rejected_dir, f.sha256)
                keep.add(f.sha256)
                kept[f.sha256] = (f, counts)
                result.loaded.append(file_name(f.path))
                result.count(counts)
                status = "extracted"
                if value.ocr_pages:  # scanned or unreadable pages: their rows carry needs_review flags
                    status += f" (pages {', '.join(map(str, value.ocr_pages))} read by OCR)"
                if value.integrity_warnings:  # loaded (records checked), but the file needed repair: say so
                    status += f" (repaired: {'; '.join(value.integrity_warnings)})"
            if progress:
                progress(f, status)
    except BaseException:
        with contextlib.suppress(OSError):  # the error that stopped the year is the one raised
            _write_empty_tables(extracted_dir)
        raise
    _write_empty_tables(extracted_dir)
    gone = _superseded(kept)
    for pdf, exact in gone:
        keep.discard(pdf.sha256)
        for names in (result.loaded, result.cached):
            if file_name(pdf.path) in names:
                names.remove(file_name(pdf.path))
        result.count(kept[pdf.sha256][1], sign=-1)
        result.superseded.append((file_name(pdf.path), file_name(exact.path)))
        if progress:
            progress(
                pdf, f"not loaded: its tables are all in {file_name(exact.path)} (the spreadsheet is exact)"
            )
    superseded_by = {pdf.sha256 for pdf, _ in gone}
    listed = out / SUPERSEDED_FILE
    if result.superseded:
        listed.write_text(json.dumps(result.superseded, ensure_ascii=False), encoding="utf-8")
    else:
        listed.unlink(missing_ok=True)
    for folder in out.iterdir():
        if folder.is_dir() and folder.name not in keep:
            shutil.rmtree(folder)
            if not folder.name.startswith(".") and folder.name not in superseded_by:
                result.removed.append(folder.name)
    result.seconds = time.perf_counter() - start
    return result


def _write_empty_tables(extracted_dir: Path) -> None:
    """dbt's sources glob every table: a year of project tables only, or none, or one stopped
    part-way, must still find the rest (store.write_empty_tables). Written after the year's files
    are read, as their records are: the store imports Arrow, and the workers, forked before, then
    never map it (a long file's extraction, docs/performance.md)."""
    from extract.store import write_empty_tables

    write_empty_tables(extracted_dir)


def _remove_leftovers(folder: Path) -> None:
    """Half-written or swapped-out entries a killed build left (store.write_report's .tmp and .old
    folders): builds of a data folder take turns (build lock), so none is still being written."""
    for stale in [*folder.glob(".*.tmp"), *folder.glob(".*.old")]:
        if stale.is_dir():
            shutil.rmtree(stale, ignore_errors=True)
        else:
            stale.unlink(missing_ok=True)


def _store(extracted: Report | ProjectFile, f: InboxFile, cache_dir: Path, out: Path, reading: str) -> dict:
    """Write one file's records to its cache entry and select it; its page and row counts, and the
    reading settings it was read under."""
    from extract.store import write_report  # Arrow: see _write_empty_tables

    with named_if_disk_full(cache_dir / f.sha256):
        entry = Path(str(write_report(extracted, cache_dir, source_modified_at=_mtime(f.path))))
        counts = {
            "pages": extracted.page_count,
            "rows": _row_counts(extracted),
            "identities": table_identities(extracted),
            "reading": reading,
        }
        (entry / COUNTS_FILE).write_text(json.dumps(counts), encoding="utf-8")
        _select(entry, out)
    return counts


@dataclass(frozen=True)
class PruneResult:
    removed: int
    kept: int
    freed_bytes: int


def prune_cache(cache_dir: Path, extracted_dir: Path, header_cache_dir: Path) -> PruneResult:
    """Remove cached extractions (and first-page reads) the last build's selection does not use."""
    used = {p.name for p in extracted_dir.glob("fiscal_year=*/*") if p.is_dir()}
    removed = kept = freed = 0
    entries = sorted(p for p in cache_dir.iterdir() if p.is_dir()) if cache_dir.is_dir() else []
    for entry in entries:
        if entry.name in used:
            kept += 1
            continue
        freed += sum(f.stat().st_size for f in entry.rglob("*") if f.is_file())
        shutil.rmtree(entry)
        removed += 1
    for header in header_cache_dir.glob("*.json") if header_cache_dir.is_dir() else []:
        if header.stem not in used:
            header.unlink(missing_ok=True)
    return PruneResult(removed, kept, freed)
