"""Every exception extraction raises, in one taxonomy.

`ReportError` and its subclasses: this file cannot be loaded, one per kind of bad input (or exhausted
limit), so callers report `FILE: reason` and move on. `CellReadError` and its subclasses: a table's
rows or cells cannot be read; raised where the file is not known (stitching, number parsing) and
turned into `MalformedTableError` naming the file and section by the reader.
"""

from __future__ import annotations

import os


class ReportError(Exception):
    """Base: this file cannot be read as a self-evaluation report. `str()` is the one-line reason."""

    reason = "unreadable report"

    def __init__(self, path: str | os.PathLike[str], detail: str | None = None):
        self.path = str(path)
        self.detail = detail
        super().__init__(f"{self.reason}: {detail}" if detail else self.reason)

    def __reduce__(self):
        # Crosses process boundaries (extract.guarded): rebuild from path and detail, not the message.
        return (self.__class__, (self.path, self.detail))


class EmptyFileError(ReportError):
    reason = "empty file (0 bytes)"


class NotAPdfError(ReportError):
    reason = "not a PDF (no %PDF header)"


class TruncatedPdfError(ReportError):
    reason = "truncated or corrupt PDF"


class EncryptedPdfError(ReportError):
    reason = "encrypted PDF (password required)"


class NoTextLayerError(ReportError):
    reason = "no text layer (scanned or image-only PDF)"


class NotASelfEvaluationReportError(ReportError):
    reason = "not a budget self-evaluation report"


class MissingSectionError(ReportError):
    reason = "required section missing"


class TooManyPagesError(ReportError):
    reason = "too many pages"


class MalformedTableError(ReportError):
    reason = "table cannot be read"


class IntegrityError(ReportError):
    """Damaged in a way the readers would hide, or its records contradict themselves: never loaded."""

    reason = "failed integrity check"


class TimeLimitError(ReportError):
    reason = "extraction time limit exceeded"


class MemoryLimitError(ReportError):
    reason = "extraction memory limit exceeded"


class WorkerCrashedError(ReportError):
    reason = "extraction worker crashed"


class DamagedFileError(ReportError):
    """A spreadsheet or Word file its library cannot open (extract.sheets)."""

    reason = "damaged or unreadable file"


class ZipBombError(ReportError):
    reason = "compressed content expands beyond the limit (zip bomb?)"


class SheetTooLargeError(ReportError):
    reason = "sheet too large"


class MacrosError(ReportError):
    """A workbook or document carrying macros: never opened by a tool that could run them."""

    reason = "contains macros"


class ExternalLinksError(ReportError):
    """Cells whose values come from other workbooks: what the file shows is not all in the file."""

    reason = "links to other workbooks"


class MissingCachedValueError(ReportError):
    """A formula saved without its result (written by a program, never calculated): nothing to read."""

    reason = "formula without a cached value"


class UnreadableFileError(ReportError):
    """The build cannot read the file's bytes (I/O error): nothing about its content is known."""

    reason = "cannot read file"


class PermissionDeniedError(UnreadableFileError):
    """The build's user may not read the file: its owner must grant read access (or move it)."""

    reason = "permission denied"


class ChangedWhileReadError(ReportError):
    """The file's bytes were replaced or rewritten between the inbox scan and its reading: what was
    hashed is not what would be read. The next build reads it again."""

    reason = "changed while being read"


class InternalError(ReportError):
    """An exception the extractor did not expect: our bug until shown otherwise, not a bad file.

    The message names the exception (`internal error: KeyError: 'x'`); the worker's traceback
    travels with it and is logged by the parent (logger `extract.guarded`).
    """

    reason = "internal error"

    def __init__(self, path: str | os.PathLike[str], detail: str | None = None, traceback_text: str = ""):
        super().__init__(path, detail)
        self.traceback_text = traceback_text

    def __reduce__(self):
        return (self.__class__, (self.path, self.detail, self.traceback_text))


class CellReadError(ValueError):
    """A table's printed rows or cells cannot be read; `str()` says which and why, without the file."""


class TableShapeError(CellReadError):
    """Rows cannot be assembled into the table's columns (header missing or late, text under no column)."""


class NumberParseError(CellReadError):
    """A cell that holds an amount or a rate prints something else."""


class MalformedObjectError(ValueError):
    """An object stored in the PDF is not valid PDF syntax; `str()` says why, without the file (the
    integrity check turns it into an IntegrityError naming the file and the object)."""
