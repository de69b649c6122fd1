"""The national-style department-wide table (部门整体支出绩效自评表 / 部门（单位）整体支出绩效自评表),
close to the national project form: 部门（单位）名称; a funding block 年度预算执行情况（万元） with
年初预算数 | 全年预算数 | 全年执行数 | 分值 | 执行率 | 得分 over 年度资金总额 / 其中：当年财政拨款 /
上年结转资金 / 其他资金 (or 基本支出 / 项目支出); 年度主要任务 rows (任务名称 | 主要内容 | 预算数 |
执行数) where printed; 年度总体目标 (预期目标 | 实际完成情况); indicators 一级 | 二级 | 三级指标 |
年度指标值 | 实际完成值 | 分值 | 得分 | 偏差原因分析及改进措施; 总分."""

from __future__ import annotations

from dataclasses import replace

from . import project_national
from .lib.department_table import DepartmentLayout, department_form
from .lib.table_spec import ColumnSpec, TableSpec

_NATIONAL = project_national.LAYOUT

# Shared by the department-wide forms: 基本支出 / 项目支出 rows and the one-row totals.
FUNDING_SOURCES = (
    (
        "total",
        r"^(年度资金总额|资金总额|总额|合计|总计|部门整体支出总额|部门预算执行情况|年度预算执行情况|预算执行情况)",
    ),
    ("basic", r"^基本支出"),
    ("project", r"^项目支出"),
    *_NATIONAL.funding_sources[1:],
)
# Text rows some department-wide forms print below the indicators.
TEXT_LABELS = (
    ColumnSpec("conclusion", r"评价结论|自评结论"),
    ColumnSpec("problems", r"偏差大或目标未完成原因分析|存在(的)?问题|主要问题"),
    ColumnSpec("improvements", r"改进措施及结果应用方案|改进措施|改进意见"),
)

LAYOUT = DepartmentLayout(
    form="department_national",
    title_pattern=r"整体(支出)?绩效自评表",
    labels=(
        ColumnSpec("department", r"部门[（(]单位[）)]名称|部门名称|主管部门|部门|单位名称"),
        *TEXT_LABELS,
    ),
    funding=replace(
        _NATIONAL.funding,
        title="年度预算执行情况",
        columns=(
            ColumnSpec("line_name", r"^$|资金来源|资金类别|支出类别"),
            *_NATIONAL.funding.columns[1:],
            # Printed by some, not extracted: 得分 = 执行率 × 分值.
            ColumnSpec("score_method", r"得分计算方法|计算方法"),
        ),
    ),
    funding_sources=FUNDING_SOURCES,
    goal=replace(
        _NATIONAL.goal,
        columns=(
            ColumnSpec("expected", r"预期目标|年初设定目标"),
            ColumnSpec("achieved", r"实际完成情况|年度总体目标完成情况|实际完成"),
        ),
    ),
    indicators=replace(
        _NATIONAL.indicators,
        columns=(
            ColumnSpec("level1", r"一级指标"),
            ColumnSpec("level2", r"二级指标"),
            ColumnSpec("indicator_name", r"三级指标|指标名称"),
            # letters may follow: 年度指标值（A） | 实际完成值（B）
            ColumnSpec("target_raw", r"年度指标值|年初指标值|指标值|目标值"),
            ColumnSpec("actual_raw", r"完成值|实际值"),
            ColumnSpec("weight", r"^分值$|^权重$"),
            ColumnSpec("score", r"^得分$"),
            ColumnSpec("reason", r"原因"),
        ),
    ),
    total_pattern=r"总分|合计",
    block_label_pattern=(
        r"^(年度预算执行情况|预算执行情况|部门[（(]单位[）)]总体资金|年度主要任务|年度总体目标$|年度总体目标[（(]"
        r"|绩效指标$|绩效指标[（(]|年度绩效指标)"
    ),
    start_field="department",
    distinctive=(
        r"^部门[（(]单位[）)]名称",
        r"^年度指标值",
        r"^全年预算数",
        r"^年度资金总额",
        r"^(年度主要任务|任务名称)$",
        r"^(预期目标|年初设定目标)$",
        r"^分值$",
    ),
    key_tasks=TableSpec(
        name="key_tasks",
        title="年度主要任务",
        title_pattern="",
        columns=(
            ColumnSpec("task", r"任务名称"),
            ColumnSpec("content", r"主要内容"),
            # Whole cells: a funding header's 年初预算数 / 全年执行数 is no task column.
            ColumnSpec("budget", r"^(预算数|预算金额|拟安排资金)([（(]万元[）)])?$"),
            ColumnSpec("actual", r"^(执行数|实际支出|实际执行数)([（(]万元[）)])?$"),
        ),
        header_min_matches=3,
        new_row_fields=("content", "budget", "actual"),
        identity_fields=("task",),
    ),
)

FORM = department_form(LAYOUT)
