"""Anhui's project table (项目支出绩效自评表 / 项目自评表, issue 26 layout E): 单位名称 and 填报日期 above
the table; tick-box rows 项目类别 / 项目属性 / 项目类型 (□/☑, printed, not extracted); one budget
line 年度财政资金总额 under 预算执行情况（万元）（20分） with 预算数(A) | 执行数(B) | 执行率(B/A) |
得分（20分*执行率）; indicators under 年度绩效目标（80分） with 年初目标值(A) | 实际完成值(B) | 得分 and
no weight column; 总分 (a score only); 偏差大或目标未完成原因分析 and 改进措施及结果应用方案.

Its title is the national one, so the form also asks for its 项目类别 row. The lone 预算数 is the
one 执行率 divides by: `adjusted_budget` (no `initial_budget`). The budget block's weight is printed
only in its label (…（20分）): the weight of its line. Indicators have no weight (null), 总分 no total
weight."""

from __future__ import annotations

from . import project_national
from .lib.project_table import ProjectLayout, project_form, title_pattern
from .lib.table_spec import ColumnSpec, TableSpec

_NATIONAL = project_national.LAYOUT

LAYOUT = ProjectLayout(
    form="project_anhui",
    title_pattern=title_pattern(r"项目(?:支出绩效)?自评表"),
    labels=(
        ColumnSpec("project_name", r"项目名称"),
        ColumnSpec("department", r"主管部门|主管单位"),
        ColumnSpec("implementing_unit", r"(项目)?实施单位"),
        ColumnSpec("problems", r"偏差大或目标未完成原因分析|目标未完成原因分析"),
        ColumnSpec("improvements", r"改进措施(及结果应用方案)?"),
    ),
    funding=TableSpec(
        name="funding_lines",
        title="预算执行情况",
        title_pattern="",
        columns=(
            ColumnSpec("line_name", r"^$|资金来源|资金类别"),
            ColumnSpec("adjusted_budget", r"^预算数"),
            ColumnSpec("actual_spend", r"^执行数|实际支出"),
            # Before the rate: its header also names 执行率 (得分（20分*执行率）).
            ColumnSpec("score", r"^得分"),
            ColumnSpec("execution_rate_pct", r"执行率"),
        ),
        header_min_matches=4,
        new_row_fields=("adjusted_budget", "actual_spend", "execution_rate_pct"),
        identity_fields=("line_name",),
    ),
    funding_sources=(
        ("total", r"^(年度财政资金总额|年度资金总额|资金总额|总额|合计|总计)"),
        *_NATIONAL.funding_sources[1:],
    ),
    goal=_NATIONAL.goal,  # not printed: 年度绩效目标 heads the indicators
    indicators=TableSpec(
        name="indicators",
        title="年度绩效目标",
        title_pattern="",
        columns=(
            ColumnSpec("level1", r"一级指标"),
            ColumnSpec("level2", r"二级指标"),
            ColumnSpec("indicator_name", r"三级指标|指标名称"),
            ColumnSpec("target_raw", r"目标值|指标值"),
            ColumnSpec("actual_raw", r"完成值|实际值"),
            ColumnSpec("score", r"^得分"),
        ),
        header_min_matches=4,
        new_row_fields=("target_raw", "actual_raw", "score"),
        identity_fields=("indicator_name",),
        carry_down=("level1", "level2"),
    ),
    total_pattern=r"总分|合计",
    block_label_pattern=r"^(预算执行情况|年度绩效目标|绩效指标$|绩效指标[（(])",
    signals=(r"项目类别",),
)

FORM = project_form(LAYOUT)
