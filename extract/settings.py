"""Typed extraction settings shared by every form: reader backend, table-finder tolerances, input limits.

What a form's tables look like (titles, header synonyms) is the form's own data: `extract.forms`."""

from __future__ import annotations

from dataclasses import dataclass

OCR_MODES = ("auto", "always", "never")


@dataclass(frozen=True)
class ExtractSettings:
    # Where characters and rules come from: "pdfium" (pypdfium2, C++: ~4x less CPU per page) or
    # "pdfminer" (pdfplumber's own reader). Both give identical records on the whole corpus
    # (tests/test_extract_golden.py); the table logic is pdfplumber's either way.
    backend: str = "pdfium"
    # pdfplumber table finder: ruled tables ('lines'); small snap for Word's hairline double borders.
    snap_tolerance: float = 3.0
    join_tolerance: float = 3.0
    intersection_tolerance: float = 3.0
    # Characters on a line whose tops differ less than this are one text line.
    line_tolerance: float = 3.0
    # When pages are read by OCR (docs/ocr.md): "auto" (pages with no text or an unreadable text
    # layer), "always" or "never".
    ocr: str = "auto"
    # Records read by OCR whose lowest text confidence is below this are flagged needs_review.
    ocr_review_below: float = 0.9
    # Hostile-input guards.
    max_pages: int = 300
    # Spreadsheets and Word files (extract.sheets): cells of one sheet's used range, members and
    # unpacked bytes of a zip container, and how far one member may expand (a zip bomb's is ~1000x).
    max_sheet_cells: int = 250_000
    max_zip_members: int = 2_000
    max_unpacked_bytes: int = 64 * 1024 * 1024  # also the largest .xls read (real tables: < 5 MB)
    max_compression_ratio: int = 200
    # Fewer characters than this over the whole file means there is no usable text layer.
    min_text_chars: int = 20

    def __post_init__(self) -> None:
        if self.ocr not in OCR_MODES:
            raise ValueError(f"ocr must be one of {', '.join(OCR_MODES)}, not {self.ocr!r}")

    @property
    def reading(self) -> str:
        """The settings that change what a file reads as, not only whether it is read: a cached read
        (first page or whole file) made under other ones is read again."""
        return f"ocr={self.ocr};ocr_review_below={self.ocr_review_below}"

    def table_settings(self, explicit_horizontal_lines: list | None = None) -> dict:
        s = {
            "vertical_strategy": "lines",
            "horizontal_strategy": "lines",
            "snap_tolerance": self.snap_tolerance,
            "join_tolerance": self.join_tolerance,
            "intersection_tolerance": self.intersection_tolerance,
        }
        if explicit_horizontal_lines:
            s["explicit_horizontal_lines"] = explicit_horizontal_lines
        return s


DEFAULT_SETTINGS = ExtractSettings()
