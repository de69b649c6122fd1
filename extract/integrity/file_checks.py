"""File-level integrity checks: what the readers will draw from the file is what was written.

The file is read as a reader reads it: qpdf (through pikepdf) parses the objects, decrypts them,
follows incremental updates (the last revision of each object wins) and finds the pages in the page
tree. Where the objects are stored does not matter: only what they hold. On the parsed objects, the
checks no reader makes (each reader inflates what it can, skips what it cannot parse, and carries on,
dropping glyphs or lines, so these are the one reliable sign of damage):

- every Flate stream inflates completely with a correct checksum (under ASCII85/ASCIIHex too); a
  stream names no unknown filter, and holds no compressed data without a filter (a damaged /Filter);
- qpdf parses every object without a syntax repair (a stray word, a key that is not a name);
- a font dictionary holds the entries its kind requires, a simple font one width per code;
- every page object is in the page tree, and the tree lists no page twice;
- pdfminer (whose text pdfplumber reads) finds as many pages as PDFium.

Every revision's cross-reference table must point at the objects it names. An entry a few bytes off
(a common defect every reader repairs) is accepted when the object it names is found unambiguously
nearby, with a warning; a table that is unreadable (the readers then find the objects by scanning)
too. Any other wrong offset is rejected: PDFium trusts it and reads whatever bytes are there.

Pages swapped in the page tree read as valid text: what the document says judges their order — its
printed page numbers (`extract.integrity.records.check_page_numbers`), else a tagged PDF's structure
numbering of its pages (/StructParents). Only when a document has neither does the order in which
its pages were first written (before any incremental update) stand in for them.
"""

from __future__ import annotations

import base64
import io
import itertools
import os
import re
import tempfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, cast

import pikepdf

from .. import errors

# Inflated in pieces of this size and thrown away: a decompression bomb costs time, not memory.
_INFLATE_CHUNK_BYTES = 1 << 20
# Text encodings undone before the zlib stream they wrap (reportlab writes ASCII85 over Flate).
_TEXT_DECODERS = {
    "/ASCII85Decode": lambda body: base64.a85decode(body.strip().removesuffix(b"~>").removeprefix(b"<~")),
    "/ASCIIHexDecode": lambda body: bytes.fromhex(
        re.sub(rb"\s", b"", body).removesuffix(b">").decode("ascii")
    ),
}
_STANDARD_FILTERS = frozenset(
    [
        "/ASCIIHexDecode",
        "/ASCII85Decode",
        "/LZWDecode",
        "/FlateDecode",
        "/RunLengthDecode",
        "/CCITTFaxDecode",
        "/JBIG2Decode",
        "/DCTDecode",
        "/JPXDecode",
        "/Crypt",
        "/AHx",
        "/A85",
        "/LZW",
        "/Fl",
        "/RL",
        "/CCF",
        "/DCT",
    ]
)
# What qpdf says when it had to guess an object's syntax: a reader skips the token (PDFium drops the
# entry, ends the array) or keeps it as a value (pdfminer), and reads the rest as valid text.
_SYNTAX_REPAIRS = re.compile(
    r"unknown token|expected dictionary key|dictionary ended prematurely|unexpected dictionary close"
    r"|unexpected array close|treating unexpected|parse error while reading object|unexpected EOF"
    r"|too many errors"
)
_WARNING_OBJECT = re.compile(r"\(object (\d+) \d+[,)]")
_RECONSTRUCTED = re.compile(r"reconstruct cross-reference table")
_DUPLICATE_PAGE = re.compile(r"appears more than once in the pages tree")
_OBJECT_HEADER = re.compile(rb"(\d+)\s+(\d+)\s+obj\b")
# How far from where a cross-reference entry points its object may start and still be found
# (qpdf and PDFium find it by scanning): an offset counted without a line ending, or a digit off.
_NEARBY_BYTES = 64
_PAGE, _FONT = pikepdf.Name.Page, pikepdf.Name.Font


