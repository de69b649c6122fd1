"""Integrity checks between extraction and load (extract/integrity/): right or rejected, never wrong."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import re
import zlib
from decimal import Decimal
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from reportlab.lib.pdfencrypt import StandardEncryption
from reportlab.pdfgen.canvas import Canvas

import extract
from extract import errors
from extract.errors import NumberParseError, TableShapeError
from extract.forms.suzhou_overall import BUDGET
from extract.integrity import file_checks
from extract.integrity import records as record_checks
from extract.lib.text import parse_amount
from extract.stitch import stitch
from extract.tables import Fragment, Row
from tests.lib.mutation import records, with_pages
from tests.truth import PDF_DIR

CHANGZHOU = PDF_DIR / "changzhou_civil_2024.pdf"
REAL_DIR = Path(__file__).parent / "fixtures" / "real"


def _write(tmp_path, data: bytes, name: str = "damaged.pdf"):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_flipped_bit_in_a_font_stream_is_rejected_not_loaded_with_null_amounts(tmp_path):
    # Before: loaded, with 3 budget lines whose printed 0 became NULL and '中' dropped from a name.
    data = bytearray(CHANGZHOU.read_bytes())
    data[65837] ^= 1
    with pytest.raises(errors.IntegrityError) as info:
        extract.read_report(_write(tmp_path, bytes(data)))
    assert str(info.value) == "failed integrity check: stream of object 37 0 fails its checksum"


def test_flipped_bit_under_ascii85_is_rejected(tmp_path):
    # The iText-style sample wraps its Flate streams in ASCII85: the checksum is under that layer.
    data = bytearray((PDF_DIR / "nantong_culture_2023.pdf").read_bytes())
    data[8358] ^= 2
    with pytest.raises(errors.IntegrityError, match="stream of object 13 0 fails its checksum"):
        extract.read_report(_write(tmp_path, bytes(data)))


def test_unreadable_cross_reference_table_loads_the_same_records_with_a_warning(tmp_path, read_fixture):
    data = CHANGZHOU.read_bytes()
    assert data.endswith(b"startxref\n247006\n%%EOF\n")
    report = extract.read_report(_write(tmp_path, data.replace(b"startxref\n247006", b"startxref\n100000")))
    original = read_fixture("changzhou_civil_2024")
    assert report.integrity_warnings == (
        "cross-reference table unreadable: objects found by scanning the file",
    )
    assert (report.budget_lines, report.key_tasks, report.indicators, report.facts) == (
        original.budget_lines,
        original.key_tasks,
        original.indicators,
        original.facts,
    )


def test_offset_a_few_bytes_off_loads_the_same_records_with_a_repaired_warning(tmp_path, read_fixture):
    # Before: rejected ("table points object 2 at the wrong offset"); qpdf and PDFium find the object
    # beside where the entry points, as every reader repairs it.
    data = CHANGZHOU.read_bytes()
    entry = b"0000000019 00000 n "  # object 2's offset: page 1's content stream
    assert data.count(entry) == 1
    report = extract.read_report(_write(tmp_path, data.replace(entry, b"0000000029 00000 n ")))
    assert report.integrity_warnings == (
        "cross-reference table points 1 object a few bytes off: each found unambiguously nearby",
    )
    assert records(report) == records(read_fixture("changzhou_civil_2024"))


def test_offset_pointing_far_from_its_object_is_rejected(tmp_path):
    # PDFium trusts the entry: page 1 (its content stream, object 2) comes out blank.
    data = CHANGZHOU.read_bytes()
    entry = b"0000000019 00000 n "
    with pytest.raises(errors.IntegrityError, match="table points object 2 at the wrong offset"):
        extract.read_report(_write(tmp_path, data.replace(entry, b"0000001019 00000 n ")))


def test_page_left_out_of_the_page_tree_is_rejected(tmp_path):
    pages = [0, 1, 2, 3, 4, 5, 7, 8, 9]  # page 7 (object 19) dropped from /Kids, /Count 9
    with pytest.raises(errors.IntegrityError, match="page object 19 is missing from the page tree"):
        extract.read_report(_write(tmp_path, with_pages(CHANGZHOU.read_bytes(), pages)))


def test_page_listed_twice_in_the_page_tree_is_rejected(tmp_path):
    pages = [0, 1, 2, 3, 4, 5, 6, 6, 7, 8, 9]
    with pytest.raises(errors.IntegrityError, match="qpdf cannot read the file"):
        extract.read_report(_write(tmp_path, with_pages(CHANGZHOU.read_bytes(), pages)))


def test_pages_swapped_inside_a_table_are_rejected(tmp_path):
    pages = [0, 1, 2, 3, 4, 5, 6, 8, 7, 9]  # two pages of 九's table: rows alone would look valid
    with pytest.raises(errors.IntegrityError, match="page 9 was first written before page 8"):
        extract.read_report(_write(tmp_path, with_pages(CHANGZHOU.read_bytes(), pages)))


def test_pages_swapped_in_a_document_printing_page_numbers_are_rejected_by_them(tmp_path):
    # The seed prints '- N -' at the foot of every page: the document's own word on the order.
    pages = [0, 1, 2, 4, 3, *range(5, 14)]
    data = with_pages((PDF_DIR / "seed_suzhou_police_2022.pdf").read_bytes(), pages)
    assert _integrity_failure(tmp_path, data) == "page 4 prints page number 5 after page 3's 3"


def test_pages_swapped_in_a_tagged_pdf_are_rejected_by_its_structure_numbering(tmp_path):
    # Chromium tags each page with /StructParents 0, 1, 2, … in reading order.
    data = with_pages((PDF_DIR.parent / "projects" / "national_browser_pair.pdf").read_bytes(), [1, 0])
    assert _integrity_failure(tmp_path, data) == "page 2's structure number 0 does not follow page 1's 1"


def test_object_deleted_from_the_file_is_rejected(tmp_path):
    data = CHANGZHOU.read_bytes()
    start = data.index(b"\n37 0 obj") + 1
    end = data.index(b"endobj", start) + len(b"endobj")
    with pytest.raises(errors.IntegrityError, match="object 37 is referred to but missing"):
        extract.read_report(_write(tmp_path, data[:start] + data[end:]))


def _with_byte(source, at: int, value: int, expected: int) -> bytes:
    data = bytearray(source.read_bytes())
    assert data[at] == expected  # the fixture's byte, so the damage lands where the test says
    data[at] = value
    return bytes(data)


def _integrity_failure(tmp_path, data: bytes) -> str:
    """The one-line reason a damaged file is rejected for."""
    with pytest.raises(errors.IntegrityError) as info:
        extract.read_report(_write(tmp_path, data))
    return str(info.value).removeprefix("failed integrity check: ")


def test_stray_word_in_a_fonts_widths_is_rejected(tmp_path):
    # Before: loaded with amounts whose digits were re-ordered (42240 -> 42204): PDFium ended the
    # /Widths array at the stray word, so the codes after it lost their widths.
    data = _with_byte(PDF_DIR / "suzhou_police_2023.pdf", 105071, 0x89, expected=ord("0"))
    assert _integrity_failure(tmp_path, data) == "object 30 is malformed (unknown token while reading object)"


def test_dictionary_key_that_is_not_a_name_is_rejected(tmp_path):
    # Before: loaded wrong. '/Type' -> 'MType' in a Type3 font's dictionary: PDFium pairs the
    # entries after it wrongly.
    data = _with_byte(PDF_DIR / "changzhou_health_2023.pdf", 433622, ord("M"), expected=ord("/"))
    assert _integrity_failure(tmp_path, data) == "object 64 is malformed (unknown token while reading object)"


def test_widths_one_more_than_the_font_codes_is_rejected(tmp_path):
    # One bit turns a width '1000' into '10 0': every later code takes its neighbour's width.
    source = PDF_DIR / "suzhou_police_2023.pdf"
    at = source.read_bytes().index(b"/Widths[0 1000") + len(b"/Widths[0 10")
    data = _with_byte(source, at, ord(" "), expected=ord("0"))
    assert _integrity_failure(tmp_path, data) == "object 30 is malformed (257 widths for codes 0 to 255)"


def test_font_whose_required_entry_is_damaged_is_rejected(tmp_path):
    # Before: loaded wrong. '/Encoding' -> '/Enccding' in a Type3 font: no glyph names, so its
    # glyphs draw nothing and PDFium leaves their text out.
    data = _with_byte(PDF_DIR / "changzhou_health_2023.pdf", 534008, ord("c"), expected=ord("o"))
    assert _integrity_failure(tmp_path, data) == "object 84 is malformed (a font without its /Encoding entry)"


def test_a_long_comment_inside_a_dictionary_is_read_in_linear_time(tmp_path, read_fixture):
    # A comment of '%' signs is valid PDF; read with backtracking, each '%' doubled the time.
    from extract.guarded import Limits, read_reports

    data = CHANGZHOU.read_bytes()
    producer = re.search(rb"/Producer(<[0-9A-F]+>)", data).group(1)  # object 55, the document's info
    comment = b" null " + b"%" * (len(producer) - 7) + b"\n"
    path = _write(tmp_path, data.replace(producer, comment))
    [(_, result)] = read_reports([path], limits=Limits(seconds=30, memory_mb=1024, workers=1))
    assert not isinstance(result, errors.ReportError), str(result)
    assert records(result) == records(read_fixture("changzhou_civil_2024"))


def test_compressed_stream_whose_filter_key_is_damaged_is_rejected(tmp_path):
    # Before: loaded with '覆盖率' read as '覆 率': '/Filter' -> '/Filt\xe5r' left a Type3 glyph's
    # drawing compressed, so it drew nothing and PDFium left its text object out.
    data = _with_byte(PDF_DIR / "changzhou_health_2023.pdf", 332765, 0xE5, expected=ord("e"))
    assert (
        _integrity_failure(tmp_path, data) == "stream of object 1495 0 is compressed but declares no filter"
    )


def test_stream_naming_an_unknown_filter_is_rejected(tmp_path):
    source = PDF_DIR / "changzhou_health_2023.pdf"
    at = source.read_bytes().index(b"/FlateDecode") + len(b"/FlateDecod")  # object 130: page 1's text
    data = _with_byte(source, at, ord("g"), expected=ord("e"))
    assert _integrity_failure(tmp_path, data) == "stream of object 130 0 names an unknown filter /FlateDecodg"


def _changed(report, **fields):
    return dataclasses.replace(report, **fields)


def test_stated_indicator_count_must_equal_the_table(read_fixture, tmp_path):
    report = read_fixture("changzhou_civil_2024")
    facts = dataclasses.replace(report.facts, indicator_total=18)
    with pytest.raises(errors.IntegrityError, match=r"section 四 states 18 履职绩效目标 .*, 九 lists 17"):
        record_checks.check_report(tmp_path / "x.pdf", _changed(report, facts=facts), _ALL_SECTIONS)


def test_stated_timeliness_rate_must_equal_the_total_line(read_fixture, tmp_path):
    report = read_fixture("changzhou_civil_2024")
    facts = dataclasses.replace(report.facts, budget_timeliness_rate_pct=Decimal("95.81"))
    with pytest.raises(
        errors.IntegrityError, match=re.escape("预算执行时效完成率 95.81%, 七's total line 95.80%")
    ):
        record_checks.check_report(tmp_path / "x.pdf", _changed(report, facts=facts), _ALL_SECTIONS)


_ALL_SECTIONS = [f"{n}、x" for n in "一二三四五六七八九"]


@pytest.mark.parametrize(
    ("char", "kind"),
    [
        ("\x01", "control character U+0001"),
        ("\ufffd", "replacement character U+FFFD"),
        ("\ue000", "private-use character U+E000"),
    ],
)
def test_bad_code_point_in_a_cell_is_rejected(read_fixture, tmp_path, char, kind):
    report = read_fixture("changzhou_civil_2024")
    bad = dataclasses.replace(report.indicators[4], indicator_name=f"满意{char}度")
    indicators = (*report.indicators[:4], bad, *report.indicators[5:])
    with pytest.raises(errors.IntegrityError, match=re.escape(f"{kind} in indicators row 5")):
        record_checks.check_report(tmp_path / "x.pdf", _changed(report, indicators=indicators), _ALL_SECTIONS)


def test_row_printed_twice_is_rejected(read_fixture, tmp_path):
    report = read_fixture("changzhou_civil_2024")
    indicators = (*report.indicators, report.indicators[-1])
    with pytest.raises(errors.IntegrityError, match="九、部门整体自评表: a row is printed twice"):
        record_checks.check_report(tmp_path / "x.pdf", _changed(report, indicators=indicators), _ALL_SECTIONS)


def test_blank_amount_on_a_summary_line_is_rejected(read_fixture, tmp_path):
    report = read_fixture("changzhou_civil_2024")
    total = dataclasses.replace(report.budget_lines[0], actual_spend=None)
    lines = (total, *report.budget_lines[1:])
    with pytest.raises(errors.MalformedTableError, match="预算总金额: an amount is blank"):
        record_checks.check_report(tmp_path / "x.pdf", _changed(report, budget_lines=lines), _ALL_SECTIONS)


def test_section_printed_out_of_order_is_rejected(read_fixture, tmp_path):
    report = read_fixture("changzhou_civil_2024")
    titles = ["一、a", "二、b", "四、d", "三、c", "五、e", "六、f", "七、g", "八、h", "九、i"]
    with pytest.raises(errors.IntegrityError, match="section 三 printed after section 四"):
        record_checks.check_report(tmp_path / "x.pdf", report, titles)


def test_missing_section_is_rejected(read_fixture, tmp_path):
    report = read_fixture("changzhou_civil_2024")
    with pytest.raises(errors.IntegrityError, match="section 四 missing"):
        record_checks.check_report(tmp_path / "x.pdf", report, [t for t in _ALL_SECTIONS if t[0] != "四"])


def _row(cells, x0s, page=1):
    return Row(tuple(cells), tuple(x0s), page, (0.0, 0.0, 1.0, 1.0))


_HEADER = ["预算资金", "年初预算数", "追加追减数", "调整预算数", "实际支出数", "执行率"]


def test_cell_under_no_header_is_an_error_not_dropped():
    header = _row(_HEADER, [0, 100, 200, 300, 400, 500])
    # A damaged rule splits a row differently: one cell starts where no header column does.
    data = _row(["合计", "1", "2", "3", "4", "5", "stray"], [0, 100, 200, 300, 400, 500, 555])
    with pytest.raises(TableShapeError, match="text outside every column"):
        stitch([Fragment(1, (0, 0, 1, 1), (header, data))], BUDGET)


def test_header_after_headerless_rows_is_an_error():
    rows = (_row(["项目A", "1", "", "1", "1", "100%"], [0, 100, 200, 300, 400, 500]),)
    header = (_row(_HEADER, [0, 100, 200, 300, 400, 500], page=2),)
    with pytest.raises(TableShapeError, match="header row after data rows"):
        stitch([Fragment(1, (0, 0, 1, 1), rows), Fragment(2, (0, 0, 1, 1), header)], BUDGET)


def test_infinity_is_not_read_as_a_blank_amount():
    with pytest.raises(NumberParseError):
        parse_amount("Infinity")


@pytest.mark.slow
def test_mutation_campaign_loads_no_mutant_wrong(tmp_path):
    """Two mutants of each kind (seed 1), read as `build` reads them: right or rejected."""
    from tests.lib.mutation import KINDS, run_campaign

    outcomes = run_campaign(seed=1, count=2 * len(KINDS), work_dir=tmp_path)
    assert [m.name for m, _ in outcomes["loaded-and-wrong"]] == []
    assert sum(len(found) for found in outcomes.values()) == 16
    assert len(outcomes["rejected"]) >= 14


def test_build_extraction_says_a_file_was_repaired(tmp_path):
    from orchestration.build.extraction import extract_year
    from orchestration.build.inbox import InboxFile

    data = CHANGZHOU.read_bytes().replace(b"startxref\n247006", b"startxref\n100000")
    path = _write(tmp_path, data)
    statuses = []
    inbox_file = InboxFile(path, hashlib.sha256(data).hexdigest(), 2024)  # as the inbox scan hashed it
    result = extract_year(
        (inbox_file,),
        2024,
        tmp_path / "extracted",
        tmp_path / "rejected",
        tmp_path / "cache",
        lambda f, s: statuses.append(s),
    )
    assert result.loaded == ["damaged.pdf"]
    assert statuses == [
        "extracted (repaired: cross-reference table unreadable: objects found by scanning the file)"
    ]


# --- real, undamaged files that are off-spec or merely unusual: loaded, not rejected ---------------

_PAGE_TEXT = b"BT /F1 12 Tf 72 720 Td (Hello) Tj ET"


def _pdf(objects: dict[int, bytes], in_stream: frozenset[int] = frozenset()) -> bytes:
    """A one-page PDF holding `objects` (1: catalog, 2: pages, 3: page, 4: contents, 5: font are
    given unless overridden); `in_stream` objects go into an object stream with a cross-reference
    stream, as PDF 1.5 writers (pdfTeX, Word, WPS) store them."""
    base = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        4: b"<< /Length %d >>\nstream\n%s\nendstream" % (len(_PAGE_TEXT), _PAGE_TEXT),
        5: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    }
    base.update(objects)
    out = bytearray(b"%PDF-1.5\n")
    offsets: dict[int, int] = {}
    for objid, body in sorted(base.items()):
        if objid not in in_stream:
            offsets[objid] = len(out)
            out += b"%d 0 obj\n%s\nendobj\n" % (objid, body)
    size = max(base) + 1
    if not in_stream:
        xref_at = len(out)
        out += b"xref\n0 %d\n0000000000 65535 f \n" % size
        out += b"".join(b"%010d 00000 n \n" % offsets[i] for i in range(1, size))
        out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, xref_at)
        return bytes(out)
    stream_id, xref_id = size, size + 1
    bodies = [(objid, base[objid]) for objid in sorted(in_stream)]
    index, payload = b"", b""
    for objid, body in bodies:
        index += b"%d %d " % (objid, len(payload))
        payload += body + b"\n"
    packed = zlib.compress(index + payload)
    offsets[stream_id] = len(out)
    out += b"%d 0 obj\n<< /Type /ObjStm /N %d /First %d /Filter /FlateDecode /Length %d >>\nstream\n" % (
        stream_id,
        len(bodies),
        len(index),
        len(packed),
    )
    out += packed + b"\nendstream\nendobj\n"
    rows = [b"\x00\x00\x00\xff\xff"]
    position = {objid: n for n, (objid, _) in enumerate(bodies)}
    for objid in range(1, xref_id + 1):
        if objid in position:
            rows.append(b"\x02" + stream_id.to_bytes(3, "big") + position[objid].to_bytes(1, "big"))
        elif objid in offsets:
            rows.append(b"\x01" + offsets[objid].to_bytes(3, "big") + b"\x00")
    xref_at = len(out)
    rows.append(b"\x01" + xref_at.to_bytes(3, "big") + b"\x00")
    table = zlib.compress(b"".join(rows))
    out += (
        b"%d 0 obj\n<< /Type /XRef /Size %d /W [1 3 1] /Root 1 0 R /Filter /FlateDecode /Length %d >>\n"
        % (
            xref_id,
            xref_id + 1,
            len(table),
        )
    )
    out += b"stream\n" + table + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % xref_at
    return bytes(out)


def _integrity_warnings(tmp_path, data: bytes) -> tuple[str, ...]:
    """check_file's warnings, with the page count from PDFium as read_report passes it."""
    page_count = len(pdfium.PdfDocument(data))
    return file_checks.check_file(_write(tmp_path, data, "intact.pdf"), data, page_count)


