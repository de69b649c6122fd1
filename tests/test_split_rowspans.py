"""Merged cells cut by a page break (issue 26 item 4): a merge never continues across a change of the
level above it, and an empty ruled row at the foot of a page is the start of the row the next page
continues."""

from __future__ import annotations

from pathlib import Path

from extract.forms import project_national
from extract.forms.suzhou_overall import INDICATORS
from extract.report import read_report
from extract.stitch import stitch
from extract.tables import Fragment, Row
from tests.truth import actual_records, expected_records, field_diffs, load_truth

SPLIT_DIR = Path(__file__).resolve().parent / "fixtures" / "split"
SUZHOU_HEADER = ("", "类别", "指标名称", "指标目标值", "指标完成值", "完成值来源", "偏差情况", "原因分析")
PROJECT_HEADER = (
    "一级指标",
    "二级指标",
    "三级指标",
    "年度指标值",
    "实际完成值",
    "分值",
    "得分",
    "偏差原因分析及改进措施",
)
COLUMN_X0 = (50.0, 90.0, 130.0, 200.0, 250.0, 300.0, 400.0, 450.0)


def _fragment(page: int, header: tuple[str, ...], rows: list[tuple[str | None, ...]]) -> Fragment:
    built = tuple(
        Row(
            cells,
            tuple(None if c is None else x for c, x in zip(cells, COLUMN_X0, strict=True)),
            page,
            (50.0, 60.0 + 15 * n, 500.0, 75.0 + 15 * n),
        )
        for n, cells in enumerate([header, *rows])
    )
    return Fragment(page, (50.0, 60.0, 500.0, 60.0 + 15 * len(built)), built)


def test_itext_report_with_merges_cut_by_empty_row_starts_reads_its_indicators_exactly():
    # nantong_culture_2023 printed again (generator/split.py): the rows starting 效益 and 履职 begin
    # with an empty ruled fragment at the foot of a page, their labels on the next.
    report = read_report(SPLIT_DIR / "nantong_culture_2023_split.pdf")
    expected = expected_records(load_truth("nantong_culture_2023"))["indicators"]
    assert field_diffs(expected, actual_records(report)["indicators"]) == []


def test_empty_row_at_page_foot_takes_the_new_level1_printed_on_the_next_page():
    fragments = [
        _fragment(
            1,
            SUZHOU_HEADER,
            [
                ("分解目标", "满意度", "群众满意度", "≥90%", "95%", "测评", "5.56%", ""),
                ("", "", "游客满意度", "≥90%", "90%", "调查", "0.00%", ""),
                ("", None, "", "", "", "", "", ""),
            ],
        ),
        _fragment(2, SUZHOU_HEADER, [("履职", None, "培训人次", "=200 人", "210 人", "台账", "5.00%", "")]),
    ]
    rows = stitch(fragments, INDICATORS)
    assert [(r.values["level1"], r.values["category"], r.provenance.pages) for r in rows] == [
        ("分解目标", "满意度", (1,)),
        ("分解目标", "满意度", (1,)),
        ("履职", None, (2,)),  # its start on page 1 holds no text: printed on page 2
    ]


def test_empty_row_at_page_foot_of_a_project_table_takes_its_levels_from_the_next_page():
    spec = project_national.LAYOUT.indicators
    fragments = [
        _fragment(
            1,
            PROJECT_HEADER,
            [
                ("产出指标", "时效指标", "完成及时率", "100%", "100%", "10", "10", ""),
                ("", "", "验收及时率", "100%", "100%", "10", "10", ""),
                ("", "", "", "", "", "", "", ""),
            ],
        ),
        _fragment(
            2, PROJECT_HEADER, [("效益指标", "社会效益指标", "受益人数", "≥500人", "520人", "20", "20", "")]
        ),
    ]
    rows = stitch(fragments, spec)
    assert [(r.values["level1"], r.values["level2"]) for r in rows] == [
        ("产出指标", "时效指标"),
        ("产出指标", "时效指标"),
        ("效益指标", "社会效益指标"),
    ]


def test_level2_printed_after_a_page_break_under_a_new_level1_is_not_given_to_the_rows_before():
    # Page 1 ends inside a 二级 merge that started without its text (a browser's merge); page 2
    # starts a new 一级 printing its own 二级: that 二级 is not the old merge's text.
    spec = project_national.LAYOUT.indicators
    fragments = [
        _fragment(
            1,
            PROJECT_HEADER,
            [
                ("产出指标", "数量指标", "培训人次", "≥200人", "210人", "10", "10", ""),
                (None, "", "宣传场次", "≥12场", "12场", "10", "10", ""),
            ],
        ),
        _fragment(
            2, PROJECT_HEADER, [("效益指标", "社会效益指标", "受益人数", "≥500人", "520人", "20", "20", "")]
        ),
    ]
    rows = stitch(fragments, spec)
    assert [(r.values["level1"], r.values["level2"]) for r in rows] == [
        ("产出指标", "数量指标"),
        ("产出指标", "数量指标"),
        ("效益指标", "社会效益指标"),
    ]
