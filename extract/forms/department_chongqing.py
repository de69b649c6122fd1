"""Chongqing's department-wide table (部门整体绩效自评表): 主管部门 | 财政处室 | 自评总分（分） and
部门联系人 | 联系电话 rows; 部门预算执行情况（万元） beside one row of 年初预算数 | 全年（调整）预算数 |
全年执行数 | 执行率（%） | 执行率权重 | 执行率得分（分）; 当年绩效目标 with 年初绩效目标 |
全年（调整）绩效目标 | 全年目标实际完成情况; indicators without levels: 指标名称 | 计量单位 | 指标性质
(merged down its rows) | 年初指标值 | 调整指标值 | 全年完成值 | 得分系数（%） | 指标权重（分） |
指标得分（分） | 是否核心指标. The fiscal year is printed only in the text."""

from __future__ import annotations

from . import department_national
from .lib.department_table import DepartmentLayout, department_form
from .lib.table_spec import ColumnSpec, TableSpec

LAYOUT = DepartmentLayout(
    form="department_chongqing",
    title_pattern=r"部门整体绩效自评表",
    labels=(
        ColumnSpec("department", r"主管部门"),
        ColumnSpec("finance_office", r"财政处室"),
        ColumnSpec("total_score", r"自评总分([（(]分[）)])?"),
        ColumnSpec("contact", r"部门联系人|联系人"),
        ColumnSpec("phone", r"联系电话"),
        *department_national.TEXT_LABELS,
    ),
    funding=TableSpec(
        name="funding_lines",
        title="部门预算执行情况",
        title_pattern="",
        columns=(
            ColumnSpec("line_name", r"^$"),
            ColumnSpec("initial_budget", r"年初预算"),
            ColumnSpec("adjusted_budget", r"全年[（(]调整[）)]预算|全年预算|调整后预算"),
            ColumnSpec("actual_spend", r"全年执行|执行数"),
            ColumnSpec("execution_rate_pct", r"^执行率([（(]%[）)])?$"),
            ColumnSpec("weight", r"执行率权重|^权重$|^分值$"),
            ColumnSpec("score", r"得分"),
            ColumnSpec("reason", r"原因"),
        ),
        header_min_matches=4,
        new_row_fields=("initial_budget", "adjusted_budget", "actual_spend"),
        identity_fields=("actual_spend",),
    ),
    funding_sources=department_national.FUNDING_SOURCES,
    goal=TableSpec(
        name="goal",
        title="当年绩效目标",
        title_pattern="",
        columns=(
            ColumnSpec("expected", r"年初绩效目标|年初目标"),
            ColumnSpec("adjusted", r"全年[（(]调整[）)]绩效目标|调整后绩效目标"),
            ColumnSpec("achieved", r"实际完成情况|完成情况"),
        ),
        header_min_matches=2,
        new_row_fields=("expected", "achieved"),
        identity_fields=("expected",),
    ),
    indicators=TableSpec(
        name="indicators",
        title="绩效指标",
        title_pattern="",
        columns=(
            ColumnSpec("indicator_name", r"指标名称"),
            ColumnSpec("unit", r"计量单位|度量单位"),
            ColumnSpec("indicator_nature", r"指标性质"),
            ColumnSpec("target_raw", r"年初指标值|年度指标值"),
            ColumnSpec("target_adjusted", r"调整指标值"),
            ColumnSpec("actual_raw", r"完成值"),
            ColumnSpec("score_coefficient_pct", r"得分系数"),
            ColumnSpec("weight", r"指标权重|^权重$|^分值$"),
            ColumnSpec("score", r"指标得分|^得分"),
            ColumnSpec("is_core", r"是否核心"),
        ),
        header_min_matches=5,
        new_row_fields=("target_raw", "actual_raw", "weight", "score"),
        identity_fields=("indicator_name",),
        carry_down=("indicator_nature",),
    ),
    total_pattern=r"(?!)",  # the total score is the 自评总分 label's
    block_label_pattern=r"^(部门预算执行情况|当年绩效目标|绩效指标$|绩效指标[（(])",
    start_field="department",
    funding_label_pattern=r"^部门预算执行情况",
    distinctive=(
        r"^财政处室$",
        r"^自评总分",
        r"^是否核心指标$",
        r"^得分系数",
        r"^调整指标值$",
        r"^全年[（(]调整[）)]",
    ),
)

FORM = department_form(LAYOUT)
