"""Per-fixture extraction accuracy against the committed ground truth, and seconds per page.

    uv run python benchmarks/extraction_accuracy.py

Prints a Markdown table per kind: for department-wide reports rows and fields right per table, for
project-table files (tests/fixtures/projects) tables and fields right; and extraction time per page.
Exits 1 unless every field of every fixture is right.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import extract
from tests.truth import (
    PDF_DIR,
    PROJECTS_DIR,
    actual_records,
    expected_records,
    field_accuracy,
    fixture_names,
    load_project_truth,
    load_truth,
    project_field_accuracy,
    project_fixture_names,
)


def main() -> int:
    reports_right = _scored(
        ["fixture", "budget lines", "key tasks", "indicators"], fixture_names(), _department_report
    )
    print()
    projects_right = _scored(["project fixture", "tables"], project_fixture_names(), _project_file)
    return 0 if reports_right and projects_right else 1


def _department_report(name: str) -> tuple[int, list[str], int, int]:
    """(pages, rows per table, fields right, fields) of one department-wide report."""
    report = extract.read_report(PDF_DIR / f"{name}.pdf")
    expected, actual = expected_records(load_truth(name)), actual_records(report)
    cells = []
    right_all = fields_all = 0
    for table in ("budget_lines", "key_tasks", "indicators"):
        right, fields = field_accuracy(expected[table], actual[table])
        right_all, fields_all = right_all + right, fields_all + fields
        cells.append(f"{len(actual[table])}/{len(expected[table])}")
    return report.page_count, cells, right_all, fields_all


def _project_file(name: str) -> tuple[int, list[str], int, int]:
    """(pages, tables found/expected, fields right, fields) of one file of project tables."""
    extracted = extract.read_report(PROJECTS_DIR / f"{name}.pdf")
    expected = load_project_truth(name)
    right, fields, _ = project_field_accuracy(expected, extracted.to_json_dicts())
    return extracted.page_count, [f"{len(extracted.projects)}/{len(expected)}"], right, fields


def _scored(columns: list[str], names: list[str], score) -> bool:
    """One Markdown row per fixture and a total; True when every field of every fixture is right."""
    print(f"| {' | '.join(columns)} | pages | fields right | s/page |")
    print("|---|" + "---:|" * (len(columns) + 2))
    total_right = total_fields = total_pages = 0
    total_seconds = 0.0
    for name in names:
        start = time.perf_counter()
        pages, cells, right, fields = score(name)
        seconds = time.perf_counter() - start
        total_right, total_fields = total_right + right, total_fields + fields
        total_pages += pages
        total_seconds += seconds
        print(
            f"| {name} | {' | '.join(cells)} | {pages} | {right}/{fields} "
            f"({100 * right / fields:.1f}%) | {seconds / pages:.3f} |"
        )
    blanks = " |" * (len(columns) - 1)
    print(
        f"| **all** |{blanks} {total_pages} | {total_right}/{total_fields} "
        f"({100 * total_right / max(total_fields, 1):.1f}%) | {total_seconds / max(total_pages, 1):.3f} |"
    )
    return total_right == total_fields


if __name__ == "__main__":
    sys.exit(main())
