"""The inbox of reports: find files, hash their content, file each under its fiscal year.

Reports are PDFs, spreadsheets (.xlsx, .xlsm, .xls, .ods) and Word files (.docx): extract.sheets
reads the latter into the same page content as a PDF's (docs/spreadsheets.md).

File names mean nothing: department and year come from the content. The same content under two
names is one report (content hash); a file that cannot be read as a report is rejected, with its
reason recorded (rejections.py), and never stops the rest of the batch. What a file's first page
said is cached by (content hash, extractor version): an upgraded extractor reads every header again.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from extract import ReportError, version
from extract.errors import (
    ChangedWhileReadError,
    InternalError,
    PermissionDeniedError,
    TimeLimitError,
    TooManyPagesError,
    UnreadableFileError,
    WorkerCrashedError,
)
from extract.guarded import read_headers
from extract.lib.file_kinds import SUFFIXES as TABLE_FILE_SUFFIXES
from orchestration.settings import FileLimits

from .atomic_write import replaced_on_success

_NOT_REMEMBERED = (
    TimeLimitError,
    WorkerCrashedError,
    InternalError,
    TooManyPagesError,
    ChangedWhileReadError,
    UnreadableFileError,
)


@dataclass(frozen=True)
class InboxFile:
    path: Path
    sha256: str | None  # None: never read (a link to a file outside the inbox)
    fiscal_year: int | None = None
    department: str | None = None
    error: str | None = None


@dataclass(frozen=True)
class Inbox:
    files: tuple[InboxFile, ...]
    duplicates: tuple[tuple[Path, Path], ...] = field(default=())  # (duplicate, the file kept)
    skipped: tuple[tuple[Path, str], ...] = field(default=())  # (entry, why): not a file to read

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


@dataclass(frozen=True)
class Listing:
    """What the inbox folder holds, before anything is read."""

    files: tuple[tuple[Path, tuple[int, int]], ...]  # (path, (device, inode) of the file it names)
    outside: tuple[Path, ...]  # links to files outside the inbox: never opened
    skipped: tuple[tuple[Path, str], ...]  # (path, why): no file to read


_NOT_REGULAR = {
    stat.S_IFIFO: "FIFO",
    stat.S_IFCHR: "character device",
    stat.S_IFBLK: "block device",
    stat.S_IFSOCK: "socket",
}


def _kind(st: os.stat_result) -> str:
    return _NOT_REGULAR.get(stat.S_IFMT(st.st_mode), "special file")


REPORT_SUFFIXES = (".pdf", *TABLE_FILE_SUFFIXES)
# Excel and Word write `~$name.xlsx` beside a file open for editing: a few bytes, no report.
_OFFICE_LOCK_PREFIX = "~$"


def _is_pdf_name(name: str) -> bool:
    """A report's file name: a PDF, a spreadsheet or a Word file (any case)."""
    return name.lower().endswith(REPORT_SUFFIXES)


def list_inbox(reports_dir: Path) -> Listing:
    """Every regular report file (REPORT_SUFFIXES) below the folder (any case, any depth), hidden
    files and folders skipped (an editor's lock file, `.~lock.x.xlsx#`, among them).

    Links are followed only to what lies inside the inbox: a link to /etc/passwd or to a report kept
    elsewhere is named, never opened. Dangling links, FIFOs and devices named *.pdf are named too
    (a FIFO would block the scan; a device may have side effects when opened).
    """
    root = reports_dir.resolve()
    files: list[tuple[Path, tuple[int, int]]] = []
    outside: list[Path] = []
    skipped: list[tuple[Path, str]] = []

    def walk(folder: Path) -> None:
        try:
            with os.scandir(folder) as entries:
                ordered = sorted(entries, key=lambda e: e.name)
        except OSError as exc:
            if folder == reports_dir:
                raise
            skipped.append((folder, f"folder cannot be read ({exc.strerror})"))
            return
        for entry in ordered:
            if entry.name.startswith("."):
                continue
            if entry.name.startswith(_OFFICE_LOCK_PREFIX) and _is_pdf_name(entry.name):
                skipped.append((folder / entry.name, "office lock file (the document is open in an editor)"))
                continue
            path = folder / entry.name
            if entry.is_symlink():
                _classify_link(path, root, files, outside, skipped)
            elif entry.is_dir(follow_symlinks=False):
                walk(path)
            elif _is_pdf_name(entry.name):
                st = entry.stat(follow_symlinks=False)
                if stat.S_ISREG(st.st_mode):
                    files.append((path, (st.st_dev, st.st_ino)))
                else:
                    skipped.append((path, f"not a regular file ({_kind(st)})"))

    walk(reports_dir)
    return Listing(tuple(files), tuple(outside), tuple(skipped))


def find_pdfs(reports_dir: Path) -> list[Path]:
    """The report files a build would read: regular files inside the inbox (see `list_inbox`)."""
    return [path for path, _ in list_inbox(reports_dir).files]


def _classify_link(path: Path, root: Path, files: list, outside: list, skipped: list) -> None:
    try:
        target = path.resolve(strict=True)
        st = target.stat()
    except (OSError, RuntimeError):  # RuntimeError: a link loop (Python < 3.13)
        if _is_pdf_name(path.name):
            skipped.append((path, "dangling link (its target does not exist)"))
        return
    if stat.S_ISDIR(st.st_mode):
        if not target.is_relative_to(root):  # inside, its files are listed where they are
            skipped.append((path, "link to a folder outside the inbox: not followed"))
        return
    if not _is_pdf_name(path.name):
        return
    if not target.is_relative_to(root):
        outside.append(path)
    elif stat.S_ISREG(st.st_mode):
        files.append((path, (st.st_dev, st.st_ino)))
    else:
        skipped.append((path, f"link to a {_kind(st)}, not a regular file"))


