"""Every kind of bad input raises its own exception; nothing returns an empty success."""

from __future__ import annotations

import pytest

import extract
from extract import errors
from tests.conftest import BAD_DIR

CASES = [
    ("not_a_pdf.pdf", errors.NotAPdfError),
    ("empty.pdf", errors.EmptyFileError),
    ("truncated.pdf", errors.TruncatedPdfError),
    ("encrypted.pdf", errors.EncryptedPdfError),
    ("scanned.pdf", errors.NoTextLayerError),
    ("not_a_report.pdf", errors.NotASelfEvaluationReportError),
    ("missing_section_9.pdf", errors.MissingSectionError),
]


# OCR off: an image-only file is one without a text layer (tests/test_ocr.py reads it by OCR).
NO_OCR = extract.ExtractSettings(ocr="never")


@pytest.mark.parametrize(("file_name", "error"), CASES)
def test_bad_input_raises_specific_error(file_name, error):
    with pytest.raises(error) as info:
        extract.read_report(BAD_DIR / file_name, NO_OCR)
    assert info.value.path.endswith(file_name)
    assert "\n" not in str(info.value)


def test_missing_section_names_the_section():
    with pytest.raises(errors.MissingSectionError, match="九、部门整体自评表"):
        extract.read_report(BAD_DIR / "missing_section_9.pdf")


def test_page_limit_rejects_long_file(seed_report):
    settings = extract.ExtractSettings(max_pages=5)
    from tests.truth import PDF_DIR

    with pytest.raises(errors.TooManyPagesError, match="14 pages, limit 5"):
        extract.read_report(PDF_DIR / "seed_suzhou_police_2022.pdf", settings)
