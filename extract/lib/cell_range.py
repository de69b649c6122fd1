"""A spreadsheet cell range as Excel writes it (`Sheet1!B7:D7`, `'My sheet'!A1`): the provenance of
a record read from a sheet or a Word table, in place of a page and a box."""

from __future__ import annotations

import re

_PLAIN_NAME = re.compile(r"^\w+$")
_RANGE = re.compile(r"^(?:'((?:[^']|'')+)'|([^!]+))!([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?$")


def column_letters(column: int) -> str:
    """1 -> A, 27 -> AA."""
    out = ""
    while column > 0:
        column, rest = divmod(column - 1, 26)
        out = chr(ord("A") + rest) + out
    return out


def column_number(letters: str) -> int:
    number = 0
    for ch in letters:
        number = number * 26 + ord(ch) - ord("A") + 1
    return number


def sheet_prefix(sheet: str) -> str:
    """The sheet name as a reference prints it: quoted unless it is one word (CJK letters are word)."""
    return sheet if _PLAIN_NAME.match(sheet) else "'" + sheet.replace("'", "''") + "'"


def cell_range(sheet: str, first_row: int, first_col: int, last_row: int, last_col: int) -> str:
    start = f"{column_letters(first_col)}{first_row}"
    end = f"{column_letters(last_col)}{last_row}"
    return f"{sheet_prefix(sheet)}!{start}" + (f":{end}" if end != start else "")


def parse(text: str) -> tuple[str, int, int, int, int]:
    """(sheet, first row, first column, last row, last column) of `Sheet1!B7:D7`; ValueError else."""
    found = _RANGE.match(text)
    if not found:
        raise ValueError(f"not a cell range: {text!r}")
    quoted, plain, c0, r0, c1, r1 = found.groups()
    sheet = quoted.replace("''", "'") if quoted is not None else plain
    return sheet, int(r0), column_number(c0), int(r1 or r0), column_number(c1 or c0)


def union(ranges: list[str | None]) -> str | None:
    """The smallest range holding every range given on the first one's sheet; None without any."""
    parsed = [parse(r) for r in ranges if r]
    if not parsed:
        return None
    sheet = parsed[0][0]
    same = [p for p in parsed if p[0] == sheet]
    return cell_range(
        sheet,
        min(p[1] for p in same),
        min(p[2] for p in same),
        max(p[3] for p in same),
        max(p[4] for p in same),
    )
