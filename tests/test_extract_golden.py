"""Every committed fixture PDF extracts to its ground truth, field for field."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.truth import (
    PDF_DIR,
    actual_records,
    expected_records,
    field_diffs,
    fixture_names,
    load_layout,
    load_truth,
)


def test_corpus_has_seed_and_reports_of_three_producers():
    names = fixture_names()
    assert "seed_suzhou_police_2022" in names
    assert len(names) == 10  # seed + 6 Word-made + 1 made without Office + 2 printed from a browser
    assert {load_layout(n)["engine"] for n in names} == {"word", "itext", "browser"}


@pytest.mark.parametrize("table", ["budget_lines", "key_tasks", "indicators"])
def test_table_matches_truth(fixture_name, table, read_fixture):
    expected = expected_records(load_truth(fixture_name))[table]
    actual = actual_records(read_fixture(fixture_name))[table]
    assert field_diffs(expected, actual) == []


def test_header_matches_truth(fixture_name, read_fixture):
    truth = load_truth(fixture_name)
    report = read_fixture(fixture_name)
    assert (report.title, report.department, report.fiscal_year, report.city) == (
        truth["title"],
        truth["department"],
        truth["fiscal_year"],
        truth["city"],
    )


def test_facts_match_truth(fixture_name, read_fixture):
    facts = read_fixture(fixture_name).facts
    for key, value in load_truth(fixture_name)["facts"].items():
        expected = Decimal(value) if isinstance(value, str) else value
        assert getattr(facts, key) == expected, key


def test_seed_counts(seed_report):
    assert (len(seed_report.budget_lines), len(seed_report.key_tasks), len(seed_report.indicators)) == (
        64,
        12,
        66,
    )
    assert seed_report.page_count == 14


def test_seed_total_line_exact(seed_report):
    total = seed_report.budget_lines[0]
    assert total.line_type == "total"
    assert (total.initial_budget, total.adjustment, total.adjusted_budget, total.actual_spend) == (
        Decimal("389658.89"),
        Decimal("64568.36"),
        Decimal("454227.25"),
        Decimal("449655.56"),
    )
    assert total.execution_rate_pct == Decimal("98.99")


def test_nan_rate_and_blank_cells_are_null(seed_report):
    line = next(b for b in seed_report.budget_lines if b.line_name == "苏州公安科技大楼新建")
    assert line.adjusted_budget == Decimal("0")
    assert line.actual_spend is None
    assert line.execution_rate_pct is None


def test_blank_adjustment_is_null_not_zero(seed_report):
    line = next(b for b in seed_report.budget_lines if b.line_name == "文明交通新生态项目")
    assert line.adjustment is None


def test_read_header_reads_first_page_only(fixture_name):
    import extract

    truth = load_truth(fixture_name)
    header = extract.read_header(PDF_DIR / f"{fixture_name}.pdf")
    assert (header.department, header.fiscal_year, header.city, header.title) == (
        truth["department"],
        truth["fiscal_year"],
        truth["city"],
        truth["title"],
    )


def _without_boxes(value):
    """Records as plain data, minus bounding boxes (the two readers' character boxes differ slightly)."""
    if isinstance(value, dict):
        return {k: _without_boxes(v) for k, v in value.items() if k != "bbox"}
    if isinstance(value, (list, tuple)):
        return [_without_boxes(v) for v in value]
    return value


@pytest.mark.slow
def test_pdfminer_backend_reads_the_same_records(fixture_name, read_fixture):
    from dataclasses import asdict

    import extract
    from extract.settings import ExtractSettings

    assert ExtractSettings().backend == "pdfium"
    slow = extract.read_report(PDF_DIR / f"{fixture_name}.pdf", ExtractSettings(backend="pdfminer"))
    assert _without_boxes(asdict(slow)) == _without_boxes(asdict(read_fixture(fixture_name)))


def test_space_drawn_as_its_own_text_object_is_kept():
    """LibreOffice prints the space in '=76 人' as a text object of its own; PDFium's text page skips it."""
    import extract
    from extract.settings import ExtractSettings

    report = extract.read_report(PDF_DIR / "suzhou_police_2023.pdf", ExtractSettings(backend="pdfium"))
    targets = {i.indicator_name: (i.target_raw, i.actual_raw) for i in report.indicators}
    assert "=76 人" in {t for t, _ in targets.values()}
    assert ("=6 类", "6 类") in targets.values()


def test_brackets_printed_through_a_radical_code_point_read_without_spaces():
    """Chromium writes U+2329/U+232A for 〈 〉; PDFium then gives their ink boxes, short of the advance."""
    import extract
    from extract.settings import ExtractSettings

    report = extract.read_report(PDF_DIR / "wuxi_transport_2023.pdf", ExtractSettings(backend="pdfium"))
    assert "关于印发〈2023年交通运输安全生产工作方案〉的通知" in report.indicators[5].value_source
