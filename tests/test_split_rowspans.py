"""Merged cells cut by a page break (issue 26 item 4) in a whole report: an empty ruled row at the
foot of a page is the start of the row the next page continues. The stitching rules one by one:
tests/test_stitch.py."""

from __future__ import annotations

from pathlib import Path

from extract.report import read_report
from tests.truth import actual_records, expected_records, field_diffs, load_truth

SPLIT_DIR = Path(__file__).resolve().parent / "fixtures" / "split"


def test_itext_report_with_merges_cut_by_empty_row_starts_reads_its_indicators_exactly():
    # nantong_culture_2023 printed again (generator/split.py): the rows starting 效益 and 履职 begin
    # with an empty ruled fragment at the foot of a page, their labels on the next.
    report = read_report(SPLIT_DIR / "nantong_culture_2023_split.pdf")
    expected = expected_records(load_truth("nantong_culture_2023"))["indicators"]
    assert field_diffs(expected, actual_records(report)["indicators"]) == []