class CrossReferences:
    """pdfminer's reading of every revision's cross-reference table, and where each object an entry
    places (outside object streams) starts: `(xref, objid, offset, start or None)` in the tables'
    order. Read once per file, for `as_repaired` and then `check_file` (the parse is ≈ a tenth of
    the checks' CPU on a small file); a failure to read is kept, and `check_file` reports it."""

    def __init__(self, data: bytes) -> None:
        from pdfminer.pdfdocument import PDFDocument
        from pdfminer.pdfparser import PDFParser

        self.document = None
        self.starts: list[tuple[object, int, int, int | None]] = []
        self.error: Exception | None = None
        try:
            self.document = PDFDocument(PDFParser(io.BytesIO(data)))
            self.starts = [
                (xref, objid, offset, _object_start(data, objid, offset))
                for xref in self.document.xrefs
                for objid in xref.get_objids()
                for stream_objid, offset, _ in (xref.get_pos(objid),)
                if stream_objid is None
            ]
        except Exception as exc:  # pdfminer raises many unrelated types on damaged files
            self.document, self.starts, self.error = None, [], exc


def check_file(
    path: Path,
    data: bytes,
    page_count: int,
    page_order_confirmed: bool = False,
    xrefs: CrossReferences | None = None,
) -> tuple[str, ...]:
    """Reject a damaged file (IntegrityError); return warnings about faults the readers repair.

    `page_order_confirmed`: the printed page numbers already vouch for the page tree's order.
    `xrefs`: the file's cross-references as `as_repaired` read them (else read here); used up."""
    reconstructed, numbered_in_order = _check_objects(path, data, page_count)
    return _check_cross_reference(
        path,
        xrefs or CrossReferences(data),
        page_count,
        page_order_confirmed or numbered_in_order,
        reconstructed,
    )


def as_repaired(data: bytes, xrefs: CrossReferences | None = None) -> bytes:
    """The file as every reader should see it: when a cross-reference entry points a few bytes off
    its object (qpdf finds it; PDFium may load the page as blank or not at all), qpdf's rewrite of
    it with a correct table; else the file itself. `check_file` still judges the original bytes."""
    xrefs = xrefs or CrossReferences(data)
    if xrefs.error is not None:  # damaged beyond the readers' repair: check_file says how
        return data
    try:
        starts = [(offset, found) for _, _, offset, found in xrefs.starts]
        # Every entry right, or one of them nowhere near its object (rejected by check_file): as it is.
        if all(found == offset for offset, found in starts) or any(found is None for _, found in starts):
            return data
        out = io.BytesIO()
        with pikepdf.open(io.BytesIO(data)) as pdf:
            pdf.save(out)
        return out.getvalue()
    except Exception:  # damaged beyond the readers' repair: check_file says how
        return data


# --- the objects, as qpdf parses them ----------------------------------------------------------


@contextmanager
def _mapped(data: bytes) -> Iterator[BinaryIO]:
    """The bytes as a file in memory, for qpdf to map (`pikepdf.AccessMode.mmap`): from a BytesIO
    every read qpdf's parser makes is a call into Python, half its time on a small file. The same
    bytes either way; a BytesIO where no such file can be made."""
    fh: BinaryIO | None = None
    try:  # Linux: a file in memory, on no file system
        fh = open(os.memfd_create("pdf"), "w+b") if hasattr(os, "memfd_create") else tempfile.TemporaryFile()  # noqa: SIM115
        fh.write(data)
        fh.seek(0)
    except OSError:  # no room for it
        if fh is not None:
            fh.close()
        fh = None
    with fh or io.BytesIO(data) as source:
        yield source


def _check_objects(path: Path, data: bytes, page_count: int) -> tuple[bool, bool]:
    """(qpdf had to rebuild the cross-reference table by scanning the file, the pages' structure
    numbering vouches for their order)."""
    with _mapped(data) as source:
        return _check_parsed(path, source, page_count)


