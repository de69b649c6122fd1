"""Spreadsheets and Word files read cell by cell (issue 29): every fixture in
tests/fixtures/spreadsheets reads at 100% of its truth's fields, by the forms that read the PDFs."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from extract import ProjectFile, Report, read_report
from tests.truth import (
    FIXTURES,
    actual_records,
    expected_records,
    field_diffs,
    load_project_truth,
    project_field_accuracy,
)

SHEETS_DIR = FIXTURES / "spreadsheets"
SHEET_TRUTH_DIR = SHEETS_DIR / "truth"


def _fixture_path(name: str) -> Path:
    """A fixture file: in tests/fixtures/spreadsheets, or the project fixtures' committed workbook."""
    here = SHEETS_DIR / name
    return here if here.exists() else FIXTURES / "projects" / name


def _names(kind: str) -> list[str]:
    out = []
    for truth in sorted(SHEET_TRUTH_DIR.glob("*.json")):
        data = json.loads(truth.read_text(encoding="utf-8"))
        if (kind == "project") == isinstance(data, list):
            out.append(truth.name.removesuffix(".json"))
    return out


def _project_truth(name: str) -> list[dict]:
    return json.loads((SHEET_TRUTH_DIR / f"{name}.json").read_text(encoding="utf-8"), parse_float=Decimal)


@pytest.mark.parametrize("name", _names("project"))
def test_project_tables_read_every_field(name: str) -> None:
    extracted = read_report(_fixture_path(name))
    assert isinstance(extracted, ProjectFile)
    actual = json.loads(json.dumps(extracted.to_json_dicts(), default=str), parse_float=Decimal)
    right, total, diffs = project_field_accuracy(_project_truth(name), actual)
    assert diffs == [], f"{name}: {right}/{total} fields"


@pytest.mark.parametrize("name", _names("report"))
def test_department_report_reads_every_field(name: str) -> None:
    report = read_report(_fixture_path(name))
    assert isinstance(report, Report)
    truth = json.loads((SHEET_TRUTH_DIR / f"{name}.json").read_text(encoding="utf-8"))
    expected, actual = expected_records(truth), actual_records(report)
    for table in expected:
        assert field_diffs(expected[table], actual[table]) == [], f"{name} {table}"
    assert (report.department, report.fiscal_year) == (truth["department"], truth["fiscal_year"])


def test_pdf_truth_is_the_spreadsheet_truth() -> None:
    """The spreadsheets hold the very tables the PDF fixtures print: the same values, other pages."""
    sheet = [
        {k: v for k, v in t.items() if k not in ("page", "pages", "source_file", "cell_range")}
        for t in _project_truth("national_sheets.xlsx")
    ]
    pdf = [
        {k: v for k, v in t.items() if k not in ("page", "pages", "source_file")}
        for t in load_project_truth("national_calc_compilation")
    ]
    strip = lambda rows: [{k: v for k, v in r.items() if k not in ("page", "pages")} for r in rows]  # noqa: E731
    assert [(t["project_name"], strip(t["indicators"])) for t in sheet] == [
        (t["project_name"], strip(t["indicators"])) for t in pdf
    ]
