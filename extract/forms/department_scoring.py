"""The scoring-sheet variant of the department-wide table (部门整体支出绩效评价自评表): a 部门名称 row,
then 一级 | 二级 | 三级指标 | 分值 | 指标解释 | 评分标准 | 得分 — no targets, no actuals — and 合计."""

from __future__ import annotations

from dataclasses import replace

from . import department_national
from .lib.department_table import DepartmentLayout, department_form
from .lib.table_spec import ColumnSpec

_NATIONAL = department_national.LAYOUT

LAYOUT = replace(
    _NATIONAL,
    form="department_scoring",
    title_pattern=r"绩效评价自评表|绩效自评评分表",
    labels=(
        ColumnSpec(
            "department",
            r"部门名称|单位名称|部门[（(]单位[）)]名称|被评价部门|评价对象|填报单位([（(]盖章[）)])?",
        ),
        *department_national.TEXT_LABELS,
    ),
    indicators=replace(
        _NATIONAL.indicators,
        columns=(
            ColumnSpec("level1", r"一级指标"),
            ColumnSpec("level2", r"二级指标"),
            ColumnSpec("indicator_name", r"三级指标"),
            ColumnSpec("weight", r"^分值$|^权重$"),
            ColumnSpec("explanation", r"指标解释|指标说明"),
            ColumnSpec("scoring_standard", r"评分标准|评分细则"),
            ColumnSpec("score", r"^得分$"),
        ),
        new_row_fields=("weight", "explanation", "scoring_standard", "score"),
    ),
    key_tasks=None,
    distinctive=(r"^指标解释$", r"^评分标准$", r"^(评分表|绩效评价自评表)$"),
)
assert isinstance(LAYOUT, DepartmentLayout)

FORM = department_form(LAYOUT)