OUTSIDE_REASON = "link to a file outside the inbox: not read"
VANISHED_REASON = "removed while the inbox was scanned"


class ChangedWhileScannedError(OSError):
    """The path names another file than the one listed (swapped for a link, FIFO or new file)."""


def sha256_of(path: Path, identity: tuple[int, int] | None = None) -> str:
    """The file's content hash. With `identity`, the file must still be that regular file (not
    swapped for a link, FIFO or another file since it was listed): OSError otherwise."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # non-blocking: a FIFO put here meanwhile
    with open(fd, "rb") as fh:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or (identity and (st.st_dev, st.st_ino) != identity):
            raise ChangedWhileScannedError(f"{path}: changed while the inbox was scanned")
        h = hashlib.sha256()
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _cache_file(cache_dir: Path | None, digest: str) -> Path | None:
    return cache_dir / f"{digest}.json" if cache_dir is not None else None


def _from_cache(path: Path, digest: str, cache_dir: Path | None, reading: str) -> InboxFile | None:
    cached = _cache_file(cache_dir, digest)
    if cached is None or not cached.exists():
        return None
    try:
        data = json.loads(cached.read_text(encoding="utf-8"))
        if data.get("extractor_version") != version.extractor_version():
            return None  # read by another extractor: its answer may no longer hold
        if data.get("reading") != reading:
            return None  # read under other settings (`--ocr never`, now `auto`): read it again
        return InboxFile(path, digest, data["fiscal_year"], data["department"], data["error"])
    except (ValueError, KeyError):
        return None  # unreadable entry: read the file again


def _to_cache(item: InboxFile, cache_dir: Path | None, reading: str) -> None:
    cached = _cache_file(cache_dir, item.sha256)
    if cached is None:
        return
    record = {
        "fiscal_year": item.fiscal_year,
        "department": item.department,
        "error": item.error,
        "extractor_version": version.extractor_version(),
        "reading": reading,
    }
    # A cache only: an entry that cannot be written (full disk) is read from the file next time.
    with contextlib.suppress(OSError):
        cached.parent.mkdir(parents=True, exist_ok=True)
        with replaced_on_success(cached) as tmp:  # a killed build never leaves half an entry
            tmp.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")


def scan(
    reports_dir: Path,
    progress: Callable[[int, int, InboxFile], None] | None = None,
    cache_dir: Path | None = None,
    file_limits: FileLimits | None = None,
) -> Inbox:
    """Hash every PDF and read its first page (under `file_limits`); duplicates by content are kept once."""
    listing = list_inbox(reports_dir)
    if cache_dir is not None and cache_dir.is_dir():
        for stale in cache_dir.glob(".*.tmp"):  # an entry a killed build was writing
            stale.unlink(missing_ok=True)
    seen: dict[str, Path] = {}
    duplicates, unique = [], []
    unread: list[InboxFile] = []  # listed, but its bytes cannot be read: rejected with the reason
    skipped = list(listing.skipped)
    for path, identity in listing.files:
        try:
            digest = sha256_of(path, identity)
        except FileNotFoundError:  # gone between listing and hashing: the next scan will not list it
            skipped.append((path, VANISHED_REASON))
            continue
        except PermissionError:
            unread.append(InboxFile(path, None, error=PermissionDeniedError.reason))
            continue
        except ChangedWhileScannedError:
            unread.append(InboxFile(path, None, error=ChangedWhileReadError.reason))
            continue
        except OSError as exc:
            unread.append(InboxFile(path, None, error=str(UnreadableFileError(path, exc.strerror))))
            continue
        if digest in seen:
            duplicates.append((path, seen[digest]))
        else:
            seen[digest] = path
            unique.append((path, digest))
    items: dict[Path, InboxFile] = {}
    todo: dict[Path, str] = {}
    limits = file_limits or FileLimits()
    settings = limits.extract_settings()
    for path, digest in unique:
        cached = _from_cache(path, digest, cache_dir, settings.reading)
        if cached is not None:
            items[path] = cached
        else:
            todo[path] = digest
    done = len(items)
    # First pages are read in guarded workers: a hostile file is killed at its limits, not the scan.
    # Each from bytes that hash to its digest (else rejected): a header is cached under its content.
    for path, value in read_headers(todo, settings, limits.worker_limits()):
        digest = todo[path]
        if isinstance(value, ReportError):
            item = InboxFile(path, digest, error=str(value))
        else:
            item = InboxFile(path, digest, value.fiscal_year, value.department)
        # Not properties of the file, so not remembered: a time-out may pass on a less busy machine,
        # a page count over SELFEVAL_MAX_PAGES under a higher limit, and our own bug once fixed.
        if not isinstance(value, _NOT_REMEMBERED):
            _to_cache(item, cache_dir, settings.reading)
        items[path] = item
        done += 1
        if progress:
            progress(done, len(unique), item)
    refused = tuple(InboxFile(path, None, error=OUTSIDE_REASON) for path in listing.outside)
    files = tuple(items[p] for p, _ in unique) + tuple(unread) + refused
    return Inbox(files, tuple(duplicates), tuple(skipped))
