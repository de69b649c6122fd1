"""Which files are tables to read as pages (spreadsheets, Word) rather than PDFs, by their names alone:
what the inbox needs to list them, without importing the readers."""

from __future__ import annotations

from pathlib import Path

SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
WORD_SUFFIXES = (".docx",)
SUFFIXES = SPREADSHEET_SUFFIXES + WORD_SUFFIXES


def is_table_file(path: Path) -> bool:
    return path.suffix.lower() in SUFFIXES