def test_name_ending_in_digits_before_a_dictionary_is_one_name(tmp_path):
    # Before: rejected ('<<' where a key should be): '/GS1 <<' was read as the key '/GS' and the
    # value '1'. cairo, PDFsharp and pgf write such graphics-state names.
    resources = b"<< /Font << /F1 5 0 R >> /ExtGState << /GS1 << /CA 1 /ca 1 >> >> >>"
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources 6 0 R >>"
    data = _pdf({3: page, 6: resources})
    assert _integrity_warnings(tmp_path, data) == ()


def test_null_inside_an_object_stream_is_a_value(tmp_path):
    # Before: rejected ("'null' where a value should be"): pdfminer's object-stream parser leaves
    # `null` a keyword. pdfTeX and LuaTeX write `null` in their outline and name-tree objects.
    data = _pdf({6: b"<< /Dests null /Names [(a) null] >>"}, in_stream=frozenset({1, 2, 6}))
    assert _integrity_warnings(tmp_path, data) == ()


def test_stray_word_inside_an_object_stream_is_still_rejected(tmp_path):
    data = _pdf({6: b"<< /Dests nul >>"}, in_stream=frozenset({6}))
    with pytest.raises(
        errors.IntegrityError, match=r"object 6 is malformed \(unknown token while reading object\)"
    ):
        _integrity_warnings(tmp_path, data)


