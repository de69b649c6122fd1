"""The inbox of report PDFs: find files, hash their content, file each under its fiscal year.

File names mean nothing: department and year come from the content. The same content under two
names is one report (content hash); a file that cannot be read as a report is rejected, with its
reason recorded (rejections.py), and never stops the rest of the batch.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from extract import ReportError, read_header


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


def _classify(path: Path, digest: str, cache_dir: Path | None) -> InboxFile:
    """Year and department from the first page; remembered by content hash, so read once per content."""
    cached = cache_dir / f"{digest}.json" if cache_dir is not None else None
    if cached is not None and cached.exists():
        data = json.loads(cached.read_text(encoding="utf-8"))
        return InboxFile(path, digest, data["fiscal_year"], data["department"], data["error"])
    try:
        header = read_header(path)
        item = InboxFile(path, digest, header.fiscal_year, header.department)
    except ReportError as exc:
        item = InboxFile(path, digest, error=str(exc))
    except OSError as exc:
        return InboxFile(
            path, digest, error=f"cannot read file: {exc.strerror or exc}"
        )  # not cached: may pass
    if cached is not None:
        cached.parent.mkdir(parents=True, exist_ok=True)
        record = {"fiscal_year": item.fiscal_year, "department": item.department, "error": item.error}
        cached.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    return item


def scan(
    reports_dir: Path,
    progress: Callable[[int, int, InboxFile], None] | None = None,
    paths: Iterable[Path] | None = None,
    cache_dir: Path | None = None,
) -> Inbox:
    """Hash every PDF and read its first page; duplicates by content are kept once."""
    paths = list(paths) if paths is not None else find_pdfs(reports_dir)
    seen: dict[str, Path] = {}
    files, duplicates = [], []
    for n, path in enumerate(paths, 1):
        digest = sha256_of(path)
        if digest in seen:
            duplicates.append((path, seen[digest]))
            continue
        seen[digest] = path
        item = _classify(path, digest, cache_dir)
        files.append(item)
        if progress:
            progress(n, len(paths), item)
    return Inbox(tuple(files), tuple(duplicates))
