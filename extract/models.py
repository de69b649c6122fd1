"""Typed records produced by extraction. Every table row carries its provenance."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, is_dataclass
from decimal import Decimal
from types import MappingProxyType
from typing import Any, ClassVar, get_args, get_type_hints

# The fields saying how a record was read (OCR or the text layer), not what the document prints: the
# truth files compare every other value field.
READ_FLAGS = ("text_source", "ocr_confidence", "needs_review")

# A name SQL matches records on (across tables, years and the user's overrides): the store writes
# its extract.lib.text.name_key beside it as `<field>_key`, so no SQL normalises names itself.
MATCHED_BY_NAME = MappingProxyType({"matched_by_name": True})


@dataclass(frozen=True)
class Provenance:
    """Where a record was printed: the first page, every page it spans, and its bbox on the first page.

    bbox is (x0, top, x1, bottom) in PDF points, top-left origin, as pdfplumber reports it. A record
    read from a spreadsheet or a Word file (extract.sheets) has its sheet as page, its box in grid
    units (columns, rows), and `cell_range`: the cells it was read from, `Sheet1!A7:I7`.
    """

    page: int
    pages: tuple[int, ...]
    bbox: tuple[float, float, float, float]
    cell_range: str | None = None


@dataclass(frozen=True)
class BudgetLine:
    line_name: str = field(metadata=MATCHED_BY_NAME)
    line_type: str
    initial_budget: Decimal | None
    adjustment: Decimal | None
    adjusted_budget: Decimal | None
    actual_spend: Decimal | None
    execution_rate_pct: Decimal | None
    provenance: Provenance
    # How it was read (docs/ocr.md): "ocr" from a scanned or unreadable page; the lowest confidence
    # of the recognised text inside it; needs_review when that is low or its printed arithmetic fails.
    text_source: str = field(default="text_layer", kw_only=True)
    ocr_confidence: float | None = field(default=None, kw_only=True)
    needs_review: bool = field(default=False, kw_only=True)


@dataclass(frozen=True)
class KeyTask:
    duty: str | None = field(metadata=MATCHED_BY_NAME)
    task: str | None
    projects: tuple[str, ...]
    status: str | None
    provenance: Provenance
    # How it was read (docs/ocr.md): "ocr" from a scanned or unreadable page; the lowest confidence
    # of the recognised text inside it; needs_review when that is low or its printed arithmetic fails.
    text_source: str = field(default="text_layer", kw_only=True)
    ocr_confidence: float | None = field(default=None, kw_only=True)
    needs_review: bool = field(default=False, kw_only=True)


@dataclass(frozen=True)
class Indicator:
    level1: str | None
    category: str | None
    indicator_name: str
    target_raw: str | None
    actual_raw: str | None
    value_source: str | None
    deviation_raw: str | None
    reason: str | None
    provenance: Provenance
    # How it was read (docs/ocr.md): "ocr" from a scanned or unreadable page; the lowest confidence
    # of the recognised text inside it; needs_review when that is low or its printed arithmetic fails.
    text_source: str = field(default="text_layer", kw_only=True)
    ocr_confidence: float | None = field(default=None, kw_only=True)
    needs_review: bool = field(default=False, kw_only=True)


@dataclass(frozen=True)
class ReportFacts:
    """Figures the report states in prose (section 四), kept for cross-checks against the tables."""

    completion_rate_pct: Decimal | None = None
    budget_timeliness_rate_pct: Decimal | None = None
    indicator_total: int | None = None
    indicator_met: int | None = None
    indicator_met_share_pct: Decimal | None = None
    benefit_indicator_count: int | None = None
    satisfaction_indicator_count: int | None = None


@dataclass(frozen=True)
class ReportHeader:
    """What the first page says: enough to file a report under its department and year."""

    source_file: str
    sha256: str
    title: str
    department: str = field(metadata=MATCHED_BY_NAME)
    fiscal_year: int
    city: str | None
    page_count: int


@dataclass(frozen=True)
class Report(ReportHeader):
    """The whole report: its header plus the three tables and the facts stated in section 四."""

    budget_lines: tuple[BudgetLine, ...]
    key_tasks: tuple[KeyTask, ...]
    indicators: tuple[Indicator, ...]
    facts: ReportFacts = field(default_factory=ReportFacts)
    # Faults the readers repaired without changing a record (extract.integrity): loaded, and said.
    integrity_warnings: tuple[str, ...] = ()
    ocr_pages: tuple[int, ...] = ()  # pages read by OCR (docs/ocr.md), 1-based

    report_kind: ClassVar[str] = "department_overall"
    form: ClassVar[str] = "suzhou_overall"

    def to_json_dict(self) -> dict[str, Any]:
        """The CLI's JSON shape: numbers as JSON numbers, provenance flattened onto each record."""
        out = {"report_kind": self.report_kind, "form": self.form, **asdict(self)}
        for key in ("budget_lines", "key_tasks", "indicators"):
            out[key] = [_flatten(rec) for rec in out[key]]
        out["facts"] = {k: _jsonable(v) for k, v in out["facts"].items()}
        return out


