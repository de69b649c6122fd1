"""Cell-text normalisation shared by every table: wrapped lines, numbers, rates, name splitting."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

_WS = re.compile(r"\s+")
_ASCII_WORD = re.compile(r"[A-Za-z]")


def join_wrapped(text: str | None) -> str | None:
    """Undo the line wrapping of a table cell: lines are glued back together.

    Chinese text wraps anywhere, so lines are joined with nothing. A space survives only where the
    PDF prints one: a wrap at a space leaves the space glyph at the end of the line (cells are read
    with blank characters kept). Between two Latin letters a wrap can only have replaced a space.
    Whitespace runs become one space; the ends are trimmed.
    """
    if text is None:
        return None
    out = ""
    for line in text.split("\n"):
        if not line.strip():
            continue
        if out and _ASCII_WORD.fullmatch(out.rstrip()[-1]) and _ASCII_WORD.fullmatch(line.lstrip()[0]):
            out = out.rstrip() + " "
        out += line
    out = _WS.sub(" ", out).strip()
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


_LIST_SEPARATORS = re.compile(r"[,，;；]")
_DUNHAO = "、"


def split_projects(text: str | None, known_names: set[str] | frozenset[str] = frozenset()) -> tuple[str, ...]:
    """Split a key task's project list on , ， ; ； 、 and trim.

    Project names may contain 、 themselves ('DNA、刑侦耗材'). A list that uses commas or semicolons
    uses them as its separator, so a 、 inside one of its items is split only when every part is a
    name the report itself lists (its budget lines). A list separated by 、 alone is split on it, then
    adjacent parts are glued back whenever the result is such a name (longest wins).
    """
    if not text:
        return ()
    keys = {name_key(n) for n in known_names}
    if _LIST_SEPARATORS.search(text):
        out: list[str] = []
        for item in _LIST_SEPARATORS.split(text):
            parts = _split_dunhao(item, keys)
            known = all(name_key(p) in keys for p in parts)
            out.extend(parts if known and len(parts) > 1 else [item.strip()])
        return tuple(p for p in out if p)
    return tuple(_split_dunhao(text, keys))


def _split_dunhao(text: str, keys: set[str]) -> list[str]:
    pieces = text.split(_DUNHAO)
    out: list[str] = []
    i = 0
    while i < len(pieces):
        best, joined, candidate = i, pieces[i], pieces[i]
        for j in range(i + 1, len(pieces)):
            candidate = candidate + _DUNHAO + pieces[j]
            if name_key(candidate) in keys:
                best, joined = j, candidate
        if joined.strip():
            out.append(joined.strip())
        i = best + 1
    return out


def name_key(name: str) -> str:
    """Matching key for names: NFKC (full/half-width brackets and commas) with whitespace removed."""
    return squash(unicodedata.normalize("NFKC", name))
