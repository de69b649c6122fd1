"""Integrity checks between extraction and load: a report is loaded right or rejected with a reason.

Two kinds of check, both run by `read_report` (so `selfeval extract` prints what `build` loads):

- the file's bytes (`check_file`): every Flate stream inflates completely with a correct
  checksum, pdfminer finds as many pages as PDFium, and PDFium loads each one. Most damage lands
  in compressed streams (fonts, page contents): readers inflate what they can and carry on,
  dropping glyphs or whole lines, so the checksum is the one reliable sign. A stream's data is what
  its filters say (no compressed data behind a damaged /Filter, no unknown filter). Every object is
  well-formed (no stray word, every dictionary key a name, one width per font code): the readers
  skip what they cannot parse and read the rest as valid text. Every object referred
  to must exist, and every page object be in the page tree, in the order the file stores the
  pages. A file whose cross-reference table is unreadable (both readers then find the objects by
  scanning the file) is loaded with a warning; one whose readable table points an object at the
  wrong offset is rejected (PDFium reads whatever bytes the entry points at);
- the records (`check_report`): what the report states in section 四 agrees with its tables, every
  table row has its required cells, no row of a table is printed twice, sections 一 to 九 are all
  printed and in order, and no text field holds control characters, U+FFFD or private-use code
  points. A file of project tables (`check_project_file`) gets the text and required-cell checks:
  sections and section 四 belong to the department-wide report alone.
"""

from __future__ import annotations

import base64
import io
import itertools
import re
import unicodedata
import zlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import astuple, dataclass, field
from pathlib import Path
from typing import cast

from . import errors
from .models import ProjectFile, Report

# Inflated in pieces of this size and thrown away: a decompression bomb costs time, not memory.
_INFLATE_CHUNK_BYTES = 1 << 20
_STREAM = re.compile(rb"stream\r?\n")
_END_STREAM = b"endstream"
_OBJECT_HEADER = re.compile(rb"(\d+)\s+(\d+)\s+obj\b")
_FILTERS = re.compile(rb"/Filter\s*(\[[^\]]*\]|/\w+)")
_FILTER_NAME = re.compile(rb"/(\w+)")
# Text encodings undone before the zlib stream they wrap (reportlab writes ASCII85 over Flate).
_TEXT_DECODERS = {
    b"ASCII85Decode": lambda body: base64.a85decode(body.strip().removesuffix(b"~>").removeprefix(b"<~")),
    b"ASCIIHexDecode": lambda body: bytes.fromhex(
        re.sub(rb"\s", b"", body).removesuffix(b">").decode("ascii")
    ),
}
_STANDARD_FILTERS = frozenset(
    b"ASCIIHexDecode ASCII85Decode LZWDecode FlateDecode RunLengthDecode CCITTFaxDecode JBIG2Decode "
    b"DCTDecode JPXDecode Crypt AHx A85 LZW Fl RL CCF DCT".split()
)
_ENCRYPT = re.compile(rb"/Encrypt\s*\d+\s+\d+\s+R")
_TYPE = re.compile(rb"/Type\s*/(\w+)")
_DIRECT_LENGTH = re.compile(rb"/Length\s+(\d+)(?!\s+\d+\s+R)")
# Enough of the text before `stream` to hold its dictionary (fonts' dictionaries are the longest).
_DICT_LOOKBACK_BYTES = 2048


def check_file(path: Path, data: bytes, page_count: int) -> tuple[str, ...]:
    """Reject a damaged file (IntegrityError); return warnings about faults the readers repair."""
    _check_flate_streams(path, data, _decipher(data))
    return _check_structure(path, data, page_count)


def _decipher(data: bytes):
    """pdfminer's stream decryption for an encrypted file (permissions set with an empty user
    password, as many published reports are), else None. Its streams are checked once decrypted."""
    if not _ENCRYPT.search(data):
        return None
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfparser import PDFParser

    try:
        return PDFDocument(PDFParser(io.BytesIO(data))).decipher
    except Exception:  # pdfminer raises many unrelated types on damaged files; the stream check then fails
        return None


