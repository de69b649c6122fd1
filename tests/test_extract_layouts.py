"""The layouts real reports use, each pinned to a fixture that really has it, and the fix it needs."""

from __future__ import annotations

import itertools
import re

import pdfplumber
import pypdfium2
import pytest

import extract.tables
from extract import pdfium_pages
from extract.lib.geometry import rule
from extract.pdfium_pages import PdfiumPage
from extract.settings import DEFAULT_SETTINGS
from extract.tables import read_page
from tests.truth import PDF_DIR, actual_records, expected_records, fixture_names, load_layout, load_truth


def test_row_cut_by_page_break_is_merged_back(seed_report):
    ind = next(i for i in seed_report.indicators if i.indicator_name == "项目管理制度执行规范性")
    assert len(ind.provenance.pages) == 2
    assert ind.value_source.startswith("根据《苏州市公安局科技信息化项目管理规定》")
    assert ind.value_source.endswith("《财务管理联席会议审核意见表》等各类过程性审核审批材料。")


def test_merged_cells_carried_down_across_pages(seed_report):
    by_name = {i.indicator_name: i for i in seed_report.indicators}
    assert (by_name["绩效指标明确性"].level1, by_name["绩效指标明确性"].category) == ("分解目标", "决策")
    assert (by_name["命案破案率"].level1, by_name["命案破案率"].category) == ("分解目标", "效益")
    # 履职 starts a new outer merge: the category of the rows before it must not leak in.
    assert (by_name["市区毒品预防教育覆盖率"].level1, by_name["市区毒品预防教育覆盖率"].category) == (
        "履职",
        None,
    )


def test_wrapped_rate_rejoined(seed_report):
    line = next(b for b in seed_report.budget_lines if b.line_name == "文书档案数字化加工项目")
    assert str(line.execution_rate_pct) == "77.12"


def test_project_names_with_dunhao_are_not_split(seed_report):
    projects = seed_report.key_tasks[1].projects
    assert "姑苏区（三新城）、内环、中环交通设施年度维护项目" in projects
    assert "车辆牌照制作、非机动车牌照制作项目" in projects
    assert len(projects) == 12


def test_provenance_points_at_the_printed_row(seed_report):
    total = seed_report.budget_lines[0]
    with pdfplumber.open(PDF_DIR / "seed_suzhou_police_2022.pdf") as pdf:
        page = pdf.pages[total.provenance.page - 1]
        text = page.crop(total.provenance.bbox).extract_text()
    assert "预算总金额" in text and "389658.89" in text


def _itext_fixture() -> str:
    names = [n for n in fixture_names() if load_layout(n)["engine"] == "itext"]
    assert names, "the corpus must hold a report made without Office"
    return names[0]


def test_itext_fixture_uses_non_embedded_cid_font():
    path = PDF_DIR / f"{_itext_fixture()}.pdf"
    with pdfplumber.open(path) as pdf:
        fonts = {c["fontname"] for c in pdf.pages[0].chars}
    assert fonts == {"STSongStd-Light"}  # reportlab's PDF name for STSong-Light
    assert b"/FontFile" not in path.read_bytes()  # not embedded: the reader supplies the glyphs


def test_row_cut_without_closing_rule_is_kept(monkeypatch, read_fixture):
    name = _itext_fixture()
    report = read_fixture(name)
    assert any(len(r.provenance.pages) == 2 for r in (*report.key_tasks, *report.indicators))
    expected = expected_records(load_truth(name))
    assert len(actual_records(report)["indicators"]) == len(expected["indicators"])
    # Without putting the missing rule back, pdfplumber drops the cut rows: the fix is what saves
    # them. (The integrity checks then reject the report: 九 no longer holds the count 四 states.)
    monkeypatch.setattr(extract.tables, "closing_rules", lambda page, tol: [])
    with pytest.raises(extract.errors.IntegrityError, match=r"states 16 履职绩效目标 .*, 九 lists 15"):
        extract.read_report(PDF_DIR / f"{name}.pdf")


def _cells(name: str) -> list[str]:
    with pdfplumber.open(PDF_DIR / f"{name}.pdf") as pdf:
        pages = [read_page(p, DEFAULT_SETTINGS) for p in pdf.pages]
    return [c for p in pages for f in p.fragments for r in f.rows for c in r.cells if c]


def _has(feature: str, name: str, report) -> bool:
    if feature == "landscape":
        with pdfplumber.open(PDF_DIR / f"{name}.pdf") as pdf:
            return any(p.width > p.height for p in pdf.pages)
    cells = _cells(name)
    if feature == "repeated_header":
        return sum("年初预算数" in c or "指标名称" in c for c in cells) > 2
    if feature == "thousands_separator":
        return any(re.fullmatch(r"-?\d{1,3}(,\d{3})+(\.\d+)?", c) for c in cells)
    if feature == "wrapped_number":
        return any(re.fullmatch(r"-?\n?[\d.]+\n[\d.]*%", c) for c in cells)
    if feature == "ascii_ge":
        return any(c.startswith(">=") for c in cells)
    if feature == "row_cut_by_page_break":
        return any(
            len(r.provenance.pages) > 1 for r in (*report.budget_lines, *report.key_tasks, *report.indicators)
        )
    raise AssertionError(feature)


@pytest.mark.slow
@pytest.mark.parametrize(
    "feature",
    [
        "landscape",
        "repeated_header",
        "thousands_separator",
        "wrapped_number",
        "row_cut_by_page_break",
        "ascii_ge",
    ],
)
def test_corpus_covers_layout(feature, read_fixture):
    """Each layout the extractor must survive occurs in at least one committed fixture."""
    assert any(_has(feature, name, read_fixture(name)) for name in fixture_names()), (
        f"no fixture has {feature}"
    )


