"""Typed extraction settings. Tables are found by section title and header text, never by position."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ColumnSpec:
    """A table column: the record field it fills and a regex its (whitespace-free) header text matches."""

    field: str
    header_pattern: str


@dataclass(frozen=True)
class TableSpec:
    name: str
    title: str  # as printed, for messages
    # Regex on a whitespace-free text line outside any table, e.g. '七、预算信息'.
    title_pattern: str
    columns: tuple[ColumnSpec, ...]
    # A row is a (possibly repeated) header when at least this many cells match column patterns.
    header_min_matches: int
    # A row at the top of a page whose fields here are all empty is the rest of the row cut by the
    # page break above it, not a new row: Word prints such short cells in the row's first part.
    new_row_fields: tuple[str, ...]
    # ...and so is a row at the top of a page without these (every real row has them).
    identity_fields: tuple[str, ...]
    # Vertically merged cells printed once per merge, outermost first; a new outer value resets inner ones.
    carry_down: tuple[str, ...] = ()


BUDGET = TableSpec(
    name="budget_lines",
    title="七、预算信息",
    title_pattern=r"^七[、.．]?预算信息",
    columns=(
        ColumnSpec("line_name", r"预算资金|项目名称|支出项目"),
        ColumnSpec("initial_budget", r"年初预算"),
        ColumnSpec("adjustment", r"结转|追加|追减"),
        ColumnSpec("adjusted_budget", r"调整预算"),
        ColumnSpec("actual_spend", r"实际支出|执行数"),
        ColumnSpec("execution_rate_pct", r"执行率"),
    ),
    header_min_matches=3,
    new_row_fields=("initial_budget", "adjustment", "adjusted_budget", "actual_spend", "execution_rate_pct"),
    identity_fields=("line_name",),
)

KEY_TASKS = TableSpec(
    name="key_tasks",
    title="八、年度重点任务",
    title_pattern=r"^八[、.．]?年度重点任务",
    columns=(
        ColumnSpec("duty", r"主要职责|对应.*职责"),
        ColumnSpec("task", r"任务名称"),
        ColumnSpec("projects", r"主要内容|对应项目|项目名称"),
        ColumnSpec("status", r"完成情况"),
    ),
    header_min_matches=3,
    new_row_fields=("status",),
    identity_fields=("duty", "task"),
)

INDICATORS = TableSpec(
    name="indicators",
    title="九、部门整体自评表",
    title_pattern=r"^九[、.．]?部门整体自评表",
    columns=(
        ColumnSpec("level1", r"^$|一级指标|目标类型"),
        ColumnSpec("category", r"^类别$|二级指标"),
        ColumnSpec("indicator_name", r"指标名称|三级指标"),
        ColumnSpec("target_raw", r"目标值"),
        ColumnSpec("actual_raw", r"完成值$|实际完成值|实际值"),
        ColumnSpec("value_source", r"完成值来源|数据来源"),
        ColumnSpec("deviation_raw", r"偏差"),
        ColumnSpec("reason", r"原因"),
    ),
    header_min_matches=4,
    new_row_fields=("target_raw", "actual_raw"),
    identity_fields=("indicator_name",),
    carry_down=("level1", "category"),
)

# Any other numbered section title ends the table section before it.
SECTION_TITLE = r"^[一二三四五六七八九十]{1,3}[、.．]\S"

LINE_TYPE_PATTERNS: tuple[tuple[str, str], ...] = (
    ("total", r"^(预算总金额|合计|总计|预算资金合计)$"),
    ("basic", r"^基本支出(合计)?$"),
    ("project_total", r"^项目支出(合计)?$"),
)


@dataclass(frozen=True)
class ExtractSettings:
    # Where characters and rules come from: "pdfium" (pypdfium2, C++: ~4x less CPU per page) or
    # "pdfminer" (pdfplumber's own reader). Both give identical records on the whole corpus
    # (tests/test_extract_golden.py); the table logic is pdfplumber's either way.
    backend: str = "pdfium"
    tables: tuple[TableSpec, ...] = (BUDGET, KEY_TASKS, INDICATORS)
    section_title: str = SECTION_TITLE
    line_type_patterns: tuple[tuple[str, str], ...] = LINE_TYPE_PATTERNS
    # pdfplumber table finder: ruled tables ('lines'); small snap for Word's hairline double borders.
    snap_tolerance: float = 3.0
    join_tolerance: float = 3.0
    intersection_tolerance: float = 3.0
    # Characters on a line whose tops differ less than this are one text line.
    line_tolerance: float = 3.0
    # Hostile-input guards.
    max_pages: int = 300
    # Fewer characters than this over the whole file means there is no usable text layer.
    min_text_chars: int = 20
    required_tables: tuple[str, ...] = field(default=("budget_lines", "key_tasks", "indicators"))

    def table_settings(self, explicit_horizontal_lines: list | None = None) -> dict:
        s = {
            "vertical_strategy": "lines",
            "horizontal_strategy": "lines",
            "snap_tolerance": self.snap_tolerance,
            "join_tolerance": self.join_tolerance,
            "intersection_tolerance": self.intersection_tolerance,
        }
        if explicit_horizontal_lines:
            s["explicit_horizontal_lines"] = explicit_horizontal_lines
        return s


DEFAULT_SETTINGS = ExtractSettings()