def _encrypted_pdf() -> bytes:
    """A page whose content stream is encrypted (RC4, empty user password, editing forbidden)."""
    buffer = io.BytesIO()
    canvas = Canvas(
        buffer, pageCompression=1, encrypt=StandardEncryption("", ownerPassword="owner", canModify=0)
    )
    canvas.drawString(72, 720, "Hello")
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def test_encrypted_file_with_an_empty_user_password_is_loaded(tmp_path):
    # Before: rejected ("stream of object 8 0 is corrupt (Non-Ascii85 digit found …)"): its streams
    # were decoded undecrypted.
    # Published reports often carry such permissions.
    assert _integrity_warnings(tmp_path, _encrypted_pdf()) == ()


def test_flipped_bit_in_an_encrypted_stream_is_rejected(tmp_path):
    data = bytearray(_encrypted_pdf())
    data[data.index(b"stream\n") + len(b"stream\n") + 40] ^= 1
    with pytest.raises(errors.IntegrityError) as info:
        _integrity_warnings(tmp_path, bytes(data))
    # Names the stream and says why in the decoder's words (zlib's own text is zlib's, not ours).
    assert re.search(r"stream of object 8 0 is corrupt \(.+\)$", str(info.value))


@pytest.mark.parametrize("name", ["box.pdf", "pdflatex-outline.pdf", "encryption_r4-owner-password.pdf"])
def test_real_undamaged_file_is_not_rejected(name):
    # Before: each was rejected (tests/fixtures/real/README.md says for what).
    path = REAL_DIR / name
    data = path.read_bytes()
    assert file_checks.check_file(path, data, len(pdfium.PdfDocument(data))) == ()
