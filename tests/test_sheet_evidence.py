"""The evidence report shows a finding read from a spreadsheet or Word file as the cells of its
range (issue 29), every cell escaped."""

from __future__ import annotations

from openpyxl import Workbook

from orchestration.build.inbox import sha256_of
from orchestration.evidence.sheet_snippet import SnippetCell, sheet_snippet
from orchestration.evidence.site import Card, report_page_name, template_environment
from orchestration.evidence.sources import resolve_sources
from orchestration.evidence.warehouse_data import Finding
from tests.truth import FIXTURES

WORKBOOK = FIXTURES / "spreadsheets" / "national_sheets.xlsx"


def test_snippet_is_the_range_and_a_row_either_side():
    snippet = sheet_snippet(WORKBOOK, "学校与卫生!A25:I25")
    assert [(r.row_number, r.is_hit) for r in snippet.rows] == [(24, False), (25, True), (26, False)]
    hit = snippet.rows[1]
    # A: covered by the merged 项目资金（万元） above; B:C one merged name cell; then the amounts
    assert hit.cells[:3] == (SnippetCell("", 1), SnippetCell("年度资金总额", 2), SnippetCell("69.60", 1))
    assert [c.text for c in hit.cells[3:]] == ["69.60", "65.52", "10", "94.1%", "9.5"]


def test_snippet_of_a_word_table():
    snippet = sheet_snippet(FIXTURES / "spreadsheets" / "national_word_single.docx", "Table1!A4:I4")
    assert [r.row_number for r in snippet.rows if r.is_hit] == [4]


def _finding(tmp_path, text: str) -> tuple[Finding, Card]:
    wb = Workbook()
    wb.active.append(["名称", "金额"])
    wb.active.append([text, 1])
    path = tmp_path / "hostile.xlsx"
    wb.save(path)
    finding = Finding(
        1,
        "totals",
        "warn",
        2023,
        "某部门",
        text,
        path.name,
        1,
        "2",
        "1",
        "m",
        "x",
        0.0,
        1.0,
        2.0,
        2.0,
        text,
        "Sheet!A2:B2",
    )
    return finding, Card(finding, snippet=sheet_snippet(path, "Sheet!A2:B2"))


def test_snippet_cells_are_escaped(tmp_path):
    _, card = _finding(tmp_path, "<script>alert(1)</script>")
    html = (
        template_environment()
        .get_template("card.html")
        .render(card=card, root="", report_page_name=report_page_name)
    )
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'class="sheet-snippet"' in html


def test_a_renamed_spreadsheet_resolves_by_its_content_hash(tmp_path):
    digest = sha256_of(WORKBOOK)
    (tmp_path / "renamed.xlsx").write_bytes(WORKBOOK.read_bytes())
    assert resolve_sources([(digest, "a.xlsx")], tmp_path) == {digest: tmp_path / "renamed.xlsx"}
