"""One exception per kind of bad input, so callers can report `FILE: reason` and move on."""

from __future__ import annotations


class ReportError(Exception):
    """Base: this file cannot be read as a self-evaluation report. `str()` is the one-line reason."""

    reason = "unreadable report"

    def __init__(self, path: str, detail: str | None = None):
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
