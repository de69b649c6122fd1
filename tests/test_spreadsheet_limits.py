"""Hostile and damaged spreadsheets and Word files are rejected with a one-line reason (issue 29),
and what a sheet hides is not read."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from extract import errors, read_report
from extract.settings import ExtractSettings
from extract.sheets import read_pages
from tests.truth import FIXTURES

SHEETS = FIXTURES / "spreadsheets"


def _workbook(path: Path, rows: list[list]) -> Path:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    wb.save(path)
    return path


def _with_member(source: Path, target: Path, name: str, data: bytes) -> Path:
    """A copy of the zip container `source` with one more member."""
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for item in src.infolist():
            out.writestr(item, src.read(item))
        out.writestr(name, data)
    return target


def _all_cells(path: Path) -> list[str]:
    pages = read_pages(path, path.read_bytes(), ExtractSettings())
    cells = [t for p in pages for f in p.fragments for r in f.rows for t in r.cells if t]
    return cells + [line.text for p in pages for line in p.lines]


@pytest.mark.parametrize("name", ["national_sheets.xlsx", "national_sheets.xls", "national_sheets.ods"])
def test_hidden_rows_columns_and_sheets_are_not_read(name):
    cells = _all_cells(SHEETS / name)
    assert "草稿（不公开）" not in cells  # the hidden row inside the first table's indicators
    assert "内部备注" not in cells  # the hidden column beside the second table
    assert "草稿项目（未公开）" not in cells  # the hidden sheet


def test_the_hidden_content_is_in_the_file():
    book = load_workbook(SHEETS / "national_sheets.xlsx")
    values = {c.value for ws in book.worksheets for row in ws.iter_rows() for c in row}
    assert {"草稿（不公开）", "内部备注", "草稿项目（未公开）"} <= values


def test_a_table_across_two_sheets_is_one_table():
    extracted = read_report(SHEETS / "national_sheets.xlsx")
    fourth = extracted.projects[3]
    assert fourth.provenance.pages == (2, 3)
    assert [i.provenance.page for i in fourth.indicators][:3] == [2, 2, 3]


def test_provenance_is_the_cell_range():
    extracted = read_report(SHEETS / "national_sheets.xlsx")
    first = extracted.projects[0]
    assert first.provenance.cell_range == "村级组织!A3:I20"
    assert first.funding_lines[0].provenance.cell_range == "村级组织!A6:I6"


def test_word_table_provenance_names_the_table():
    extracted = read_report(SHEETS / "national_word_single.docx")
    assert extracted.projects[0].funding_lines[0].provenance.cell_range == "Table1!A4:I4"


def test_formula_without_cached_value_is_rejected(tmp_path):
    rows = [["项目支出绩效自评表"], ["年初预算数", 1], ["合计", "=SUM(B2:B2)"]]
    path = _workbook(tmp_path / "formula.xlsx", rows)
    with pytest.raises(errors.MissingCachedValueError, match=r"Sheet!B3 holds =SUM\(B2:B2\)"):
        read_report(path)


def test_macros_are_rejected(tmp_path):
    plain = _workbook(tmp_path / "plain.xlsx", [["项目支出绩效自评表"]])
    path = _with_member(plain, tmp_path / "macros.xlsm", "xl/vbaProject.bin", b"\x00" * 64)
    with pytest.raises(errors.MacrosError):
        read_report(path)


def test_external_links_are_rejected(tmp_path):
    plain = _workbook(tmp_path / "plain.xlsx", [["项目支出绩效自评表"]])
    path = _with_member(plain, tmp_path / "linked.xlsx", "xl/externalLinks/externalLink1.xml", b"<x/>")
    with pytest.raises(errors.ExternalLinksError):
        read_report(path)


def test_zip_bomb_is_rejected_before_it_is_unpacked(tmp_path):
    plain = _workbook(tmp_path / "plain.xlsx", [["项目支出绩效自评表"]])
    path = _with_member(plain, tmp_path / "bomb.xlsx", "xl/media/padding.bin", b"\x00" * (50 << 20))
    assert path.stat().st_size < 1 << 20
    with pytest.raises(errors.ZipBombError, match=r"padding\.bin expands"):
        read_report(path)


def test_huge_sheet_is_rejected(tmp_path):
    path = _workbook(tmp_path / "huge.xlsx", [["项目支出绩效自评表"], *([[1] * 50] * 100)])
    with pytest.raises(errors.SheetTooLargeError, match="101 rows x 50 columns"):
        read_report(path, ExtractSettings(max_sheet_cells=5_000))


@pytest.mark.parametrize("suffix", [".xlsx", ".xls", ".ods", ".docx"])
def test_damaged_file_is_rejected(tmp_path, suffix):
    path = tmp_path / f"damaged{suffix}"
    source = SHEETS / ("national_word_single.docx" if suffix == ".docx" else f"national_sheets{suffix}")
    path.write_bytes(source.read_bytes()[:3000])
    with pytest.raises(errors.ReportError):
        read_report(path)


def test_a_sheet_of_no_form_is_not_a_report(tmp_path):
    path = _workbook(tmp_path / "budget.xlsx", [["部门预算表"], ["科目", "金额"], ["办公费", 12.5]])
    with pytest.raises(errors.NotASelfEvaluationReportError):
        read_report(path)


def test_truncated_in_memory_zip_is_damaged():
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
    path = Path("empty_container.xlsx")
    with pytest.raises(errors.DamagedFileError):
        read_pages(path, data.getvalue()[:-10], ExtractSettings())


def test_formulas_are_read_by_their_cached_values():
    """The second table's 总分 row sums its cells by formula; Calc saved the results."""
    book = load_workbook(SHEETS / "national_sheets.xlsx")
    assert book.worksheets[0]["H39"].value == "=SUM(H34:H38)+I27"
    second = read_report(SHEETS / "national_sheets.xlsx").projects[1]
    assert (second.total_weight, second.total_score) == (100, Decimal("97.5"))


