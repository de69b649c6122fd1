"""Per-fixture extraction accuracy against the committed ground truth, and seconds per page.

    uv run python benchmarks/extraction_accuracy.py

Prints a Markdown table: rows and fields right per table, and extraction time per page.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import extract
from tests.truth import PDF_DIR, actual_records, expected_records, field_accuracy, fixture_names, load_truth


def main() -> int:
    print("| fixture | pages | budget lines | key tasks | indicators | fields right | s/page |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    total_right = total_fields = total_pages = 0
    total_seconds = 0.0
    for name in fixture_names():
        start = time.perf_counter()
        report = extract.read_report(PDF_DIR / f"{name}.pdf")
        seconds = time.perf_counter() - start
        expected, actual = expected_records(load_truth(name)), actual_records(report)
        cells = []
        right_all = fields_all = 0
        for table in ("budget_lines", "key_tasks", "indicators"):
            right, fields = field_accuracy(expected[table], actual[table])
            right_all, fields_all = right_all + right, fields_all + fields
            cells.append(f"{len(actual[table])}/{len(expected[table])}")
        total_right, total_fields = total_right + right_all, total_fields + fields_all
        total_pages += report.page_count
        total_seconds += seconds
        print(
            f"| {name} | {report.page_count} | {' | '.join(cells)} | {right_all}/{fields_all} "
            f"({100 * right_all / fields_all:.1f}%) | {seconds / report.page_count:.3f} |"
        )
    print(
        f"| **all** | {total_pages} | | | | {total_right}/{total_fields} "
        f"({100 * total_right / total_fields:.1f}%) | {total_seconds / total_pages:.3f} |"
    )
    return 0 if total_right == total_fields else 1


if __name__ == "__main__":
    sys.exit(main())