# Project self-evaluation tables (项目支出绩效自评表 and its provincial variants): one PDF holds one
# or many tables, one per project. A file's records are a ProjectFile; each table is a ProjectReport.

# basic / project: a department-wide table's 基本支出 / 项目支出 rows.
FUNDING_SOURCES = (
    "total",
    "fiscal",
    "carryover",
    "special_account",
    "unit_funds",
    "other",
    "basic",
    "project",
)


@dataclass(frozen=True)
class FundingLine:
    """One row of a project table's funding block (项目资金 / 预算执行情况), amounts in 万元."""

    line_name: str  # as printed: 年度资金总额, 其中：当年财政拨款, 财政专户管理资金, ...
    funding_source: str  # one of FUNDING_SOURCES
    initial_budget: Decimal | None  # 年初预算数
    adjusted_budget: Decimal | None  # 全年预算数 / 调整后预算数
    actual_spend: Decimal | None  # 全年执行数 / 预算执行数
    execution_rate_pct: Decimal | None  # 执行率 / 预算执行率, as printed
    weight: Decimal | None  # 分值 / 权重
    score: Decimal | None  # 得分
    reason: str | None  # 原因 (a merged note is repeated on every line it spans)
    provenance: Provenance
    # How it was read (docs/ocr.md): "ocr" from a scanned or unreadable page; the lowest confidence
    # of the recognised text inside it; needs_review when that is low or its printed arithmetic fails.
    text_source: str = field(default="text_layer", kw_only=True)
    ocr_confidence: float | None = field(default=None, kw_only=True)
    needs_review: bool = field(default=False, kw_only=True)


@dataclass(frozen=True)
class ProjectIndicator:
    level1: str | None  # 一级指标 without its printed weight: 产出指标（50分） -> 产出指标
    level2: str | None  # 二级指标
    indicator_name: str  # 三级指标
    operator: str | None  # 指标性质 (=, ≥, ≤) where the form has that column, else None
    target_raw: str | None  # 年度指标值 / 指标值
    unit: str | None  # 度量单位 where the form has that column, else None
    actual_raw: str | None  # 实际完成值 / 完成值
    weight: Decimal | None  # 分值 / 权重
    score: Decimal | None  # 得分
    reason: str | None  # 偏差原因分析及改进措施 / 未完成原因分析
    provenance: Provenance
    # How it was read (docs/ocr.md): "ocr" from a scanned or unreadable page; the lowest confidence
    # of the recognised text inside it; needs_review when that is low or its printed arithmetic fails.
    text_source: str = field(default="text_layer", kw_only=True)
    ocr_confidence: float | None = field(default=None, kw_only=True)
    needs_review: bool = field(default=False, kw_only=True)