def test_ruled_blank_rows_past_the_text_are_not_the_used_range(tmp_path):
    """A template ruled down to row 2000 holds a three-row table: read, not rejected as huge."""
    from openpyxl.styles import Border, Side

    wb = Workbook()
    ws = wb.active
    for row in [["项目名称", "甲"], ["年初预算数", 1.5], ["合计", 1.5]]:
        ws.append(row)
    thin = Side(style="thin")
    for r in range(1, 2001):
        for c in range(1, 6):
            ws.cell(r, c).border = Border(left=thin, right=thin, top=thin, bottom=thin)
    path = tmp_path / "template.xlsx"
    wb.save(path)
    [page] = read_pages(path, path.read_bytes(), ExtractSettings(max_sheet_cells=1_000))
    assert [r.cells for f in page.fragments for r in f.rows] == [
        ("项目名称", "甲"),
        ("年初预算数", "1.5"),
        ("合计", "1.5"),
    ]


@pytest.mark.parametrize(
    ("source", "named"), [("national_sheets.xls", "x.xlsx"), ("national_sheets.xlsx", "x.xls")]
)
def test_a_workbook_under_the_other_format_name_is_read_as_what_it_is(tmp_path, source, named):
    path = tmp_path / named
    path.write_bytes((SHEETS / source).read_bytes())
    assert len(read_report(path).projects) == 5


def test_a_web_page_named_xls_is_rejected_with_its_reason(tmp_path):
    path = tmp_path / "export.xls"
    path.write_text("<html><body><table><tr><td>项目名称</td></tr></table></body></html>", encoding="utf-8")
    with pytest.raises(errors.DamagedFileError, match="a web page or XML saved under a spreadsheet's name"):
        read_report(path)


def test_windows_line_breaks_in_a_cell_are_line_breaks(tmp_path):
    path = _workbook(tmp_path / "crlf.xlsx", [["其中：\r\n本年财政拨款", "1.00"]])
    [page] = read_pages(path, path.read_bytes(), ExtractSettings())
    assert page.fragments[0].rows[0].cells[0] == "其中：\n本年财政拨款"


def _ods_with_cell(tmp_path: Path, cell_xml: str) -> Path:
    """The committed Sichuan .ods with one more row: `cell_xml` in its first table."""
    source = SHEETS / "sichuan_calc_compilation.ods"
    path = tmp_path / "repeated.ods"
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "content.xml":
                data = data.replace(
                    b"</table:table>",
                    f"<table:table-row>{cell_xml}</table:table-row></table:table>".encode(),
                    1,
                )
            out.writestr(item, data)
    return path


def test_ods_cell_repeated_a_million_times_is_rejected_before_it_is_copied(tmp_path):
    cell = (
        '<table:table-cell table:number-columns-repeated="1000000" office:value-type="string">'
        "<text:p>x</text:p></table:table-cell>"
    )
    with pytest.raises(errors.SheetTooLargeError):
        read_report(_ods_with_cell(tmp_path, cell))


def test_ods_empty_cells_repeated_to_the_sheets_end_are_formatting(tmp_path):
    """Bordered (style ce10), empty, a million columns: no huge sheet, no cells."""
    cell = '<table:table-cell table:style-name="ce10" table:number-columns-repeated="1000000"/>'
    assert len(read_report(_ods_with_cell(tmp_path, cell)).projects) == 3
