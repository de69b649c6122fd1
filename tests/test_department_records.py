"""The department-wide table record (issue 26): stored to Parquet and printed as JSON like project tables."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from extract.models import (
    DepartmentIndicator,
    DepartmentTable,
    DepartmentTask,
    FundingLine,
    ProjectFile,
    Provenance,
)
from extract.store import DEPARTMENT_TABLES, read_table, write_report

WHERE = Provenance(1, (1, 2), (30.0, 60.5, 560.0, 780.0))


def _table(department: str, page: int) -> DepartmentTable:
    where = Provenance(page, (page,), WHERE.bbox)
    basic = FundingLine(
        "基本支出", "basic", Decimal("820.5"), Decimal("846"), Decimal("801.37"), Decimal("94.72"),
        None, None, None, where,
    )  # fmt: skip
    task = DepartmentTask("河道保洁", "全年保洁河道42公里", Decimal("120"), Decimal("118.4"), where)
    indicator = DepartmentIndicator(
        "产出指标", "数量指标", "保洁河道长度", None, "42公里", None, "42公里", Decimal("10"), Decimal("10"),
        None, where, "定量", True, Decimal("100"), None, None, "45公里",
    )  # fmt: skip
    return DepartmentTable(
        "department_national", 2023, department, "306", (basic,), (task,), "河道整洁", None, "已完成",
        (indicator,), Decimal("100"), Decimal("96.5"), None, "无", "加强管理", where,
    )  # fmt: skip


def _file() -> ProjectFile:
    tables = (_table("某区水务局", 1), _table("某区林业局", 2))
    return ProjectFile("d.pdf", "cd" * 32, 2, (), department_tables=tables)


def test_a_file_of_department_tables_writes_one_row_per_table_and_record(tmp_path):
    write_report(_file(), tmp_path, extracted_at=datetime(2024, 1, 1, tzinfo=UTC))
    tables = read_table(tmp_path, "department_tables").to_pylist()
    assert [(t["table_index"], t["department"], t["total_score"]) for t in tables] == [
        (0, "某区水务局", Decimal("96.500000")),
        (1, "某区林业局", Decimal("96.500000")),
    ]
    assert (tables[0]["source_file"], tables[0]["department_key"]) == ("d.pdf", "某区水务局")
    funding = read_table(tmp_path, "department_funding_lines").to_pylist()
    assert [(f["table_index"], f["funding_source"], f["actual_spend"]) for f in funding] == [
        (0, "basic", Decimal("801.370000")),
        (1, "basic", Decimal("801.370000")),
    ]


def test_department_indicators_store_the_extra_fields(tmp_path):
    write_report(_file(), tmp_path)
    first = read_table(tmp_path, "department_indicators").to_pylist()[0]
    assert (first["indicator_nature"], first["is_core"], first["target_adjusted"]) == ("定量", True, "45公里")
    assert first["score_coefficient_pct"] == Decimal("100.000000")
    task = read_table(tmp_path, "department_key_tasks").to_pylist()[0]
    assert (task["task"], task["budget"], task["actual"]) == (
        "河道保洁",
        Decimal("120.000000"),
        Decimal("118.400000"),
    )


def test_a_file_of_tables_writes_every_department_table(tmp_path):
    folder = write_report(_file(), tmp_path)
    assert {f"{t}.parquet" for t in DEPARTMENT_TABLES} <= {p.name for p in folder.iterdir()}


def test_json_prints_each_department_table_with_its_file_and_pages():
    first = _file().to_json_dicts()[0]
    assert first["report_kind"] == "department_overall"
    assert (first["form"], first["fiscal_year"], first["department_code"]) == (
        "department_national",
        2023,
        "306",
    )
    assert (first["source_file"], first["page"], first["pages"]) == ("d.pdf", 1, [1])
    assert first["key_tasks"][0]["budget"] == 120
    assert first["indicators"][0]["is_core"] is True
    assert first["funding_lines"][0]["execution_rate_pct"] == 94.72