@dataclass(frozen=True)
class ProjectReport:
    """One project's self-evaluation table. Codes printed before a name (`219-…`) are split off."""

    form: str  # the Form that read it: project_national, project_sichuan, ...
    fiscal_year: int
    department: str | None = field(metadata=MATCHED_BY_NAME)  # 主管部门
    department_code: str | None
    # 实施单位; it files the table under itself when 主管部门 is blank
    implementing_unit: str | None = field(metadata=MATCHED_BY_NAME)
    implementing_unit_code: str | None
    project_name: str = field(metadata=MATCHED_BY_NAME)
    project_code: str | None
    funding_lines: tuple[FundingLine, ...]
    goal_expected: str | None  # 年度总体目标: 预期目标
    goal_achieved: str | None  # 年度总体目标: 实际完成情况
    indicators: tuple[ProjectIndicator, ...]
    total_weight: Decimal | None  # 总分 / 合计 row
    total_score: Decimal | None
    conclusion: str | None  # 评价结论 (forms that print it)
    problems: str | None  # 存在问题
    improvements: str | None  # 改进措施
    provenance: Provenance  # the whole table: first page, every page, bbox on the first page
    # How it was read (docs/ocr.md): "ocr" from a scanned or unreadable page; the lowest confidence
    # of the recognised text inside it; needs_review when that is low or its printed arithmetic fails.
    text_source: str = field(default="text_layer", kw_only=True)
    ocr_confidence: float | None = field(default=None, kw_only=True)
    needs_review: bool = field(default=False, kw_only=True)

    report_kind: ClassVar[str] = "project"

    def to_json_dict(self, source_file: str, sha256: str) -> dict[str, Any]:
        """The CLI's JSON shape for one project table (issue 16): file identity, then the table."""
        out = asdict(self)
        prov = out.pop("provenance")
        funding, indicators = out.pop("funding_lines"), out.pop("indicators")
        return {
            "report_kind": self.report_kind,
            **{k: _jsonable(v) for k, v in out.items()},
            "source_file": source_file,
            "sha256": sha256,
            "page": prov["page"],
            "pages": list(prov["pages"]),
            **({"cell_range": prov["cell_range"]} if prov["cell_range"] else {}),
            "funding_lines": [_flatten(rec) for rec in funding],
            "indicators": [_flatten(rec) for rec in indicators],
        }


# Department-wide self-evaluation tables (部门整体支出绩效自评表 and its provincial variants): the
# department-wide kind printed as one table per department, many per file, like the project tables.


@dataclass(frozen=True)
class DepartmentTask:
    """One 年度主要任务 row of a department-wide table, amounts in 万元."""

    task: str  # 任务名称
    content: str | None  # 主要内容
    budget: Decimal | None  # 预算数
    actual: Decimal | None  # 执行数
    provenance: Provenance
    # How it was read (docs/ocr.md): "ocr" from a scanned or unreadable page; the lowest confidence
    # of the recognised text inside it; needs_review when that is low or its printed arithmetic fails.
    text_source: str = field(default="text_layer", kw_only=True)
    ocr_confidence: float | None = field(default=None, kw_only=True)
    needs_review: bool = field(default=False, kw_only=True)


@dataclass(frozen=True)
class DepartmentIndicator(ProjectIndicator):
    """An indicator of a department-wide table: the project table's fields (level1/level2 None where
    the form prints no levels; a column the form does not print is None), then what some forms
    print beyond them, None where not printed."""

    indicator_nature: str | None  # 指标性质: 定量 / 定性 (定量指标 -> 定量)
    is_core: bool | None  # 是否核心指标
    score_coefficient_pct: Decimal | None  # 得分系数（%）
    explanation: str | None  # 指标解释 (scoring sheets)
    scoring_standard: str | None  # 评分标准 (scoring sheets)
    target_adjusted: str | None  # 调整指标值