def _decrypted(decipher, header: re.Match, dictionary: bytes, body: bytes) -> bytes:
    """A stream's data as its filters see it. Cross-reference streams are never encrypted."""
    from pdfminer.psparser import LIT

    kind = _TYPE.search(dictionary)
    if kind is not None and kind.group(1) == b"XRef":
        return body
    length = _DIRECT_LENGTH.search(dictionary)
    body = body[: int(length.group(1))] if length else body.removesuffix(b"\n").removesuffix(b"\r")
    attrs = {"Type": LIT(kind.group(1).decode())} if kind else {}
    try:
        return decipher(int(header.group(1)), int(header.group(2)), body, attrs)
    except Exception:  # a cipher's padding or block-size error: damaged data
        return b""


def _check_flate_streams(path: Path, data: bytes, decipher=None) -> None:
    for match in _STREAM.finditer(data):
        start = max(0, match.start() - _DICT_LOOKBACK_BYTES)
        if not data[start : match.start()].rstrip().endswith(b">>"):
            continue  # the word 'stream' inside other data (or 'endstream'), not after a dictionary
        previous_end = data.rfind(b"endobj", start, match.start())  # the header is after it
        before = data[start if previous_end < 0 else previous_end : match.start()]
        header = list(_OBJECT_HEADER.finditer(before))
        if not header:
            continue
        dictionary = before[header[-1].end() :]
        filters = _FILTERS.search(dictionary)
        names = _FILTER_NAME.findall(filters.group(1)) if filters else []
        name = f"{int(header[-1].group(1))} {int(header[-1].group(2))}"
        unknown = next((n for n in names if n not in _STANDARD_FILTERS), None)
        if unknown is not None:  # readers then keep the data undecoded: a glyph or page draws nothing
            raise errors.IntegrityError(
                path, f"stream of object {name} names an unknown filter /{unknown.decode()}"
            )
        end = data.find(_END_STREAM, match.end())
        body = data[match.end() : end if end >= 0 else len(data)]
        if decipher is not None:
            body = _decrypted(decipher, header[-1], dictionary, body)
        if not names and _has_zlib_header(body) and _inflate_problem(body) is None:
            # A damaged /Filter key: the readers take the compressed bytes for the data itself.
            raise errors.IntegrityError(path, f"stream of object {name} is compressed but declares no filter")
        if b"FlateDecode" not in names:
            continue
        before_flate = names[: names.index(b"FlateDecode")]
        if any(n not in _TEXT_DECODERS for n in before_flate):
            continue  # a filter we cannot undo wraps the zlib stream
        try:
            for decoder in before_flate:
                body = _TEXT_DECODERS[decoder](body)
        except ValueError as exc:
            raise errors.IntegrityError(path, f"stream of object {name} is corrupt ({exc})") from None
        problem = _inflate_problem(body)
        if problem:
            raise errors.IntegrityError(path, f"stream of object {name} {problem}")


def _has_zlib_header(body: bytes) -> bool:
    """zlib's two header bytes: method 8 (deflate), and a check making them a multiple of 31."""
    return len(body) >= 2 and body[0] & 0x0F == 8 and (body[0] << 8 | body[1]) % 31 == 0


def _inflate_problem(body: bytes) -> str | None:
    """Why a Flate stream is damaged, or None. zlib checks the Adler-32 checksum at the stream's end."""
    inflater = zlib.decompressobj()
    try:
        inflater.decompress(body, _INFLATE_CHUNK_BYTES)
        while inflater.unconsumed_tail and not inflater.eof:
            inflater.decompress(inflater.unconsumed_tail, _INFLATE_CHUNK_BYTES)
    except zlib.error as exc:
        return "fails its checksum" if "incorrect data check" in str(exc) else f"is corrupt ({exc})"
    return None if inflater.eof else "ends before its data does"


