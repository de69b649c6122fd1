"""A file of one national project table, built in memory, for the OCR review's tests
(`extract.ocr_review`): its records all on page 1, which OCR read with one sure line."""

from __future__ import annotations

import extract
from extract import ocr_pages
from extract.models import FundingLine, ProjectIndicator, Provenance

PROV = Provenance(page=1, pages=(1,), bbox=(0.0, 0.0, 100.0, 20.0))
SURE = {1: (ocr_pages.OcrBox(1, (10.0, 5.0, 50.0, 15.0), "x", 0.99),)}


def one_table_file(
    funding: tuple[FundingLine, ...] = (), indicators: tuple[ProjectIndicator, ...] = ()
) -> extract.ProjectFile:
    table = extract.ProjectReport(
        form="project_national",
        fiscal_year=2022,
        department=None,
        department_code=None,
        implementing_unit=None,
        implementing_unit_code=None,
        project_name="项目",
        project_code=None,
        funding_lines=funding,
        goal_expected=None,
        goal_achieved=None,
        indicators=indicators,
        total_weight=None,
        total_score=None,
        conclusion=None,
        problems=None,
        improvements=None,
        provenance=PROV,
    )
    return extract.ProjectFile("f.pdf", "0", 1, (table,))
