"""Which extractor made a set of records: a fingerprint of everything that decides extraction output.

Cached extractions and headers are keyed on (content hash, extractor version), so an upgrade that
changes what a PDF extracts to re-extracts every report it could change, instead of keeping the
records the old code made.

The version is derived, not bumped by hand: a hand-kept constant is only as good as every engineer
remembering it for every change to extract/ (several change it at once here, and a guard test on a
stored fingerprint would conflict on every merge). Deriving it costs a few milliseconds per process
and, at worst, a needless re-extraction after a change that only touched comments (≈ 0.2 s of
worker time per report) — cheap against a warehouse silently holding stale records.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import unicodedata
from collections.abc import Iterable
from functools import cache
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
# The readers whose output the records are made from: a new release may place or decode characters
# differently (pypdfium2's version pins the PDFium build it ships).
# rapidocr and onnxruntime: the OCR models and the engine running them (docs/ocr.md).
READER_DISTRIBUTIONS = ("pdfplumber", "pdfminer.six", "pypdfium2", "rapidocr", "onnxruntime")


def fingerprint(package_dir: Path, dependency_versions: Iterable[tuple[str, str]]) -> str:
    """A short hash of every source and data file of the package plus the given dependency versions."""
    digest = hashlib.sha256()
    for path in sorted(package_dir.rglob("*")):
        if not path.is_file() or "__pycache__" in path.parts or path.suffix == ".pyc":
            continue
        digest.update(path.relative_to(package_dir).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    for name, version in dependency_versions:
        digest.update(f"{name}=={version}\0".encode())
    # NFKC normalization of printed text follows the interpreter's Unicode database.
    digest.update(f"unicode=={unicodedata.unidata_version}".encode())
    return digest.hexdigest()[:16]


@cache
def extractor_version() -> str:
    """This installation's extractor version (computed once per process)."""
    versions = [(name, importlib.metadata.version(name)) for name in READER_DISTRIBUTIONS]
    return fingerprint(PACKAGE_DIR, versions)