def _check_structure(path: Path, data: bytes, page_count: int) -> tuple[str, ...]:
    """pdfminer's view of the file agrees with PDFium's; an unreadable cross-reference table is a warning."""
    from pdfminer.pdfdocument import PDFDocument, PDFXRefFallback
    from pdfminer.pdfpage import PDFPage
    from pdfminer.pdfparser import PDFParser

    try:
        document = PDFDocument(PDFParser(io.BytesIO(data)))
        # PDFium trusts a readable table's entries and reads whatever bytes they point at (a page
        # comes out blank), so a wrong offset is not repaired: the table must hold, or be unreadable.
        misplaced = next(
            (o for xref in document.xrefs for o in xref.get_objids() if _misplaced(data, o, xref.get_pos(o))),
            None,
        )
        if misplaced is not None:
            raise errors.IntegrityError(
                path, f"cross-reference table points object {misplaced} at the wrong offset"
            )
        # pdfminer types a page id as any object; the pages of a document are numbered by object.
        page_ids = [cast(int, page.pageid) for page in PDFPage.create_pages(document)]
    except (errors.ReportError, MemoryError):
        raise
    except Exception as exc:  # pdfminer raises many unrelated types on damaged files
        raise errors.IntegrityError(
            path, f"pdfminer cannot read the page tree ({type(exc).__name__})"
        ) from None
    if len(page_ids) != page_count:
        raise errors.IntegrityError(path, f"pdfminer reads {len(page_ids)} pages, PDFium {page_count}")
    offsets = _check_objects(path, data, document, page_ids)
    _check_page_order(path, offsets, page_ids)
    if any(isinstance(xref, PDFXRefFallback) for xref in document.xrefs):
        # Both readers then find every object by scanning the file: the same objects, checked above.
        return ("cross-reference table unreadable: objects found by scanning the file",)
    return ()


def _check_objects(path: Path, data: bytes, document, page_ids: list[int]) -> dict[int, int]:
    """Every object is well-formed, every object referred to exists (none deleted), and every page
    object is in the page tree. Returns where each object stored directly in the file starts.

    (A page listed twice is counted once by pdfminer, twice by PDFium: the page counts differ.)"""
    positions: dict[int, tuple] = {}
    for xref in document.xrefs:  # the newest table first: the object each reader uses
        for objid in xref.get_objids():
            positions.setdefault(objid, xref.get_pos(objid))
    in_tree = set(page_ids)
    offsets: dict[int, int] = {}
    for objid, (stream_objid, offset, _) in sorted(positions.items()):
        if stream_objid is None:
            offsets[objid] = offset
            try:
                found = _read_object(data, offset)
            except errors.MalformedObjectError as exc:
                raise errors.IntegrityError(path, f"object {objid} is malformed ({exc})") from None
        else:
            # Inside an object stream, whose checksum the stream check verified: pdfminer reads it.
            found = _read_stored_object(path, document, objid)
        if found.is_page and objid not in in_tree:
            raise errors.IntegrityError(path, f"page object {objid} is missing from the page tree")
        missing = next((ref for ref in found.refs if ref not in positions), None)
        if missing is not None:
            raise errors.IntegrityError(path, f"object {missing} is referred to but missing")
    return offsets


def _check_page_order(path: Path, offsets: dict[int, int], page_ids: list[int]) -> None:
    """Writers store pages in reading order; a page tree that lists them otherwise is the one sign
    of swapped pages (a re-ordered table reads as valid rows). Rejected rather than loaded wrong."""
    stored = [offsets[objid] for objid in page_ids if objid in offsets]
    for number, (before, after) in enumerate(itertools.pairwise(stored), start=1):
        if after < before:
            raise errors.IntegrityError(path, f"page {number + 1} is stored before page {number}")


