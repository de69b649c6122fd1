"""Good reports passed through publishing tools (tests/lib/benign_variants.py) load with the same
records as their source: sealed, signed, merged, rewritten, encrypted or repaired, never rejected."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import pytest

from extract import ReportError, read_report
from extract.guarded import Limits, read_reports
from tests.lib import benign_variants
from tests.truth import PDF_DIR

PROJECTS_DIR = PDF_DIR.parent / "projects"
SOURCES = sorted([*PDF_DIR.glob("*.pdf"), *PROJECTS_DIR.glob("*.pdf")])
# Every kind but Ghostscript's re-distilling (its broken text layers are OCR's case), each applied
# to a different fixture in turn: Writer, Chromium and reportlab reports, Calc and Word project tables.
KINDS = [kind for kind in benign_variants.KINDS if kind not in benign_variants.REDISTILLED]
SOURCE_OF = {kind: SOURCES[(i * 5) % len(SOURCES)] for i, kind in enumerate(KINDS)}


def _records(result) -> dict:
    doc = asdict(result)
    for key in ("source_file", "sha256", "page_count", "integrity_warnings"):
        doc.pop(key, None)
    return doc


@pytest.fixture(scope="session")
def benign_results(tmp_path_factory) -> dict[str, tuple[object, object]]:
    """{kind: (variant's result, source's result)}, every available kind made once and read as
    `selfeval build` reads files."""
    work = tmp_path_factory.mktemp("benign")
    made = {}
    for kind in KINDS:
        if benign_variants.missing_tool(kind) is None:
            made[benign_variants.make(kind, SOURCE_OF[kind], work / f"{kind}.pdf")] = kind
    sources = sorted({SOURCE_OF[kind] for kind in made.values()})
    limits = Limits(seconds=120, memory_mb=2048)
    results = dict(read_reports([*sources, *made], limits=limits))
    return {kind: (results[path], results[SOURCE_OF[kind]]) for path, kind in made.items()}


@pytest.mark.parametrize("kind", KINDS)
def test_benign_variant_loads_the_same_records_as_its_source(kind, benign_results):
    tool = benign_variants.missing_tool(kind)
    if tool is not None:
        pytest.skip(f"{tool} is not installed")
    variant, source = benign_results[kind]
    assert not isinstance(variant, ReportError), f"{SOURCE_OF[kind].name}: {variant}"
    assert _records(variant) == _records(source)


def test_signed_variant_really_holds_an_incremental_update(tmp_path):
    # The variant the signature test reads appends a revision: two %%EOF markers, the page re-stored.
    signed = benign_variants.make(
        "pyhanko_signature_visible", Path(SOURCE_OF["pyhanko_signature_visible"]), tmp_path / "signed.pdf"
    )
    source = SOURCE_OF["pyhanko_signature_visible"].read_bytes()
    data = signed.read_bytes()
    assert data.startswith(source)
    assert data.count(b"%%EOF") == source.count(b"%%EOF") + 1


@pytest.mark.parametrize("name", ["anhui_calc", "national_calc_compilation"])
def test_libreoffice_pdfa_export_loads_the_same_records(name):
    # PDF/A-2b is a publishing workflow's export option: the Calc fixture exported again from its own
    # .xlsx with it (PDF/A metadata, embedded fonts, no transparency) reads the same.
    exported = PDF_DIR.parent / "benign" / f"{name}_pdfa2b.pdf"
    assert b"pdfaid" in exported.read_bytes()
    original = PDF_DIR.parent / "departments" / f"{name}.pdf"
    assert _records(read_report(exported)) == _records(read_report(original))
