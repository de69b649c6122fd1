"""Where the store (extract.store) puts its files, and whether a report's folder is current: what a
build checks before it reads any file, without Arrow (imported by the store, to write Parquet)."""

from __future__ import annotations

from pathlib import Path

from upath import UPath

from .. import version

VERSION_FILE_PREFIX = "extractor_version="
# Where write_empty_tables puts its files, relative to the folder of report folders: two levels
# down, like <fiscal_year=YYYY>/<sha256>/, so a reader's `<root>/*/*/<table>.parquet` glob finds them.
EMPTY_TABLES_DIR = Path("_schema") / "empty"


def version_file_name(extractor_version: str) -> str:
    return f"{VERSION_FILE_PREFIX}{extractor_version}"


def is_current(root: str | UPath | Path, sha256: str) -> bool:
    """The report's folder exists and was written by this extractor version (else: extract again).

    False too for folders written before versions were recorded."""
    # A local Path is used as given: wrapping it in UPath costs ~20× a stat, per report per rebuild.
    root = UPath(root) if isinstance(root, str) else root
    return (root / sha256 / version_file_name(version.extractor_version())).exists()