def _read_stored_object(path: Path, document, objid: int) -> _Object:
    """An object inside an object stream, as pdfminer reads it."""
    from pdfminer.pdftypes import PDFObjRef, PDFStream
    from pdfminer.psparser import KWD, LIT, PSKeyword

    null_keyword = KWD(b"null")
    try:
        value = document.getobj(objid)
    except Exception:  # listed, but no object where the table says: as good as missing
        raise errors.IntegrityError(path, f"object {objid} cannot be read") from None
    is_page = isinstance(value, dict) and value.get("Type") is LIT("Page")
    refs, pending = [], [value]
    while pending:
        value = pending.pop()
        if isinstance(value, PDFObjRef):
            refs.append(value.objid)
        elif isinstance(value, PSKeyword) and value is not null_keyword:
            # pdfminer's object-stream parser leaves `null` a keyword; any other is a stray word.
            raise errors.IntegrityError(
                path, f"object {objid} is malformed ({_shown(value.name)} where a value should be)"
            )
        elif isinstance(value, PDFStream):
            pending.extend(value.attrs.values())
        elif isinstance(value, dict):
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
    return _Object(tuple(refs), is_page)


def _misplaced(data: bytes, objid: int, position: tuple) -> bool:
    stream_objid, offset, _ = position
    if stream_objid is not None:  # inside an object stream: checked by inflating that stream
        return False
    found = _OBJECT_HEADER.match(data, offset)
    return found is None or int(found.group(1)) != objid


# --- object syntax -------------------------------------------------------------------------------
# Both readers skip what they cannot parse: PDFium drops a dictionary entry whose key is not a name
# and ends an array at a stray word, pdfminer keeps the word as a value. Either way a damaged byte in
# a font's dictionary or widths reads as valid text, decoded or placed wrongly. Writers never emit
# such tokens, so any one of them is damage.

_WHITE = rb"\x00\t\n\x0c\r "
_REGULAR = rb"[^\x00\t\n\x0c\r ()<>\[\]{}/%]"
# Possessive and atomic: a long run of digits or of '%' costs linear time, never backtracking.
_SPACE = rb"(?:[" + _WHITE + rb"]++|%[^\r\n]*+)*+"
_NUMBER = rb"(?>[+-]?(?:\d+(?:\.\d*)?|\.\d+))(?!" + _REGULAR + rb")"
# Possessive: a name ending in digits ('/A1 <<') is one name, never a shorter name and a number.
_NAME = rb"/" + _REGULAR + rb"*+"
_REF = rb"\d+[" + _WHITE + rb"]+\d+[" + _WHITE + rb"]+R(?!" + _REGULAR + rb")"
_TOKEN = re.compile(
    _SPACE + rb"(?:(?P<ref>" + _REF + rb")"
    # Runs of numbers (widths, matrices) and of names (a Type3 font's /Differences) are one token
    # each: most of a font's dictionary.
    rb"|(?P<numbers>" + _NUMBER + rb"(?:[" + _WHITE + rb"]+(?!" + _REF + rb")" + _NUMBER + rb")*)"
    rb"|(?P<names>" + _NAME + rb"(?:[" + _WHITE + rb"]*" + _NAME + rb")*)"
    rb"|(?P<open><<|\[)|(?P<close>>>|\])"
    rb"|(?P<hex><[0-9A-Fa-f" + _WHITE + rb"]*>)"
    rb"|(?P<string>\()"
    rb"|(?P<word>" + _REGULAR + rb"+)"
    rb"|(?P<other>.))?",
    re.DOTALL,
)
_NAMES = re.compile(_NAME)
# Entries whose values are names, numbers or references (most of a dictionary: every glyph of a
# Type3 font's /CharProcs): read in one piece, their references by a second expression.
_SCALAR = rb"(?:" + _REF + rb"|" + _NUMBER + rb"|" + _NAME + rb"|(?:true|false|null)(?!" + _REGULAR + rb"))"
_ENTRY = _SPACE + rb"(" + _NAME + rb")" + _SPACE + rb"(" + _SCALAR + rb")"
_ENTRIES = re.compile(rb"(?:" + _ENTRY + rb")+")
_ENTRY_PARTS = re.compile(_ENTRY)
_REFS = re.compile(rb"(\d+)[" + _WHITE + rb"]+\d+[" + _WHITE + rb"]+R(?!" + _REGULAR + rb")")
_STRING_PART = re.compile(rb"(?:[^()\\]|\\.)*", re.DOTALL)
_CONSTANTS = frozenset({b"true", b"false", b"null"})
_OBJECT_END = frozenset({b"endobj", b"stream"})


