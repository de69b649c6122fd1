"""A file of project tables goes the way a department-wide report goes: `selfeval extract` prints it
(one JSON object per table), the inbox files it under its year, and extraction caches, selects and
loads it as one file (one sha256 folder)."""

from __future__ import annotations

import json
import shutil

from extract.store import PROJECT_TABLES, read_table
from orchestration.build.extraction import extract_year, year_dir
from orchestration.build.inbox import scan
from orchestration.cli import main
from tests.truth import PDF_DIR, PROJECTS_DIR, load_project_truth

COMPILATION = PROJECTS_DIR / "national_calc_compilation.pdf"
SEED = PDF_DIR / "seed_suzhou_police_2022.pdf"


def test_extract_prints_one_object_per_project_table(capsys):
    assert main(["extract", str(COMPILATION)]) == 0
    printed = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    truth = load_project_truth("national_calc_compilation")
    assert [d["project_name"] for d in printed] == [t["project_name"] for t in truth]
    first = printed[0]
    assert (first["report_kind"], first["form"], first["source_file"]) == (
        "project",
        "project_national",
        "national_calc_compilation.pdf",
    )
    assert len(first["sha256"]) == 64
    assert set(first["funding_lines"][0]) >= {
        "line_name",
        "funding_source",
        "weight",
        "score",
        "page",
        "bbox",
    }


def test_extract_prints_the_suzhou_report_as_one_object_with_its_kind_and_form(capsys):
    assert main(["extract", str(SEED)]) == 0
    [line] = capsys.readouterr().out.splitlines()
    doc = json.loads(line)
    assert (doc["report_kind"], doc["form"], doc["department"]) == (
        "department_overall",
        "suzhou_overall",
        "苏州市公安局",
    )


def test_project_file_is_filed_under_its_first_tables_year(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(COMPILATION, inbox / "projects.pdf")
    [item] = scan(inbox).files
    truth = load_project_truth("national_calc_compilation")[0]
    assert (item.error, item.fiscal_year, item.department) == (
        None,
        truth["fiscal_year"],
        truth["department"],
    )


def test_project_file_is_cached_and_selected_as_one_folder(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(COMPILATION, inbox / "projects.pdf")
    truth = load_project_truth("national_calc_compilation")
    year = truth[0]["fiscal_year"]
    files = scan(inbox).for_year(year)
    extracted, cache = tmp_path / "extracted", tmp_path / "cache"
    result = extract_year(files, year, extracted, tmp_path / "rejected", cache)
    assert (result.loaded, result.rejected) == (["projects.pdf"], [])
    assert result.rows == {
        "project_reports": 5,
        "project_funding_lines": sum(len(t["funding_lines"]) for t in truth),
        "project_indicators": sum(len(t["indicators"]) for t in truth),
    }
    [folder] = [p for p in year_dir(extracted, year).iterdir() if p.is_dir()]
    assert folder.name == files[0].sha256
    assert {f"{t}.parquet" for t in PROJECT_TABLES} <= {p.name for p in folder.iterdir()}
    assert read_table(year_dir(extracted, year), "project_reports").column("project_name").to_pylist() == [
        t["project_name"] for t in truth
    ]
    again = extract_year(files, year, extracted, tmp_path / "rejected", cache)
    assert (again.loaded, again.cached, again.rows) == ([], ["projects.pdf"], result.rows)