def test_space_at_line_wrap_is_kept(read_fixture):
    # The cell wraps right after "督查 3 ": the space glyph ends the line and is real text.
    ind = read_fixture("wuxi_health_2024").indicators[9]
    assert "专项督查 3 次" in ind.value_source


def test_dunhao_project_name_not_in_budget_stays_whole(read_fixture):
    task = read_fixture("suzhou_police_2023").key_tasks[3]
    assert task.projects == ("法制、信访法律协助服务", "禁毒工作三年行动规划")


def _browser_fixtures() -> list[str]:
    names = [n for n in fixture_names() if load_layout(n)["engine"] == "browser"]
    assert len(names) >= 2, "the corpus must hold reports printed from a browser"
    return names


@pytest.mark.slow
def test_browser_fixtures_are_printed_by_chromium_with_radical_code_points():
    for name in _browser_fixtures():
        with pdfplumber.open(PDF_DIR / f"{name}.pdf") as pdf:
            producer = pdf.metadata.get("Producer", "")
            raw = "".join(c["text"] for p in pdf.pages[:2] for c in p.chars)  # as printed, not unified
        assert "Skia/PDF" in producer, name
        assert "⻔" in raw and "⽬" in raw and "⾃" in raw, name  # 部⻔, 项⽬, ⾃评


def test_radical_code_points_read_as_unified_ideographs(read_fixture):
    report = read_fixture("wuxi_transport_2023")
    assert report.title == "无锡市市级预算部门（单位）整体支出预算绩效自评报告"
    assert report.budget_lines[2].line_name == "项目支出"
    strings = [
        v for r in (*report.budget_lines, *report.key_tasks, *report.indicators) for v in vars(r).values()
    ]
    texts = "".join(s for s in strings if isinstance(s, str))
    assert not [c for c in texts if 0x2E80 <= ord(c) <= 0x2FDF]


def _thin_rect(x0: float, top: float, x1: float, bottom: float) -> list[dict]:
    """A border as browsers draw it: a filled rectangle, i.e. four edges."""
    return [
        rule(x0, top, x1, top),
        rule(x0, bottom, x1, bottom),
        rule(x0, top, x0, bottom),
        rule(x1, top, x1, bottom),
    ]


def _browser_table_edges(rows_y: list[float], closed: bool) -> list[dict]:
    """Three columns ruled as Chromium rules them: column rules one rectangle per row."""
    xs = (50.0, 150.0, 250.0, 350.0)
    edges = []
    for top, bottom in itertools.pairwise(rows_y):
        for x in xs:
            edges += _thin_rect(x, top, x + 0.75, bottom)
    for y in rows_y if closed else rows_y[:-1]:
        edges += _thin_rect(xs[0], y, xs[-1] + 0.75, y + 0.75)
    return edges


def test_rule_is_put_back_under_a_browser_row_cut_by_the_page_break():
    page = PdfiumPage(1, 600.0, 800.0, edges=_browser_table_edges([100.0, 120.0, 140.0, 160.0], closed=False))
    [closing] = extract.tables.closing_rules(page, 3.0)
    assert (closing["x0"], closing["x1"], closing["top"], closing["orientation"]) == (
        50.0,
        350.75,
        160.0,
        "h",
    )


def test_browser_table_ruled_row_by_row_needs_no_rule_put_back():
    page = PdfiumPage(1, 600.0, 800.0, edges=_browser_table_edges([100.0, 120.0, 140.0, 160.0], closed=True))
    assert extract.tables.closing_rules(page, 3.0) == []


def _indicator_fragment_widths(name: str) -> dict[int, int]:
    """Ruled columns of 九's fragment on each page it is printed on (七 has 6 columns, 八 4)."""
    pdf = pypdfium2.PdfDocument(PDF_DIR / f"{name}.pdf")
    try:
        pages = [read_page(pdfium_pages.read_page(pdf, i), DEFAULT_SETTINGS) for i in range(len(pdf))]
    finally:
        pdf.close()
    return {p.number: len(f.rows[0].cells) for p in pages for f in p.fragments if len(f.rows[0].cells) > 6}


def test_rowspan_left_empty_past_a_page_break_gives_its_rows_the_value(read_fixture):
    report = read_fixture("wuxi_transport_2023")
    truth = {
        i["indicator_name"]: (i["level1"], i["category"])
        for i in load_truth("wuxi_transport_2023")["indicators"]
    }
    first_page = report.indicators[0].provenance.page
    later = [i for i in report.indicators if i.provenance.page > first_page and i.level1 == "分解目标"]
    assert len(later) == 17
    assert [(i.level1, i.category) for i in later] == [truth[i.indicator_name] for i in later]


def test_pages_with_fewer_ruled_columns_are_read_by_position(read_fixture):
    # Without a repeated header, pages of 履职 rows only (one cell over level1 and category) have 7
    # ruled columns where the others have 8.
    widths = _indicator_fragment_widths("wuxi_transport_2023")
    assert sorted(set(widths.values())) == [7, 8]
    report = read_fixture("wuxi_transport_2023")
    narrow = [i for i in report.indicators if widths.get(i.provenance.page) == 7]
    expected = {i["indicator_name"]: i for i in load_truth("wuxi_transport_2023")["indicators"]}
    assert len(narrow) == 14
    assert all(
        (i.level1, i.category, i.target_raw, i.deviation_raw)
        == tuple(expected[i.indicator_name][k] for k in ("level1", "category", "target_raw", "deviation_raw"))
        for i in narrow
    )
