from __future__ import annotations

import json

from orchestration.cli import main
from tests.conftest import BAD_DIR
from tests.truth import INDICATOR_FIELDS, PDF_DIR

SEED = PDF_DIR / "seed_suzhou_police_2022.pdf"


def test_extract_prints_all_seed_records(capsys):
    assert main(["extract", str(SEED)]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert (len(doc["budget_lines"]), len(doc["key_tasks"]), len(doc["indicators"])) == (64, 12, 66)
    assert (doc["department"], doc["fiscal_year"], doc["city"]) == ("苏州市公安局", 2022, "苏州市")
    assert doc["source_file"] == "seed_suzhou_police_2022.pdf" and len(doc["sha256"]) == 64


def test_extract_json_numbers_and_nulls(capsys):
    main(["extract", str(SEED)])
    doc = json.loads(capsys.readouterr().out)
    total = doc["budget_lines"][0]
    assert total == {
        **total,
        "line_name": "预算总金额",
        "line_type": "total",
        "initial_budget": 389658.89,
        "adjustment": 64568.36,
        "adjusted_budget": 454227.25,
        "actual_spend": 449655.56,
        "execution_rate_pct": 98.99,
        "page": 3,
    }
    nan_line = next(b for b in doc["budget_lines"] if b["line_name"] == "苏州公安科技大楼新建")
    assert nan_line["execution_rate_pct"] is None and nan_line["actual_spend"] is None
    assert set(doc["indicators"][0]) >= {*INDICATOR_FIELDS, "page"}
    assert set(doc["key_tasks"][0]) >= {"duty", "task", "projects", "status", "page"}


def test_extract_bad_file_prints_one_line_and_fails(capsys):
    bad = BAD_DIR / "encrypted.pdf"
    assert main(["extract", str(SEED), str(bad)]) == 1
    captured = capsys.readouterr()
    assert captured.err == f"{bad}: encrypted PDF (password required)\n"
    assert json.loads(captured.out)["department"] == "苏州市公安局"  # the good file still printed


def test_extract_missing_file_is_reported(capsys, tmp_path):
    missing = tmp_path / "nope.pdf"
    assert main(["extract", str(missing)]) == 1
    assert capsys.readouterr().err.startswith(f"{missing}: cannot read file")


def test_extract_damaged_page_tree_is_one_line_and_the_files_after_it_print(capsys, tmp_path):
    data = (PDF_DIR / "changzhou_civil_2024.pdf").read_bytes()
    start = data.index(b"\n19 0 obj") + 1  # page 7's page object, blanked: PDFium cannot load the page
    end = data.index(b"endobj", start) + len(b"endobj")
    damaged = tmp_path / "damaged.pdf"
    damaged.write_bytes(data[:start] + b" " * (end - start) + data[end:])
    assert main(["extract", str(damaged), str(SEED)]) == 1
    captured = capsys.readouterr()
    reason = "failed integrity check: PDFium cannot load page 7: Failed to load page."
    assert captured.err == f"{damaged}: {reason}\n"
    assert json.loads(captured.out)["department"] == "苏州市公安局"


def test_extract_applies_the_page_limit_of_build(capsys, monkeypatch):
    monkeypatch.setenv("SELFEVAL_MAX_PAGES", "5")
    assert main(["extract", str(SEED)]) == 1
    assert capsys.readouterr().err == f"{SEED}: too many pages: 14 pages, limit 5\n"