@dataclass(frozen=True)
class DepartmentTable:
    """One department's department-wide self-evaluation table. Codes printed before a name are split off."""

    form: str  # the Form that read it: department_national, department_anhui, ...
    fiscal_year: int
    department: str = field(metadata=MATCHED_BY_NAME)  # 部门（单位）名称 / 主管部门 / 单位名称
    department_code: str | None
    funding_lines: tuple[FundingLine, ...]
    key_tasks: tuple[DepartmentTask, ...]  # 年度主要任务, where printed
    goal_expected: str | None  # 预期目标 / 年初设定目标 / 年初绩效目标
    goal_adjusted: str | None  # 全年（调整）绩效目标
    goal_achieved: str | None  # 实际完成情况 / 年度总体目标完成情况 / 全年目标实际完成情况
    indicators: tuple[DepartmentIndicator, ...]
    total_weight: Decimal | None  # 总分 / 合计 row
    total_score: Decimal | None  # 自评总分 / 总分 / 合计
    conclusion: str | None
    problems: str | None  # 偏差大或目标未完成原因分析 / 存在问题
    improvements: str | None  # 改进措施及结果应用方案 / 改进措施
    provenance: Provenance  # the whole table: first page, every page, bbox on the first page
    # How it was read (docs/ocr.md): "ocr" from a scanned or unreadable page; the lowest confidence
    # of the recognised text inside it; needs_review when that is low or its printed arithmetic fails.
    text_source: str = field(default="text_layer", kw_only=True)
    ocr_confidence: float | None = field(default=None, kw_only=True)
    needs_review: bool = field(default=False, kw_only=True)

    report_kind: ClassVar[str] = "department_overall"

    def to_json_dict(self, source_file: str, sha256: str) -> dict[str, Any]:
        """The CLI's JSON shape for one department-wide table (issue 26), as for a project table."""
        out = asdict(self)
        prov = out.pop("provenance")
        records = {k: out.pop(k) for k in ("funding_lines", "key_tasks", "indicators")}
        return {
            "report_kind": self.report_kind,
            **{k: _jsonable(v) for k, v in out.items()},
            "source_file": source_file,
            "sha256": sha256,
            "page": prov["page"],
            "pages": list(prov["pages"]),
            **{k: [_flatten(rec) for rec in recs] for k, recs in records.items()},
        }


@dataclass(frozen=True)
class ProjectFile:
    """Every table one PDF of tables holds, in printed order: its project tables and its
    department-wide tables (a compilation may mix forms, and so kinds)."""

    source_file: str
    sha256: str
    page_count: int
    projects: tuple[ProjectReport, ...]
    integrity_warnings: tuple[str, ...] = ()
    department_tables: tuple[DepartmentTable, ...] = ()
    ocr_pages: tuple[int, ...] = ()  # pages read by OCR (docs/ocr.md), 1-based

    def tables_in_order(self) -> list[ProjectReport | DepartmentTable]:
        """Every table, in printed order (first page, then the top of the table)."""
        tables: list[ProjectReport | DepartmentTable] = [*self.projects, *self.department_tables]
        if self.department_tables:
            tables.sort(key=lambda t: (t.provenance.page, t.provenance.bbox[1]))
        return tables

    def to_json_dicts(self) -> list[dict[str, Any]]:
        """One object per table, in printed order (`tables_in_order`)."""
        return [t.to_json_dict(self.source_file, self.sha256) for t in self.tables_in_order()]


def _flatten(rec: dict[str, Any]) -> dict[str, Any]:
    prov = rec.pop("provenance")
    flat = {k: _jsonable(v) for k, v in rec.items()}
    flat["page"] = prov["page"]
    flat["pages"] = list(prov["pages"])
    flat["bbox"] = [round(v, 2) for v in prov["bbox"]]
    if prov["cell_range"]:  # read from a sheet or a Word table (extract.sheets)
        flat["cell_range"] = prov["cell_range"]
    return flat


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        # JSON has one number type; ints stay ints so 0 prints as 0, not 0.0.
        return (
            int(value) if value == value.to_integral_value() and _is_whole_exponent(value) else float(value)
        )
    if isinstance(value, tuple):
        return list(value)
    return value


def value_fields(record_type: type) -> dict[str, Any]:
    """A record's own values, name -> type hint, in declared order: not its provenance, nor the
    records it holds (each a table of its own). What the store writes and the truth compares."""
    hints = get_type_hints(record_type)
    return {
        f.name: hints[f.name]
        for f in fields(record_type)
        if hints[f.name] is not Provenance and not _holds_records(hints[f.name])
    }


def _holds_records(hint: Any) -> bool:
    args = get_args(hint)
    return bool(args) and is_dataclass(args[0])


def is_matched_by_name(record_type: type, field_name: str) -> bool:
    return any(f.name == field_name and f.metadata.get("matched_by_name") for f in fields(record_type))


def _is_whole_exponent(value: Decimal) -> bool:
    exponent = value.as_tuple().exponent
    return isinstance(exponent, int) and exponent >= 0  # NaN and Infinity have a letter instead
