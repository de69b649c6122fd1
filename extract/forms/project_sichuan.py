"""Sichuan's variant of the project table (部门预算项目支出绩效自评表): a 报表编号 line, the project
code before the name (`51000021R000000019951-工资性支出`), 预算执行情况（10分） with a merged 原因
note, indicators with 指标性质 and 度量单位 columns, and 评价结论 / 存在问题 / 改进措施 texts."""

from __future__ import annotations

from dataclasses import replace

from . import project_national
from .lib.project_table import ProjectLayout, project_form, title_pattern
from .lib.table_spec import ColumnSpec

_NATIONAL = project_national.LAYOUT

LAYOUT = ProjectLayout(
    form="project_sichuan",
    title_pattern=title_pattern(r"部门预算项目支出绩效自评表"),
    labels=(
        *_NATIONAL.labels,
        ColumnSpec("conclusion", r"评价结论|自评结论"),
        ColumnSpec("problems", r"存在(的)?问题"),
        ColumnSpec("improvements", r"改进措施|改进意见"),
        # Printed, not extracted (no field): its row ends the goal block above it.
        ColumnSpec("implementation_summary", r"\d*[.．、]?项目实施内容及过程概述"),
    ),
    funding=replace(
        _NATIONAL.funding,
        title="预算执行情况",
        columns=(
            ColumnSpec("line_name", r"^$|年度预算数|资金来源|资金类别"),
            *_NATIONAL.funding.columns[1:],
        ),
    ),
    funding_sources=_NATIONAL.funding_sources,
    goal=replace(
        _NATIONAL.goal,
        columns=(
            ColumnSpec("expected", r"预期目标|^项目年度目标$"),
            ColumnSpec("achieved", r"实际完成|目标完成情况"),
        ),
    ),
    indicators=replace(
        _NATIONAL.indicators,
        columns=(
            ColumnSpec("level1", r"一级指标"),
            ColumnSpec("level2", r"二级指标"),
            ColumnSpec("indicator_name", r"三级指标|指标名称"),
            ColumnSpec("operator", r"指标性质"),
            ColumnSpec("target_raw", r"^指标值$|年度指标值|目标值"),
            ColumnSpec("unit", r"度量单位|计量单位"),
            ColumnSpec("actual_raw", r"完成值$|实际值"),
            ColumnSpec("weight", r"^分值$|^权重$"),
            ColumnSpec("score", r"^得分$"),
            ColumnSpec("reason", r"原因"),
        ),
    ),
    total_pattern=_NATIONAL.total_pattern,
    block_label_pattern=r"^(项目资金|预算执行情况|年度总体目标|项目基本情况|绩效指标$|绩效指标[（(])",
)

FORM = project_form(LAYOUT)