@dataclass(frozen=True)
class _Object:
    refs: tuple[int, ...]  # the objects it refers to
    is_page: bool


@dataclass(slots=True)
class _Container:
    is_dict: bool
    key: bytes | None = None  # a dictionary's key awaiting its value
    count: int = 0  # an array's values


def _read_object(data: bytes, offset: int) -> _Object:
    """The object whose `N G obj` header is at `offset`, token by token up to `stream` or `endobj`."""
    header = _OBJECT_HEADER.match(data, offset)
    if header is None:
        raise errors.MalformedObjectError("no object header where the table says")
    reader, pos = _ObjectReader(), header.end()
    while True:
        if reader.stack and reader.stack[-1].is_dict and reader.stack[-1].key is None:
            entries = _ENTRIES.match(data, pos)
            if entries is not None:
                reader.take_entries(entries.group())
                pos = entries.end()
        token = _TOKEN.match(data, pos)
        if token is None or token.lastgroup is None:
            raise errors.MalformedObjectError("no endobj")
        kind, pos = token.lastgroup, token.end()
        text = token.group(kind)
        if reader.is_complete:
            if kind == "word" and text in _OBJECT_END:
                _check_widths(reader.entries)
                _check_font_keys(reader.entries)
                return _Object(tuple(reader.refs), reader.entries.get(b"/Type") == b"/Page")
            raise errors.MalformedObjectError(f"{_shown(text)} after the object's value")
        if kind == "string":
            pos = _string_end(data, pos)
        if kind == "names" and reader.stack and reader.stack[-1].is_dict:
            for name in _NAMES.findall(text):  # keys and values in turn
                reader.take("names", name)
        else:
            reader.take(kind, text)


@dataclass(slots=True)
class _ObjectReader:
    """One object's tokens in turn: containers open, keys are names, every value in its place."""

    stack: list[_Container] = field(default_factory=list)
    refs: list[int] = field(default_factory=list)
    entries: dict[bytes, bytes | int] = field(default_factory=dict)  # the top dictionary's values
    is_complete: bool = False  # the object's one value has been read

    def take_entries(self, text: bytes) -> None:
        """Entries of the open dictionary, each a name and a name, number or reference."""
        self.refs.extend(int(objid) for objid in _REFS.findall(text))
        if len(self.stack) == 1:
            self.entries.update(_ENTRY_PARTS.findall(text))

    def take(self, kind: str, text: bytes) -> None:
        top = self.stack[-1] if self.stack else None
        if top is not None and top.is_dict and top.key is None and text != b">>":
            if kind != "names":
                raise errors.MalformedObjectError(f"{_shown(text)} where a key should be")
            top.key = text
            return
        if kind == "open":
            self.stack.append(_Container(is_dict=text == b"<<"))
            return
        if kind == "close":
            if top is None or top.is_dict != (text == b">>"):
                raise errors.MalformedObjectError(f"{_shown(text)} closes nothing open")
            if top.key is not None:
                raise errors.MalformedObjectError(f"key {_shown(top.key)} has no value")
            self.stack.pop()
            value: bytes | int = top.count
        elif kind in ("word", "other") and text not in _CONSTANTS:
            raise errors.MalformedObjectError(f"{_shown(text)} where a value should be")
        else:
            value = text
            if kind == "ref":
                self.refs.append(int(text.split(None, 1)[0]))
        parent = self.stack[-1] if self.stack else None
        if parent is not None and not parent.is_dict:
            parent.count += (
                text.count(b"/") if kind == "names" else len(text.split()) if kind == "numbers" else 1
            )
            return
        if kind == "numbers" and len(text.split()) > 1:
            raise errors.MalformedObjectError(f"{_shown(text)} where one value should be")
        if parent is None:
            self.is_complete = True
        else:
            if len(self.stack) == 1 and parent.key is not None:
                self.entries[parent.key] = value
            parent.key = None


