"""Spreadsheets and Word files in the inbox (issue 29): found beside PDFs, the same content loaded
once, and a PDF whose tables a spreadsheet of the same year also holds left out for the spreadsheet."""

from __future__ import annotations

from extract.store import read_table
from orchestration.build.extraction import extract_year, year_dir
from orchestration.build.inbox import scan
from tests.lib.in_process import inbox_of
from tests.truth import FIXTURES

SHEETS = FIXTURES / "spreadsheets"
PROJECTS = FIXTURES / "projects"


def test_spreadsheets_and_word_files_are_read_beside_pdfs(tmp_path):
    names = ["a.xlsx", "b.xls", "c.ods", "d.docx", "e.pdf"]
    sources = [
        SHEETS / "national_sheets.xlsx",
        SHEETS / "national_sheets.xls",
        SHEETS / "national_sheets.ods",
    ]
    sources += [SHEETS / "national_word_single.docx", PROJECTS / "sichuan_calc_compilation.pdf"]
    inbox = scan(inbox_of(tmp_path, dict(zip(names, sources, strict=True))))
    assert sorted(f.path.name for f in inbox.accepted) == names
    departments = {f.path.name: f.department for f in inbox.accepted}
    assert departments["b.xls"] == departments["c.ods"] == "安平县桐溪镇人民政府"
    assert departments["d.docx"] == "安平县农业农村局"


def test_office_lock_file_is_listed_as_skipped(tmp_path):
    folder = inbox_of(tmp_path, {"a.xlsx": SHEETS / "national_sheets.xlsx"})
    (folder / "~$a.xlsx").write_bytes(b"\x05user")
    inbox = scan(folder)
    assert [f.path.name for f in inbox.accepted] == ["a.xlsx"]
    assert [(p.name, why) for p, why in inbox.skipped] == [
        ("~$a.xlsx", "office lock file (the document is open in an editor)")
    ]


def test_same_workbook_under_two_names_loads_once(tmp_path):
    inbox = scan(
        inbox_of(
            tmp_path, {"a.xlsx": SHEETS / "national_sheets.xlsx", "b.xlsx": SHEETS / "national_sheets.xlsx"}
        )
    )
    assert [f.path.name for f in inbox.accepted] == ["a.xlsx"]
    assert [(a.name, b.name) for a, b in inbox.duplicates] == [("b.xlsx", "a.xlsx")]


def test_pdf_of_the_same_tables_is_left_out_for_the_spreadsheet(tmp_path):
    files = {
        "tables.pdf": PROJECTS / "national_calc_compilation.pdf",
        "tables.xlsx": SHEETS / "national_sheets.xlsx",
    }
    inbox = scan(inbox_of(tmp_path, files))
    extracted = tmp_path / "extracted"
    result = extract_year(inbox.for_year(2023), 2023, extracted, tmp_path / "rejected", tmp_path / "cache")
    assert (result.loaded, result.superseded) == (["tables.xlsx"], [("tables.pdf", "tables.xlsx")])
    reports = read_table(year_dir(extracted, 2023), "project_reports")
    assert set(reports["source_file"].to_pylist()) == {"tables.xlsx"}
    assert reports.num_rows == 5
    assert result.rows["project_reports"] == 5


def test_pdf_with_tables_the_spreadsheet_lacks_is_loaded(tmp_path):
    """The Word file holds one project of another school: the compilation PDF keeps its five."""
    files = {
        "tables.pdf": PROJECTS / "national_calc_compilation.pdf",
        "one.docx": SHEETS / "national_word_single.docx",
    }
    inbox = scan(inbox_of(tmp_path, files))
    years = inbox.years()
    loaded = []
    for year in years:
        result = extract_year(inbox.for_year(year), year, tmp_path / "x", tmp_path / "r", tmp_path / "c")
        assert result.superseded == []
        loaded += result.loaded
    assert sorted(loaded) == ["one.docx", "tables.pdf"]
