"""The national project self-evaluation table (项目支出绩效自评表, the form attached to 财预〔2020〕10号):
one table per project, many per file; names printed with codes (`219-池州市贵池区棠溪镇人民政府`)."""

from __future__ import annotations

from .lib.project_table import ProjectLayout, project_form, title_pattern
from .lib.table_spec import ColumnSpec, TableSpec

LAYOUT = ProjectLayout(
    form="project_national",
    title_pattern=title_pattern(r"项目支出绩效自评表"),
    labels=(
        ColumnSpec("project_name", r"项目名称"),
        ColumnSpec("department", r"主管部门|主管单位"),
        ColumnSpec("implementing_unit", r"实施单位(（盖章）|\(盖章\))?"),
    ),
    funding=TableSpec(
        name="funding_lines",
        title="项目资金",
        title_pattern="",
        columns=(
            ColumnSpec("line_name", r"^$|资金来源|资金类别"),
            ColumnSpec("initial_budget", r"年初预算"),
            ColumnSpec("adjusted_budget", r"全年预算|调整后预算|调整预算"),
            ColumnSpec("actual_spend", r"全年执行|预算执行数|执行数|实际支出"),
            ColumnSpec("weight", r"^分值$|^权重$"),
            ColumnSpec("execution_rate_pct", r"执行率"),
            ColumnSpec("score", r"^得分$"),
            ColumnSpec("reason", r"原因"),
        ),
        header_min_matches=4,
        new_row_fields=("initial_budget", "adjusted_budget", "actual_spend", "execution_rate_pct"),
        identity_fields=("line_name",),
    ),
    funding_sources=(
        ("total", r"^(年度资金总额|资金总额|总额|合计|总计)"),
        ("carryover", r"上年结转"),
        ("special_account", r"财政专户"),
        ("fiscal", r"财政拨款|财政资金"),
        ("unit_funds", r"单位资金|单位自筹|自有资金"),
        ("other", r"其他资金"),
    ),
    goal=TableSpec(
        name="goal",
        title="年度总体目标",
        title_pattern="",
        columns=(
            ColumnSpec("expected", r"预期目标"),
            ColumnSpec("achieved", r"实际完成情况|实际完成目标|实际完成"),
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
            ColumnSpec("level1", r"一级指标"),
            ColumnSpec("level2", r"二级指标"),
            ColumnSpec("indicator_name", r"三级指标|指标名称"),
            ColumnSpec("target_raw", r"指标值$|目标值"),
            ColumnSpec("actual_raw", r"完成值$|实际值"),
            ColumnSpec("weight", r"^分值$|^权重$"),
            ColumnSpec("score", r"^得分$"),
            ColumnSpec("reason", r"原因"),
        ),
        header_min_matches=4,
        new_row_fields=("target_raw", "actual_raw", "weight", "score"),
        identity_fields=("indicator_name",),
        carry_down=("level1", "level2"),
    ),
    total_pattern=r"总分|合计",
    block_label_pattern=r"^(项目资金|预算执行情况|年度总体目标|绩效指标$|绩效指标[（(]|年度绩效指标)",
)

FORM = project_form(LAYOUT)