# Entries the PDF standard requires of each kind of font dictionary: a damaged key (PDFium and
# pdfminer then take the entry as missing) makes the glyphs draw nothing or map to other characters.
_FONT_REQUIRED_KEYS = {
    b"/Type1": (b"/BaseFont",),
    b"/MMType1": (b"/BaseFont",),
    b"/TrueType": (b"/BaseFont",),
    b"/Type3": (
        b"/FontBBox",
        b"/FontMatrix",
        b"/CharProcs",
        b"/Encoding",
        b"/FirstChar",
        b"/LastChar",
        b"/Widths",
    ),
    b"/Type0": (b"/BaseFont", b"/Encoding", b"/DescendantFonts"),
    b"/CIDFontType0": (b"/BaseFont", b"/CIDSystemInfo", b"/FontDescriptor"),
    b"/CIDFontType2": (b"/BaseFont", b"/CIDSystemInfo", b"/FontDescriptor"),
}


def _check_font_keys(entries: dict[bytes, bytes | int]) -> None:
    """A font dictionary holds the entries its kind requires (found by /Type or /Subtype: one may be
    the damaged key)."""
    subtype = entries.get(b"/Subtype")
    if entries.get(b"/Type") != b"/Font" and subtype not in _FONT_REQUIRED_KEYS:
        return
    kind_keys = _FONT_REQUIRED_KEYS.get(subtype, ()) if isinstance(subtype, bytes) else ()
    required = (b"/Type", b"/Subtype", *kind_keys)
    missing = next((key for key in required if key not in entries), None)
    if missing is not None:
        raise errors.MalformedObjectError(f"a font without its {missing.decode()} entry")


def _check_widths(entries: dict[bytes, bytes | int]) -> None:
    """A simple font lists one width per code from FirstChar to LastChar: one more or less shifts the
    advances of every code after it (digits then print over each other and read out of order)."""
    first, last, widths = entries.get(b"/FirstChar"), entries.get(b"/LastChar"), entries.get(b"/Widths")
    if not (isinstance(first, bytes) and first.isdigit() and isinstance(last, bytes) and last.isdigit()):
        return
    if isinstance(widths, int) and widths != int(last) - int(first) + 1:
        raise errors.MalformedObjectError(f"{widths} widths for codes {int(first)} to {int(last)}")


def _string_end(data: bytes, pos: int) -> int:
    """Where the literal string opened just before `pos` ends (parentheses nest, backslash escapes)."""
    depth = 1
    while depth:
        part = _STRING_PART.match(data, pos)
        if part is None:
            raise errors.MalformedObjectError("a string is never closed")
        pos = part.end()
        if pos >= len(data):
            raise errors.MalformedObjectError("a string is never closed")
        depth += 1 if data[pos] == ord("(") else -1
        pos += 1
    return pos


def _shown(text: bytes) -> str:
    """A token as printable one-line text, at most 20 characters of it."""
    shown = repr(text[:20])[2:-1]
    return f"'{shown}…'" if len(text) > 20 else f"'{shown}'"


# --- records -------------------------------------------------------------------------------------

_SECTION_NUMERALS = "一二三四五六七八九"
_SECTION = re.compile(rf"^([{_SECTION_NUMERALS}])[、.．]\S")
_BAD_CATEGORIES = {"Cc": "control character", "Co": "private-use character", "Cs": "surrogate"}
_REPLACEMENT_CHARACTER = "\ufffd"
_MAX_TITLE_CHARS = 60


def check_pages(path: Path, pages) -> None:
    """No printed character inside a table is left out of its cells (a damaged rule merges or drops them)."""
    for page in pages:
        if page.chars_outside_cells:
            raise errors.MalformedTableError(
                path,
                f"page {page.number}: {page.chars_outside_cells} characters inside a table but in no cell",
            )


