"""A spreadsheet cell's value as the sheet displays it, from the value and its number format.

A spreadsheet keeps `1.0259` and shows `102.59%`; the forms read what is shown, as they read a PDF.
Handles the formats self-evaluation tables use: General, fixed decimals (`0.00`), thousands
separators (`#,##0.00`), percent (`0.0%`), literal text (`0.00"万元"`), sign sections
(`0.00;-0.00;"-"`), locale and colour tags (`[$-804]`, `[Red]`) and dates (`yyyy-mm-dd`,
`yyyy"年"m"月"d"日"`). No library reading xlsx or xls renders number formats.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal

_BRACKETS = re.compile(r"\[[^\]]*\]")  # [$-804], [Red], [>=100]
_QUOTED = re.compile(r'"([^"]*)"')
_DATE_TOKENS = re.compile(r"yyyy|yy|mm|m|dd|d|hh|h|ss|s", re.IGNORECASE)
# Excel's General shows at most this many significant digits.
_GENERAL_DIGITS = 11


def display(value: object, number_format: str | None) -> str:
    """The text a cell of this value and number format shows ('' for an empty cell)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (dt.datetime, dt.date)):
        return _date(value, number_format or "")
    if isinstance(value, (int, float, Decimal)):
        return _number(Decimal(repr(value)) if isinstance(value, float) else Decimal(value), number_format)
    return str(value)


def _sections(number_format: str) -> list[str]:
    out, current, quoted = [], "", False
    for ch in number_format:
        if ch == '"':
            quoted = not quoted
        if ch == ";" and not quoted:
            out.append(current)
            current = ""
        else:
            current += ch
    out.append(current)
    return out


def _number(value: Decimal, number_format: str | None) -> str:
    fmt = number_format or "General"
    sections = _sections(fmt)
    section, sign = sections[0], "-" if value < 0 else ""
    if value < 0 and len(sections) > 1:
        section, sign, value = sections[1], "", -value
    elif value == 0 and len(sections) > 2:
        section = sections[2]
    section = _BRACKETS.sub("", section)
    if value < 0:
        value = -value
    code = _QUOTED.sub("", section).replace("\\", "")
    # Text (@) shows a number as General; scientific notation is not a form's, shown as General too.
    if section.strip().lower() in ("general", "", "@") or re.search(r"[eE][+-]", section):
        return sign + _general(value)
    if not re.search(r"[0#?]", code):
        return _literal(section)  # a section of text only: "-"
    percents = code.count("%")
    value = value * (Decimal(100) ** percents)
    digits = re.search(r"[0#?,]+(?:\.([0#?]*))?", code)
    places = len(digits.group(1) or "") if digits else 0
    thousands = bool(digits and "," in digits.group(0).split(".")[0].strip(","))
    rounded = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    shown = f"{rounded:,.{places}f}" if thousands else f"{rounded:.{places}f}"
    # What the format prints around the digits: literal text, the percent sign.
    start, end = _digit_span(section)
    return sign + _literal(section[:start]) + shown + _literal(section[end:])


def _digit_span(section: str) -> tuple[int, int]:
    """Where the digit placeholders of an (unquoted) section start and end."""
    spans = [m.span() for m in re.finditer(r'"[^"]*"|([0#?][0#?,.]*)', section) if m.group(1)]
    return (spans[0][0], spans[-1][1]) if spans else (0, 0)


def _literal(text: str) -> str:
    """A format's literal part as shown: quotes and escapes removed, padding and fills dropped."""
    text = re.sub(r"_.?", "", text)  # _) pads with the width of ')'
    text = re.sub(r"\*.", "", text)  # *- fills the cell with '-'
    out, quoted, escaped = "", False, False
    for ch in text:
        if escaped:
            out, escaped = out + ch, False
        elif ch == "\\":
            escaped = True
        elif ch == '"':
            quoted = not quoted
        else:
            out += ch
    return out


def _general(value: Decimal) -> str:
    if value == value.to_integral_value():
        return str(value.quantize(Decimal(1)))
    places = max(0, _GENERAL_DIGITS - len(str(int(value))))
    text = f"{value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP):f}"
    return text.rstrip("0").rstrip(".")


def _date(value: dt.date, number_format: str) -> str:
    section = _BRACKETS.sub("", _sections(number_format)[0])
    if not _DATE_TOKENS.search(_QUOTED.sub("", section)):
        timed = isinstance(value, dt.datetime) and bool(value.time())
        return str(value) if timed else value.isoformat()[:10]
    out = ""
    pos = 0
    for m in re.finditer(r'"[^"]*"|yyyy|yy|mm|m|dd|d|hh|h|ss|s|\\.', section, re.IGNORECASE):
        out += section[pos : m.start()]
        token = m.group(0)
        low = token.lower()
        if token.startswith('"'):
            out += token[1:-1]
        elif token.startswith("\\"):
            out += token[1]
        elif low == "yyyy":
            out += f"{value.year:04d}"
        elif low == "yy":
            out += f"{value.year % 100:02d}"
        elif low in ("mm", "m"):
            # m after h (or before s) is minutes; elsewhere months.
            before = section[: m.start()].lower()
            minutes = isinstance(value, dt.datetime) and re.search(r"h[^a-z]*$", before)
            number = value.minute if minutes and isinstance(value, dt.datetime) else value.month
            out += f"{number:02d}" if low == "mm" else str(number)
        elif low in ("dd", "d"):
            out += f"{value.day:02d}" if low == "dd" else str(value.day)
        elif isinstance(value, dt.datetime) and low in ("hh", "h"):
            out += f"{value.hour:02d}" if low == "hh" else str(value.hour)
        elif isinstance(value, dt.datetime) and low in ("ss", "s"):
            out += f"{value.second:02d}" if low == "ss" else str(value.second)
        pos = m.end()
    return out + section[pos:]
