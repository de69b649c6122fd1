"""An Anhui county variant of the department-wide table (部门整体支出绩效自评表, the year on the title
line): 单位名称 | 填报日期; a row 基本支出总额 … 项目支出总额 …; 预算执行情况（万元）（20分） naming its
own weight, with 预算数(A) | 执行数(B) | 执行率(B/A) | 得分（20分*执行率） and one row 部门整体支出总额;
a goal row 年度目标1：（80分） with the goal beside it; indicators 一级 | 二级 | 三级指标 | 年初目标值(A) |
实际完成值(B) | 得分 with no weight column; 总分; 偏差大或目标未完成原因分析 and 改进措施及结果应用方案
rows. The numbered 备注 below the table is not data."""

from __future__ import annotations

from dataclasses import replace

from . import department_national
from .lib.department_table import DepartmentLayout, department_form
from .lib.table_spec import ColumnSpec, TableSpec

_NATIONAL = department_national.LAYOUT

LAYOUT = DepartmentLayout(
    form="department_anhui",
    title_pattern=r"整体支出绩效自评表",
    labels=(
        ColumnSpec("department", r"单位名称|部门名称|部门[（(]单位[）)]名称"),
        ColumnSpec("report_date", r"填报日期|报表日期"),
        ColumnSpec("basic_total", r"基本支出总额"),
        ColumnSpec("project_total", r"项目支出总额"),
        ColumnSpec("goal_expected", r"年度(总体)?目标\d*[:：]?([（(][\d.]+分[）)])?"),
        *department_national.TEXT_LABELS,
    ),
    funding=TableSpec(
        name="funding_lines",
        title="预算执行情况",
        title_pattern="",
        columns=(
            ColumnSpec("line_name", r"^$"),
            ColumnSpec("initial_budget", r"年初预算"),
            # A lone 预算数: the budget the printed 执行率 divides by.
            ColumnSpec("adjusted_budget", r"^预算数|全年预算|调整后预算"),
            ColumnSpec("actual_spend", r"^执行数|全年执行"),
            ColumnSpec("execution_rate_pct", r"^执行率"),
            ColumnSpec("weight", r"^分值$|^权重$"),
            ColumnSpec("score", r"^得分"),
            ColumnSpec("reason", r"原因"),
        ),
        header_min_matches=3,
        new_row_fields=("adjusted_budget", "actual_spend", "execution_rate_pct"),
        identity_fields=("line_name",),
    ),
    funding_sources=department_national.FUNDING_SOURCES,
    goal=_NATIONAL.goal,
    indicators=replace(
        _NATIONAL.indicators,
        columns=(
            ColumnSpec("level1", r"一级指标"),
            ColumnSpec("level2", r"二级指标"),
            ColumnSpec("indicator_name", r"三级指标"),
            ColumnSpec("target_raw", r"年初目标值|目标值|指标值"),
            ColumnSpec("actual_raw", r"实际完成值|完成值"),
            ColumnSpec("weight", r"^分值$|^权重$"),
            ColumnSpec("score", r"^得分"),
            ColumnSpec("reason", r"原因"),
        ),
        new_row_fields=("target_raw", "actual_raw", "score"),
    ),
    total_pattern=r"总分|合计",
    block_label_pattern=r"^(预算执行情况|年度预算执行情况|绩效指标$|绩效指标[（(]|年度绩效指标)",
    start_field="department",
    distinctive=(
        r"^填报日期",
        r"^基本支出总额",
        r"^项目支出总额",
        r"^年初目标值",
        r"^预算执行情况.*[（(]\d+分[）)]",
        r"^部门整体支出总额$",
        r"^偏差大或目标未完成原因分析",
    ),
)

FORM = department_form(LAYOUT)