def check_report(path: Path, report: Report, section_titles: Iterable[str]) -> None:
    """Raise IntegrityError (or MalformedTableError) unless the records are complete and consistent."""
    _check_title(path, report.title)
    _check_section_order(path, section_titles)
    _check_text(path, report)
    _check_required_cells(path, report)
    _check_no_repeated_rows(path, report)
    _check_stated_facts(path, report)


def _check_title(path: Path, title: str) -> None:
    if len(title) > _MAX_TITLE_CHARS or not title.endswith("报告"):
        raise errors.IntegrityError(
            path, f"the first page does not start with the report's title ({title[:20]}…)"
        )


def _check_section_order(path: Path, titles: Iterable[str]) -> None:
    """Sections 一 to 九 are all printed, in order: else pages are missing or misplaced."""
    seen: list[str] = []
    for title in titles:
        match = _SECTION.match(title)
        if not match:
            continue
        numeral = match.group(1)
        if seen and _SECTION_NUMERALS.index(numeral) < _SECTION_NUMERALS.index(seen[-1]):
            raise errors.IntegrityError(path, f"section {numeral} printed after section {seen[-1]}")
        seen.append(numeral)
    missing = [n for n in _SECTION_NUMERALS if n not in seen]
    if missing:
        raise errors.IntegrityError(path, f"section {missing[0]} missing")


def _text_fields(report: Report) -> Iterable[tuple[str, str]]:
    yield "title", report.title
    yield "department", report.department
    for table in ("budget_lines", "key_tasks", "indicators"):
        for index, record in enumerate(getattr(report, table), start=1):
            for value in astuple(record)[:-1]:  # provenance last: numbers only
                for text in value if isinstance(value, tuple) else (value,):
                    if isinstance(text, str):
                        yield f"{table} row {index}", text


def _check_text(path: Path, report: Report) -> None:
    _check_characters(path, _text_fields(report))


def _check_characters(path: Path, fields: Iterable[tuple[str, str]]) -> None:
    for where, text in fields:
        for char in text:
            kind = _BAD_CATEGORIES.get(unicodedata.category(char))
            if char == _REPLACEMENT_CHARACTER:
                kind = "replacement character"
            if kind:
                raise errors.IntegrityError(path, f"{kind} U+{ord(char):04X} in {where}")


def _check_required_cells(path: Path, report: Report) -> None:
    for index, line in enumerate(report.budget_lines, start=1):
        if not line.line_name:
            raise errors.MalformedTableError(path, f"七、预算信息 row {index}: no name")
        # Summary lines always print these three (0 when nothing): a blank one is a lost glyph.
        if line.line_type != "project" and None in (
            line.initial_budget,
            line.adjusted_budget,
            line.actual_spend,
        ):
            raise errors.MalformedTableError(path, f"七、预算信息 {line.line_name}: an amount is blank")
    for index, task in enumerate(report.key_tasks, start=1):
        if not task.task:
            raise errors.MalformedTableError(path, f"八、年度重点任务 row {index}: no task")
    for index, indicator in enumerate(report.indicators, start=1):
        if not (indicator.indicator_name and indicator.level1):
            raise errors.MalformedTableError(path, f"九、部门整体自评表 row {index}: no level-1 type or name")


def _check_no_repeated_rows(path: Path, report: Report) -> None:
    """A row printed twice with every cell equal is a page printed twice, not two records."""
    for table, title in (
        ("budget_lines", "七、预算信息"),
        ("key_tasks", "八、年度重点任务"),
        ("indicators", "九、部门整体自评表"),
    ):
        counts = Counter(astuple(record)[:-1] for record in getattr(report, table))
        repeated = [row for row, n in counts.items() if n > 1]
        if repeated:
            raise errors.IntegrityError(path, f"{title}: a row is printed twice ({repeated[0][0]} …)")


