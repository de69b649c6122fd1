"""A workbook and the PDF LibreOffice Calc printed from it hold the same tables: read cell by cell
(extract.sheets) or from the PDF's text layer, every form — department-wide tables of every layout,
Anhui and Sichuan project tables, compilations mixing forms — gives the same records. Only where
they were read differs (a cell range against a page and box)."""

from __future__ import annotations

from pathlib import Path

import pytest

import extract
from tests.truth import FIXTURES

TWINS = sorted(p for folder in ("departments", "projects") for p in (FIXTURES / folder).glob("*.xlsx"))
WHERE = {"source_file", "sha256", "page", "pages", "bbox", "cell_range"}


def _without_provenance(path: Path) -> list[dict]:
    tables = []
    for table in extract.read_report(path).to_json_dicts():
        out = {k: v for k, v in table.items() if k not in WHERE}
        for key in ("funding_lines", "key_tasks", "indicators"):
            if key in out:
                out[key] = [{k: v for k, v in rec.items() if k not in WHERE} for rec in out[key]]
        tables.append(out)
    return tables


@pytest.mark.parametrize("workbook", TWINS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_workbook_reads_the_same_records_as_its_printed_pdf(workbook):
    assert _without_provenance(workbook) == _without_provenance(workbook.with_suffix(".pdf"))


def test_a_workbook_row_names_its_cells_where_the_pdf_names_a_page():
    [table] = extract.read_report(FIXTURES / "departments" / "anhui_calc.xlsx").to_json_dicts()
    first = table["indicators"][0]
    assert (first["indicator_name"], first["cell_range"]) == ("送戏下乡场次", "项目支出绩效自评表!A9:G9")
    assert table["funding_lines"][0]["cell_range"] == "项目支出绩效自评表!A4:G4"