def _check_parsed(path: Path, source: BinaryIO, page_count: int) -> tuple[bool, bool]:
    try:
        # With mmap, pikepdf falls back to reading the stream itself where it cannot map it.
        pdf = pikepdf.open(source, access_mode=pikepdf.AccessMode.mmap)
    except (pikepdf.PdfError, pikepdf.PasswordError) as exc:
        raise errors.IntegrityError(path, f"qpdf cannot read the file ({_first_line(exc)})") from None
    with pdf:
        try:
            pages = [page.obj.objgen for page in pdf.pages]
        except pikepdf.PdfError as exc:  # qpdf fails on a page tree listing a page twice, among others
            raise errors.IntegrityError(
                path, f"qpdf cannot read the page tree ({_first_line(exc)})"
            ) from None
        try:
            page_set = set(pages)
            for obj in pdf.objects:
                _check_object(path, obj, page_set)
        except pikepdf.PdfError as exc:
            raise errors.IntegrityError(path, f"qpdf cannot read an object ({_first_line(exc)})") from None
        warnings = pdf.get_warnings()  # qpdf hands each warning out once
        for warning in warnings:
            if _DUPLICATE_PAGE.search(warning):
                raise errors.IntegrityError(path, "the page tree lists a page twice")
            repair = _SYNTAX_REPAIRS.search(warning)
            if repair:
                where = _WARNING_OBJECT.search(warning)
                what = warning[repair.start() :].split(";")[0]
                name = f"object {where.group(1)}" if where else "an object"
                raise errors.IntegrityError(path, f"{name} is malformed ({what})")
        if len(pages) != page_count:
            raise errors.IntegrityError(path, f"qpdf reads {len(pages)} pages, PDFium {page_count}")
        reconstructed = any(_RECONSTRUCTED.search(warning) for warning in warnings)
        return reconstructed, _check_structure_numbering(path, pdf)


def _check_structure_numbering(path: Path, pdf) -> bool:
    """A tagged PDF numbers each page's entry in its structure tree (/StructParents) in reading
    order, as the producer wrote the pages: the document's own word on their order, kept by every
    tool that rewrites the file. True when every page carries one and they run in the tree's order."""
    numbers = [page.obj.get("/StructParents") for page in pdf.pages]
    if not numbers or not all(isinstance(number, int) for number in numbers):
        return False
    for index, (before, after) in enumerate(itertools.pairwise(numbers), start=1):
        if after <= before:
            raise errors.IntegrityError(
                path, f"page {index + 1}'s structure number {after} does not follow page {index}'s {before}"
            )
    return True


def _check_object(path: Path, obj, pages: set[tuple[int, int]]) -> None:
    # A dictionary's keys are read once, as a set: asking qpdf whether it has each key costs as
    # much as the set (and a missing key's `get` several times more); null values count as absent
    # in both.
    is_stream = isinstance(obj, pikepdf.Stream)
    if not is_stream and not isinstance(obj, pikepdf.Dictionary):
        return
    dictionary = obj.stream_dict if is_stream else obj
    keys = dictionary.keys()
    kind = dictionary.get("/Type") if "/Type" in keys else None
    if is_stream:
        _check_stream(path, obj, dictionary, keys, kind)
    if kind is not None and kind == _PAGE and obj.objgen not in pages:
        raise errors.IntegrityError(path, f"page object {obj.objgen[0]} is missing from the page tree")
    problem = _font_problem(dictionary, kind, keys)
    if problem:
        raise errors.IntegrityError(path, f"object {obj.objgen[0]} is malformed ({problem})")