def _check_stated_facts(path: Path, report: Report) -> None:
    """Counts and rates the report states in section 四 equal what its tables hold, where stated."""
    facts = report.facts
    indicators = report.indicators
    counted = {
        "履职绩效目标 (indicator_total)": (
            facts.indicator_total,
            sum(1 for i in indicators if "履职" in (i.level1 or "")),
        ),
        "效益指标 (benefit_indicator_count)": (
            facts.benefit_indicator_count,
            sum(1 for i in indicators if "效益" in (i.category or "")),
        ),
        "社会满意度指标 (satisfaction_indicator_count)": (
            facts.satisfaction_indicator_count,
            sum(1 for i in indicators if "满意度" in (i.category or "")),
        ),
    }
    for name, (stated, found) in counted.items():
        if stated is not None and stated != found:
            raise errors.IntegrityError(path, f"section 四 states {stated} {name}, 九 lists {found}")
    totals = [b for b in report.budget_lines if b.line_type == "total"]
    stated_rate = facts.budget_timeliness_rate_pct
    if stated_rate is not None and len(totals) == 1 and totals[0].execution_rate_pct != stated_rate:
        raise errors.IntegrityError(
            path,
            f"section 四 states 预算执行时效完成率 {stated_rate}%, "
            f"七's total line {totals[0].execution_rate_pct}%",
        )


# --- project tables ----------------------------------------------------------------------------


def check_project_file(path: Path, extracted: ProjectFile) -> None:
    """Every project table has its name, every funding line its name, every indicator its level and
    name (a lost glyph or a broken rule empties them), and no text holds a character no table prints."""
    for number, table in enumerate(extracted.projects, start=1):
        where = f"project table {number} ({table.project_name})"
        if not table.project_name:
            raise errors.MalformedTableError(path, f"project table {number}: no 项目名称")
        for index, line in enumerate(table.funding_lines, start=1):
            if not line.line_name:
                raise errors.MalformedTableError(path, f"{where} funding row {index}: no name")
        for index, indicator in enumerate(table.indicators, start=1):
            if not (indicator.indicator_name and indicator.level1):
                raise errors.MalformedTableError(path, f"{where} indicator {index}: no level-1 type or name")
        _check_characters(path, _project_text_fields(where, table))
    for number, department in enumerate(extracted.department_tables, start=1):
        _check_department_table(path, f"department-wide table {number} ({department.department})", department)


def _check_department_table(path: Path, where: str, table) -> None:
    """As a project table's: names present (an indicator's level where its form prints levels), no
    character no table prints."""
    for index, line in enumerate(table.funding_lines, start=1):
        if not line.line_name:
            raise errors.MalformedTableError(path, f"{where} funding row {index}: no name")
    has_levels = any(i.level1 for i in table.indicators)
    for index, indicator in enumerate(table.indicators, start=1):
        if not indicator.indicator_name or (has_levels and not indicator.level1):
            raise errors.MalformedTableError(path, f"{where} indicator {index}: no level-1 type or name")
    texts = [(where, table.department), *((where, getattr(table, f) or "") for f in _DEPARTMENT_TEXTS)]
    _check_characters(
        path, [*texts, *_record_texts(where, table, ("funding_lines", "key_tasks", "indicators"))]
    )


_DEPARTMENT_TEXTS = ("goal_expected", "goal_adjusted", "goal_achieved", "problems", "improvements")


def _project_text_fields(where: str, table) -> Iterable[tuple[str, str]]:
    for name in ("department", "implementing_unit", "project_name", "goal_expected", "goal_achieved"):
        yield where, getattr(table, name) or ""
    yield from _record_texts(where, table, ("funding_lines", "indicators"))


def _record_texts(where: str, table, tables: tuple[str, ...]) -> Iterable[tuple[str, str]]:
    for rows in tables:
        for index, record in enumerate(getattr(table, rows), start=1):
            for value in astuple(record):  # provenance: numbers only
                if isinstance(value, str):
                    yield f"{where} {rows} row {index}", value
