"""The inbox of report PDFs: find files, hash their content, file each under its fiscal year.

File names mean nothing: department and year come from the content. The same content under two
names is one report (content hash); a file that cannot be read as a report is rejected, with its
reason recorded (rejections.py), and never stops the rest of the batch. What a file's first page
said is cached by (content hash, extractor version): an upgraded extractor reads every header again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from extract import ReportError, version
from extract.errors import TooManyPagesError
from extract.guarded import InternalError, TimeLimitError, WorkerCrashedError, read_headers

_NOT_REMEMBERED = (TimeLimitError, WorkerCrashedError, InternalError, TooManyPagesError)


@dataclass(frozen=True)
class InboxFile:
    path: Path
    sha256: str
    fiscal_year: int | None = None
    department: str | None = None
    error: str | None = None


@dataclass(frozen=True)
class Inbox:
    files: tuple[InboxFile, ...]
    duplicates: tuple[tuple[Path, Path], ...] = field(default=())  # (duplicate, the file kept)

    @property
    def accepted(self) -> tuple[InboxFile, ...]:
        return tuple(f for f in self.files if f.error is None)

    @property
    def rejected(self) -> tuple[InboxFile, ...]:
        return tuple(f for f in self.files if f.error is not None)

    def years(self) -> list[int]:
        return sorted({f.fiscal_year for f in self.accepted if f.fiscal_year is not None})

    def for_year(self, year: int) -> tuple[InboxFile, ...]:
        return tuple(f for f in self.accepted if f.fiscal_year == year)


def find_pdfs(reports_dir: Path) -> list[Path]:
    """Every *.pdf below the folder (any case, any depth), hidden files and folders skipped."""
    out = []
    for p in sorted(reports_dir.rglob("*")):
        rel = p.relative_to(reports_dir)
        if p.is_file() and p.suffix.lower() == ".pdf" and not any(part.startswith(".") for part in rel.parts):
            out.append(p)
    return out


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _cache_file(cache_dir: Path | None, digest: str) -> Path | None:
    return cache_dir / f"{digest}.json" if cache_dir is not None else None


def _from_cache(path: Path, digest: str, cache_dir: Path | None) -> InboxFile | None:
    cached = _cache_file(cache_dir, digest)
    if cached is None or not cached.exists():
        return None
    try:
        data = json.loads(cached.read_text(encoding="utf-8"))
        if data.get("extractor_version") != version.extractor_version():
            return None  # read by another extractor: its answer may no longer hold
        return InboxFile(path, digest, data["fiscal_year"], data["department"], data["error"])
    except (ValueError, KeyError):
        return None  # unreadable entry: read the file again


def _to_cache(item: InboxFile, cache_dir: Path | None) -> None:
    cached = _cache_file(cache_dir, item.sha256)
    if cached is None:
        return
    cached.parent.mkdir(parents=True, exist_ok=True)
    record = {
        "fiscal_year": item.fiscal_year,
        "department": item.department,
        "error": item.error,
        "extractor_version": version.extractor_version(),
    }
    tmp = cached.with_suffix(".tmp")
    tmp.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    tmp.replace(cached)  # atomic: a killed build never leaves half an entry


def scan(
    reports_dir: Path,
    progress: Callable[[int, int, InboxFile], None] | None = None,
    paths: Iterable[Path] | None = None,
    cache_dir: Path | None = None,
) -> Inbox:
    """Hash every PDF and read its first page; duplicates by content are kept once."""
    paths = list(paths) if paths is not None else find_pdfs(reports_dir)
    seen: dict[str, Path] = {}
    duplicates, unique = [], []
    for path in paths:
        try:
            digest = sha256_of(path)
        except OSError:
            continue  # vanished or unreadable between listing and hashing: next scan sees it
        if digest in seen:
            duplicates.append((path, seen[digest]))
        else:
            seen[digest] = path
            unique.append((path, digest))
    items: dict[Path, InboxFile] = {}
    todo: dict[Path, str] = {}
    for path, digest in unique:
        cached = _from_cache(path, digest, cache_dir)
        if cached is not None:
            items[path] = cached
        else:
            todo[path] = digest
    done = len(items)
    # First pages are read in guarded workers: a hostile file is killed at its limits, not the scan.
    for path, value in read_headers(todo):
        digest = todo[path]
        if isinstance(value, ReportError):
            item = InboxFile(path, digest, error=str(value))
        else:
            item = InboxFile(path, digest, value.fiscal_year, value.department)
        # Not properties of the file, so not remembered: a time-out may pass on a less busy machine,
        # a page count over SELFEVAL_MAX_PAGES under a higher limit, and our own bug once fixed.
        if not isinstance(value, _NOT_REMEMBERED):
            _to_cache(item, cache_dir)
        items[path] = item
        done += 1
        if progress:
            progress(done, len(unique), item)
    return Inbox(tuple(items[p] for p, _ in unique), tuple(duplicates))