def _check_stream(path: Path, stream, dictionary, keys: set[str], kind) -> None:
    """`kind`: the dictionary's /Type, or None (`_check_object` read it)."""
    declared = dictionary.get("/Filter") if "/Filter" in keys else None
    if isinstance(declared, pikepdf.Name):
        names = [str(declared)]
    elif isinstance(declared, pikepdf.Array):
        names = [str(item) for item in declared]
    else:
        names = []
    unknown = next((n for n in names if n not in _STANDARD_FILTERS), None)
    if unknown is not None:  # readers then keep the data undecoded: a glyph or page draws nothing
        raise errors.IntegrityError(
            path, f"stream of object {_name(stream)} names an unknown filter {unknown}"
        )
    if not names and kind == pikepdf.Name.XRef:
        return
    body = stream.read_raw_bytes()  # decrypted, still encoded
    if not names:
        if _has_zlib_header(body) and _inflate_problem(body) is None:
            # A damaged /Filter key: the readers take the compressed bytes for the data itself.
            raise errors.IntegrityError(
                path, f"stream of object {_name(stream)} is compressed but declares no filter"
            )
        return
    if "/FlateDecode" not in names and "/Fl" not in names:
        return
    flate_at = next(i for i, n in enumerate(names) if n in ("/FlateDecode", "/Fl"))
    if any(n not in _TEXT_DECODERS for n in names[:flate_at]):
        return  # a filter we cannot undo wraps the zlib stream
    try:
        for decoder in names[:flate_at]:
            body = _TEXT_DECODERS[decoder](body)
    except ValueError as exc:
        raise errors.IntegrityError(path, f"stream of object {_name(stream)} is corrupt ({exc})") from None
    problem = _inflate_problem(body)
    if problem:
        raise errors.IntegrityError(path, f"stream of object {_name(stream)} {problem}")


def _name(stream) -> str:
    return "{} {}".format(*stream.objgen)


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


# Entries the PDF standard requires of each kind of font dictionary: a damaged key (the readers then
# take the entry as missing) makes the glyphs draw nothing or map to other characters.
_FONT_REQUIRED_KEYS = {
    "/Type1": ("/BaseFont",),
    "/MMType1": ("/BaseFont",),
    "/TrueType": ("/BaseFont",),
    "/Type3": ("/FontBBox", "/FontMatrix", "/CharProcs", "/Encoding", "/FirstChar", "/LastChar", "/Widths"),
    "/Type0": ("/BaseFont", "/Encoding", "/DescendantFonts"),
    "/CIDFontType0": ("/BaseFont", "/CIDSystemInfo", "/FontDescriptor"),
    "/CIDFontType2": ("/BaseFont", "/CIDSystemInfo", "/FontDescriptor"),
}


def _font_problem(dictionary, kind, keys: set[str]) -> str | None:
    """A font dictionary (found by /Type or /Subtype: one may be the damaged key) holds the entries
    its kind requires; a simple font lists one width per code from FirstChar to LastChar (one more or
    less shifts the advances of every code after it: digits print over each other, out of order)."""
    subtype = dictionary.get("/Subtype") if "/Subtype" in keys else None  # `keys`: `_check_object`'s
    subtype_name = str(subtype) if isinstance(subtype, pikepdf.Name) else None
    if kind != _FONT and subtype_name not in _FONT_REQUIRED_KEYS:
        return None
    required = ("/Type", "/Subtype", *_FONT_REQUIRED_KEYS.get(subtype_name or "", ()))
    missing = next((key for key in required if key not in keys), None)
    if missing is not None:
        return f"a font without its {missing} entry"
    first, last, widths = dictionary.get("/FirstChar"), dictionary.get("/LastChar"), dictionary.get("/Widths")
    counted = isinstance(first, int) and isinstance(last, int) and isinstance(widths, pikepdf.Array)
    if counted and len(widths) != last - first + 1:
        return f"{len(widths)} widths for codes {first} to {last}"
    return None


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


# --- the cross-reference tables, as pdfminer reads them ------------------------------------------


