"""Text normalisation shared by every table: radical code points, wrapped lines, numbers, rates, names."""

from __future__ import annotations

import functools
import os
import re
import unicodedata
from decimal import Decimal, InvalidOperation

from ..errors import NumberParseError

# Reports printed from a browser carry radical code points in their text layer wherever the font draws
# the radical and the ideograph with one glyph (项⽬, 部⻔): the reader sees 目 and 门, so do we.
# Kangxi Radicals, the CJK Compatibility Ideographs and the angle brackets have NFKC mappings; the
# CJK Radicals Supplement has none, so its pairs (radical, ideograph) are Unicode's
# EquivalentUnifiedIdeograph.txt (15.0) for U+2E80–U+2EF3.
_RADICALS_SUPPLEMENT = (
    "⺁厂 ⺂乛 ⺃乚 ⺄乙 ⺅亻 ⺆冂 ⺇𠘨 ⺈刀 ⺉刂 ⺊卜 ⺋㔾 ⺌小 ⺍小 ⺎兀 ⺏尣 ⺐尢 "
    "⺑𡯂 ⺒巳 ⺓幺 ⺔彑 ⺕𫜹 ⺖忄 ⺗心 ⺘扌 ⺙攵 ⺛旡 ⺜日 ⺝月 ⺞歺 ⺟母 ⺠民 ⺡氵 "
    "⺢氺 ⺣灬 ⺤爫 ⺥爫 ⺦丬 ⺧牛 ⺨犭 ⺩王 ⺪𤴔 ⺫目 ⺬示 ⺭礻 ⺮𥫗 ⺯糹 ⺰纟 ⺱罓 "
    "⺲罒 ⺳㓁 ⺴冗 ⺵𦉫 ⺶羊 ⺷𦍌 ⺸𦍋 ⺹耂 ⺺肀 ⺻聿 ⺼肉 ⺽𦥑 ⺾艹 ⺿艹 ⻀艹 ⻁虎 "
    "⻂衤 ⻃覀 ⻄西 ⻅见 ⻆角 ⻇𧢲 ⻈讠 ⻉贝 ⻊𧾷 ⻋车 ⻌辶 ⻍辶 ⻎辶 ⻏邑 ⻐钅 ⻑長 "
    "⻒镸 ⻓长 ⻔门 ⻕𨸏 ⻖阝 ⻗雨 ⻘青 ⻙韦 ⻚页 ⻛风 ⻜飞 ⻝食 ⻞𩙿 ⻟飠 ⻠饣 ⻡𩠐 "
    "⻢马 ⻣骨 ⻤鬼 ⻥鱼 ⻦鸟 ⻧卤 ⻨麦 ⻩黄 ⻪黾 ⻫斉 ⻬齐 ⻭歯 ⻮齿 ⻯竜 ⻰龙 ⻱龜 "
    "⻲亀 ⻳龟"
)
_NFKC_IDEOGRAPH_BLOCKS = (
    (0x2329, 0x232A),  # angle brackets: one glyph with 〈 〉, and Chrome may write either
    (0x2F00, 0x2FD5),  # Kangxi Radicals
    (0xF900, 0xFAFF),  # CJK Compatibility Ideographs
    (0x2F800, 0x2FA1F),  # CJK Compatibility Ideographs Supplement
)


def _unified_ideograph_table() -> dict[int, str]:
    table = {ord(pair[0]): pair[1:] for pair in _RADICALS_SUPPLEMENT.split()}
    for first, last in _NFKC_IDEOGRAPH_BLOCKS:
        for code in range(first, last + 1):
            unified = unicodedata.normalize("NFKC", chr(code))
            if unified != chr(code):
                table[code] = unified
    return table


_UNIFIED_IDEOGRAPHS = _unified_ideograph_table()


def unify_ideographs(text: str) -> str:
    """Radical and compatibility code points as the unified ideographs they print: '部⻔项⽬' -> '部门项目'.

    Only these blocks: NFKC on everything would also turn full-width brackets and commas half-width.
    """
    return text.translate(_UNIFIED_IDEOGRAPHS)


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


@functools.cache
def regex(pattern: str) -> re.Pattern[str]:
    """`re.compile(pattern)`, kept: forms match the same header patterns against every cell, and
    `re.search(pattern, ...)` pays a Python-level cache lookup on every call (a fifth of a project
    file's form reading)."""
    return re.compile(pattern)


@functools.lru_cache(maxsize=8192)
def squash(text: str | None) -> str:
    """Whitespace removed entirely: for matching headers, titles and numbers. Kept for the texts
    seen last: the forms squash each cell many times over (≈ 150,000 calls over the 28 table
    fixtures, a few thousand texts)."""
    return _WS.sub("", text or "")


# Marks a table prints in a cell where nothing applies: read as null wherever they stand alone.
EMPTY_MARKS = frozenset({"-", "—", "－", "/", "／"})
_BLANK_NUMBERS = {"", *EMPTY_MARKS, "NaN", "nan", "无"}


def parse_amount(text: str | None) -> Decimal | None:
    """'389,658.89' / '-\\n11504.04' / '３１２' -> Decimal; blank or dash -> None (never 0)."""
    s = unicodedata.normalize("NFKC", squash(text)).replace(",", "").replace("−", "-")
    if s in _BLANK_NUMBERS:
        return None
    try:
        value = Decimal(s)
    except InvalidOperation:
        value = None
    # Decimal also reads 'Infinity' and 'sNaN': never a printed amount, so never a silent NULL.
    if value is None or not value.is_finite():
        raise NumberParseError(f"cannot read {text!r} as an amount")
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


def file_name(path: str | os.PathLike[str]) -> str:
    """The file's name as text every writer can store (Parquet, DuckDB, JSON): as it is when it is
    text, else — a name in another byte encoding (GBK from a Windows zip or share), which Python
    hands over with each undecodable byte as a lone surrogate — with each such byte written `\\xNN`."""
    name = os.path.basename(os.fspath(path))
    return "".join(f"\\x{ord(ch) - 0xDC00:02x}" if 0xDC80 <= ord(ch) <= 0xDCFF else ch for ch in name)
