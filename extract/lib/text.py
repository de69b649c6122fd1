"""Cell-text normalisation shared by every table: wrapped lines, numbers, rates, name splitting."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

_WS = re.compile(r"\s+")
_ASCII_WORD = re.compile(r"[A-Za-z]")


def join_wrapped(text: str | None) -> str | None:
    """Undo the line wrapping of a table cell: lines are glued back together.

    Chinese text wraps anywhere, so lines are joined with nothing, except between two Latin letters
    (where a wrap can only have replaced a space). Spaces inside a printed line are kept, once.
    """
    if text is None:
        return None
    out = ""
    for raw in text.split("\n"):
        line = _WS.sub(" ", raw).strip()
        if not line:
            continue
        if out and _ASCII_WORD.fullmatch(out[-1]) and _ASCII_WORD.fullmatch(line[0]):
            out += " "
        out += line
    return out or None


def squash(text: str | None) -> str:
    """Whitespace removed entirely: for matching headers, titles and numbers."""
    return _WS.sub("", text or "")


_BLANK_NUMBERS = {"", "-", "—", "－", "/", "／", "NaN", "nan", "无"}


class NumberParseError(ValueError):
    pass


def parse_amount(text: str | None) -> Decimal | None:
    """'389,658.89' / '-\\n11504.04' / '３１２' -> Decimal; blank or dash -> None (never 0)."""
    s = unicodedata.normalize("NFKC", squash(text)).replace(",", "").replace("−", "-")
    if s in _BLANK_NUMBERS:
        return None
    try:
        value = Decimal(s)
    except InvalidOperation:
        raise NumberParseError(f"cannot read {text!r} as an amount") from None
    if not value.is_finite():
        return None
    return value


def parse_rate(text: str | None) -> Decimal | None:
    """'98.99%' / '96.97\\n%' / '-\\n100.0\\n0%' -> Decimal percent; 'NaN%' or blank -> None."""
    s = unicodedata.normalize("NFKC", squash(text))
    return parse_amount(s[:-1] if s.endswith("%") else s)


_PROJECT_SEPARATORS = re.compile(r"[,，;；、]")


def split_projects(text: str | None, known_names: set[str] | frozenset[str] = frozenset()) -> tuple[str, ...]:
    """Split a key task's project list on , ， ; ； 、 and trim.

    Project names may themselves contain 、 (e.g. 'DNA、刑侦耗材'), so adjacent pieces are glued back
    with the separator that stood between them whenever the result is a name the report itself
    lists (its budget lines); the longest such run wins.
    """
    if not text:
        return ()
    pieces: list[str] = []
    seps: list[str] = []
    pos = 0
    for m in _PROJECT_SEPARATORS.finditer(text):
        pieces.append(text[pos : m.start()])
        seps.append(m.group())
        pos = m.end()
    pieces.append(text[pos:])
    keys = {name_key(n) for n in known_names}
    out: list[str] = []
    i = 0
    while i < len(pieces):
        best = i
        joined = pieces[i]
        candidate = pieces[i]
        for j in range(i + 1, len(pieces)):
            candidate = candidate + seps[j - 1] + pieces[j]
            if name_key(candidate) in keys:
                best, joined = j, candidate
        name = joined.strip()
        if name:
            out.append(name)
        i = best + 1
    return tuple(out)


def name_key(name: str) -> str:
    """Matching key for names: NFKC (full/half-width brackets and commas) with whitespace removed."""
    return squash(unicodedata.normalize("NFKC", name))
