"""CPU cost of the file-level integrity checks over the committed fixtures (what `read_report` adds).

    uv run python benchmarks/integrity_cost.py [--repeat 3]

Prints the CPU seconds of `as_repaired` and `check_file` per pass over every fixture PDF
(tests/fixtures/pdfs and tests/fixtures/projects), the best of `--repeat` passes, beside PDFium
reading the text of the same files as a baseline measured in the same run.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pypdfium2 as pdfium

from extract.integrity.file_checks import as_repaired, check_file

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures"


def _best_cpu_seconds(passes: int, run) -> float:
    best = float("inf")
    for _ in range(passes):
        start = time.process_time()
        run()
        best = min(best, time.process_time() - start)
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    files = sorted([*FIXTURES.glob("pdfs/*.pdf"), *FIXTURES.glob("projects/*.pdf")])
    loaded = [(path, path.read_bytes()) for path in files]
    counts = {path: len(pdfium.PdfDocument(data)) for path, data in loaded}

    def checks() -> None:
        for path, data in loaded:
            as_repaired(data)  # once before the pages are read (a few-bytes-off table: qpdf's rewrite)
            check_file(path, data, counts[path])

    def pdfium_pages() -> None:
        for _, data in loaded:
            document = pdfium.PdfDocument(data)
            for page in document:
                page.get_textpage().get_text_range()

    checks_s = _best_cpu_seconds(args.repeat, checks)
    baseline_s = _best_cpu_seconds(args.repeat, pdfium_pages)
    print(f"{len(files)} fixture PDFs, best of {args.repeat} passes (CPU seconds)")
    print("| what | CPU s | ratio to PDFium text |\n|---|---:|---:|")
    print(f"| file checks (as_repaired + check_file) | {checks_s:.3f} | {checks_s / baseline_s:.2f} |")
    print(f"| PDFium text of every page (baseline) | {baseline_s:.3f} | 1.00 |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