def _check_cross_reference(
    path: Path, xrefs: CrossReferences, page_count: int, page_order_confirmed: bool, reconstructed: bool
) -> tuple[str, ...]:
    """Every revision's table points at the objects it names (a few bytes off: repaired, warned);
    pdfminer's page tree agrees with PDFium's; pages were first written in the tree's order unless
    their printed numbers vouch for it. A table that needed rebuilding (`reconstructed` by qpdf, or
    unreadable to pdfminer) may have lost objects: every object referred to must then be found."""
    from pdfminer.pdfdocument import PDFXRef, PDFXRefFallback
    from pdfminer.pdfpage import PDFPage

    try:
        if xrefs.error is not None:
            raise xrefs.error
        document = xrefs.document
        assert document is not None  # read without an error
        first_written: dict[int, int] = {}  # where each object stored directly was first written
        repaired = 0
        # Entries inside an object stream are left out: qpdf parsed those objects above.
        for xref, objid, offset, found in xrefs.starts:
            if found is None:
                raise errors.IntegrityError(
                    path, f"cross-reference table points object {objid} at the wrong offset"
                )
            if found != offset:  # read from where it is, as PDFium and qpdf repair it
                repaired += 1
                if isinstance(xref, PDFXRef):  # a classic table (streams' entries are packed)
                    xref.offsets[objid] = (None, found, xref.get_pos(objid)[2])
            first_written[objid] = min(found, first_written.get(objid, found))
        # pdfminer types a page id as any object; the pages of a document are numbered by object.
        page_ids = [cast(int, page.pageid) for page in PDFPage.create_pages(document)]
        unreadable = any(isinstance(xref, PDFXRefFallback) for xref in document.xrefs)
        if reconstructed or unreadable:
            _check_references(path, document)
    except (errors.ReportError, MemoryError):
        raise
    except Exception as exc:  # pdfminer raises many unrelated types on damaged files
        raise errors.IntegrityError(
            path, f"pdfminer cannot read the page tree ({type(exc).__name__})"
        ) from None
    if len(page_ids) != page_count:
        raise errors.IntegrityError(path, f"pdfminer reads {len(page_ids)} pages, PDFium {page_count}")
    if not page_order_confirmed:
        _check_first_written_order(path, first_written, page_ids)
    warnings = []
    if unreadable:
        # Every reader then finds every object by scanning the file: the same objects, checked above.
        warnings.append("cross-reference table unreadable: objects found by scanning the file")
    if repaired:
        warnings.append(
            f"cross-reference table points {repaired} object{'s' * (repaired > 1)} a few bytes off:"
            " each found unambiguously nearby"
        )
    return tuple(warnings)


def _object_start(data: bytes, objid: int, offset: int) -> int | None:
    """Where object `objid` starts: at `offset`, or the one header naming it within a few bytes."""
    found = _OBJECT_HEADER.match(data, offset)
    if found is not None and int(found.group(1)) == objid:
        return offset
    start = max(0, offset - _NEARBY_BYTES)
    nearby = [
        match.start()
        for match in _OBJECT_HEADER.finditer(data, start, offset + _NEARBY_BYTES)
        if int(match.group(1)) == objid
        and (match.start() == 0 or not data[match.start() - 1 : match.start()].isdigit())
    ]
    return nearby[0] if len(nearby) == 1 else None


def _check_first_written_order(path: Path, first_written: dict[int, int], page_ids: list[int]) -> None:
    """Without printed page numbers, the one sign of swapped pages (a re-ordered table reads as valid
    rows) is the order the producer wrote them in: every writer writes pages in reading order, and an
    incremental update (a seal, a signature) re-stores a page later without moving where it was first
    written. Rejected rather than loaded wrong."""
    stored = [first_written[objid] for objid in page_ids if objid in first_written]
    for number, (before, after) in enumerate(itertools.pairwise(stored), start=1):
        if after < before:
            raise errors.IntegrityError(path, f"page {number + 1} was first written before page {number}")


def _check_references(path: Path, document) -> None:
    """Every object pdfminer's tables list can be read, and every object referred to is listed (a
    deleted object, or one whose entry is damaged, is read as null by every reader: text is lost)."""
    from pdfminer.pdftypes import PDFObjRef, PDFStream

    listed = {objid for xref in document.xrefs for objid in xref.get_objids()}
    for objid in sorted(listed):
        try:
            pending = [document.getobj(objid)]
        except Exception:  # listed, but no object where the table says: as good as missing
            raise errors.IntegrityError(path, f"object {objid} cannot be read") from None
        while pending:
            value = pending.pop()
            if isinstance(value, PDFObjRef):
                if value.objid not in listed:
                    raise errors.IntegrityError(path, f"object {value.objid} is referred to but missing")
            elif isinstance(value, PDFStream):
                pending.extend(value.attrs.values())
            elif isinstance(value, dict):
                pending.extend(value.values())
            elif isinstance(value, list):
                pending.extend(value)
