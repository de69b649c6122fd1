"""A long file (a department's compilation of a thousand project tables) is read in stretches of
pages, the PDFium document opened afresh for each: the same records, without PDFium's parsed
objects of every page held until the end (extract.report.PAGES_PER_OPENING)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from extract import report

ROOT = Path(__file__).resolve().parent.parent
COMPILATION = ROOT / "tests" / "fixtures" / "projects" / "national_calc_compilation.pdf"  # 5 pages


def test_a_file_read_in_stretches_gives_the_records_read_at_once(monkeypatch):
    at_once = report.read_report(COMPILATION)
    monkeypatch.setattr(report, "PAGES_PER_OPENING", 2)  # stretches of 2, 2 and 1 pages
    assert report.read_report(COMPILATION) == at_once


def _long_file(folder: Path, copies: int) -> Path:
    source = pdfium.PdfDocument(str(COMPILATION))
    out = pdfium.PdfDocument.new()
    for _ in range(copies):
        out.import_pages(source)
    path = folder / "long.pdf"
    out.save(str(path))
    return path


_PEAK_GROWTH = textwrap.dedent(
    """
    import dataclasses, sys
    from pathlib import Path
    from extract import report
    from extract.settings import DEFAULT_SETTINGS

    def peak_kb():
        with open("/proc/self/status") as fh:
            return next(int(line.split()[1]) for line in fh if line.startswith("VmHWM:"))

    path = Path(sys.argv[1])
    settings = dataclasses.replace(DEFAULT_SETTINGS, max_pages=10_000)
    report._read_pages(path, path.read_bytes(), settings, only=[0])  # imports and first use done
    before = peak_kb()
    pages, _ = report._read_pages(path, path.read_bytes(), settings)
    print(len(pages), (peak_kb() - before) // 1024)
    """
)


@pytest.mark.slow
def test_reading_400_pages_grows_memory_by_what_their_content_holds_not_pdfiums_parse(tmp_path):
    # Held to the end, PDFium's parse of a page of this print is about 0.1 MB: 40 MB for 400 pages,
    # on top of the pages' content (about 7 MB).
    path = _long_file(tmp_path, copies=80)
    out = subprocess.run(
        [sys.executable, "-c", _PEAK_GROWTH, str(path)], cwd=ROOT, capture_output=True, text=True, check=True
    )
    pages, growth_mb = map(int, out.stdout.split())
    assert pages == 400
    assert growth_mb < 30  # 49 MB held to the end, 18 MB in stretches of 100 pages
