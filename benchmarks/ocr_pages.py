"""OCR speed: pages per second and CPU seconds per page on the scanned fixtures (docs/ocr.md).

    uv run python benchmarks/ocr_pages.py [--repeat N]

Each scanned page (tests/fixtures/scans/*_scan.pdf) is read by `extract.ocr_pages.read_page` and
`extract.tables.read_page` (render, deskew, rules, OCR, cells) in this one process, best of N; the
baseline in the same run is the text-layer read of the PDF each scan was made from. CPU time is the
process's (onnxruntime runs one thread), so it does not depend on what else the machine runs; wall
time does. The engine's one-off model load is timed apart.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import pypdfium2 as pdfium

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from extract import ocr_pages, pdfium_pages  # noqa: E402
from extract.settings import DEFAULT_SETTINGS  # noqa: E402
from extract.tables import read_page  # noqa: E402
from tests.fixtures.generator.scans import SCAN_SET  # noqa: E402


def _timed(fn) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def _best(fn, repeat: int) -> tuple[float, float]:
    """(wall, CPU) of the run with the least CPU."""
    return min((_timed(fn) for _ in range(repeat)), key=lambda t: t[1])


def _read_all(path: Path, ocr: bool) -> int:
    pdf = pdfium.PdfDocument(path)
    try:
        for index in range(len(pdf)):
            page = ocr_pages.read_page(pdf, index).page if ocr else pdfium_pages.read_page(pdf, index)
            read_page(page, DEFAULT_SETTINGS)
        return len(pdf)
    finally:
        pdf.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1, help="best of N runs per file (default 1)")
    args = parser.parse_args()
    load_wall, load_cpu = _timed(ocr_pages.engine)
    print(f"engine load: {load_wall:.2f} s wall, {load_cpu:.2f} s CPU (once per process)\n")
    print(
        "| file | pages | dpi | OCR CPU s/page | OCR wall s/page | pages/s (wall) "
        "| text layer CPU s/page | CPU ratio |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    totals = [0, 0.0, 0.0, 0.0]
    for scan in SCAN_SET:
        path = ROOT / "tests" / "fixtures" / "scans" / f"{scan.name}.pdf"
        pages = len(pdfium.PdfDocument(path))
        ocr = _best(lambda p=path: _read_all(p, True), args.repeat)
        text = _best(lambda s=scan.source: _read_all(s, False), args.repeat)
        totals = [totals[0] + pages, totals[1] + ocr[0], totals[2] + ocr[1], totals[3] + text[1]]
        print(
            f"| {scan.name} | {pages} | {scan.dpi} | {ocr[1] / pages:.2f} | {ocr[0] / pages:.2f} "
            f"| {pages / ocr[0]:.2f} | {text[1] / pages:.3f} | {ocr[1] / max(text[1], 1e-9):.0f}× |"
        )
    n, wall, cpu, text_cpu = totals
    print(
        f"| **all** | {n} | | **{cpu / n:.2f}** | {wall / n:.2f} | {n / wall:.2f} | {text_cpu / n:.3f} "
        f"| {cpu / max(text_cpu, 1e-9):.0f}× |"
    )


if __name__ == "__main__":
    main()
