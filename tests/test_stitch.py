"""Stitching a table's page fragments into rows: merged cells across page breaks."""

from __future__ import annotations

from extract.forms import project_national
from extract.forms.suzhou_overall import INDICATORS
from extract.stitch import stitch
from extract.tables import Fragment, Row

HEADER = ("", "类别", "指标名称", "指标目标值", "指标完成值", "完成值来源", "偏差情况", "原因分析")
COLUMN_X0 = (50.0, 90.0, 130.0, 200.0, 250.0, 300.0, 400.0, 450.0)
PROJECT_HEADER = ("一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因")


def _row(page: int, top: float, cells: tuple[str | None, ...]) -> Row:
    x0 = tuple(None if c is None else x for c, x in zip(cells, COLUMN_X0, strict=True))
    return Row(cells, x0, page, (50.0, top, 500.0, top + 15))


def _fragment(page: int, rows: list[tuple[str | None, ...]], header: tuple[str, ...] = HEADER) -> Fragment:
    built = tuple(_row(page, 60.0 + 15 * n, cells) for n, cells in enumerate([header, *rows]))
    return Fragment(page, (50.0, 60.0, 500.0, 60.0 + 15 * len(built)), built)


def test_level1_printed_again_past_a_page_break_keeps_the_category_it_continues():
    # A web application's paged form prints the merged level1 again on the next page while the
    # category merge it is inside continues there as an empty cell.
    fragments = [
        _fragment(1, [("分解目标", "过程", "预算执行率", "≥90%", "97%", "决算", "7.78%", "")]),
        _fragment(
            2,
            [
                ("分解目标", "", "政府采购执行率", "=100%", "100%", "系统", "0.00%", ""),
                (None, "效益", "群众满意度", "≥90%", "95%", "测评", "5.56%", ""),
            ],
        ),
    ]
    rows = stitch(fragments, INDICATORS)
    assert [(r.values["level1"], r.values["category"]) for r in rows] == [
        ("分解目标", "过程"),
        ("分解目标", "过程"),
        ("分解目标", "效益"),
    ]


def test_new_level1_value_starts_without_the_category_above():
    fragments = [
        _fragment(
            1,
            [
                ("分解目标", "满意度", "群众满意度", "≥90%", "95%", "测评", "5.56%", ""),
                ("履职", None, "案件办结率", "=100%", "100%", "台账", "0.00%", ""),
            ],
        )
    ]
    rows = stitch(fragments, INDICATORS)
    pairs = [(r.values["level1"], r.values["category"]) for r in rows]
    assert pairs == [("分解目标", "满意度"), ("履职", None)]


def test_merge_printing_its_text_after_a_page_break_gives_it_to_its_rows_before():
    # The 履职 cell starts empty on page 1; the browser printed its text in the middle of the
    # merge, at the top of page 2.
    fragments = [
        _fragment(
            1,
            [
                ("分解目标", "满意度", "群众满意度", "≥90%", "95%", "测评", "5.56%", ""),
                ("", None, "案件办结率", "=100%", "100%", "台账", "0.00%", ""),
                (None, None, "执法检查次数", "=4 次", "4 次", "台账", "0.00%", ""),
            ],
        ),
        _fragment(
            2,
            [
                ("履职", None, "培训人次", "=200 人", "210 人", "台账", "5.00%", ""),
                (None, None, "宣传场次", "=12 场", "12 场", "台账", "0.00%", ""),
            ],
        ),
    ]
    pairs = [(r.values["level1"], r.values["category"]) for r in stitch(fragments, INDICATORS)]
    assert pairs == [("分解目标", "满意度"), ("履职", None), ("履职", None), ("履职", None), ("履职", None)]


def test_merge_left_empty_after_a_page_break_keeps_the_text_printed_before():
    fragments = [
        _fragment(1, [("分解目标", "决策", "绩效指标明确性", "明确", "明确", "计划", "0%", "")]),
        _fragment(
            2,
            [
                ("", "", "预算编制规范性", "规范", "规范", "预算法", "0%", ""),
                (None, None, "预算编制科学性", "科学", "科学", "以往年度", "0%", ""),
                ("履职", None, "宣传场次", "=12 场", "12 场", "台账", "0.00%", ""),
            ],
        ),
    ]
    pairs = [(r.values["level1"], r.values["category"]) for r in stitch(fragments, INDICATORS)]
    assert pairs == [("分解目标", "决策"), ("分解目标", "决策"), ("分解目标", "决策"), ("履职", None)]


def test_empty_row_at_page_foot_takes_the_new_level1_printed_on_the_next_page():
    fragments = [
        _fragment(
            1,
            [
                ("分解目标", "满意度", "群众满意度", "≥90%", "95%", "测评", "5.56%", ""),
                ("", "", "游客满意度", "≥90%", "90%", "调查", "0.00%", ""),
                ("", None, "", "", "", "", "", ""),
            ],
        ),
        _fragment(2, [("履职", None, "培训人次", "=200 人", "210 人", "台账", "5.00%", "")]),
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
            [
                ("产出指标", "时效指标", "完成及时率", "100%", "100%", "10", "10", ""),
                ("", "", "验收及时率", "100%", "100%", "10", "10", ""),
                ("", "", "", "", "", "", "", ""),
            ],
            PROJECT_HEADER,
        ),
        _fragment(
            2, [("效益指标", "社会效益指标", "受益人数", "≥500人", "520人", "20", "20", "")], PROJECT_HEADER
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
            [
                ("产出指标", "数量指标", "培训人次", "≥200人", "210人", "10", "10", ""),
                (None, "", "宣传场次", "≥12场", "12场", "10", "10", ""),
            ],
            PROJECT_HEADER,
        ),
        _fragment(
            2, [("效益指标", "社会效益指标", "受益人数", "≥500人", "520人", "20", "20", "")], PROJECT_HEADER
        ),
    ]
    rows = stitch(fragments, spec)
    assert [(r.values["level1"], r.values["level2"]) for r in rows] == [
        ("产出指标", "数量指标"),
        ("产出指标", "数量指标"),
        ("效益指标", "社会效益指标"),
    ]
