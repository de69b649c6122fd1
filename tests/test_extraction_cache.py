"""Cached extractions and headers are keyed on (content hash, extractor version).

An "older extractor" is simulated by running the real pipeline with a different version and a reader
that returns something the current one does not, then running it again as the current version.
"""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import dagster as dg
import pytest

from extract import errors, guarded, read_header, read_report, version
from extract.lib.store_paths import is_current, version_file_name
from extract.store import read_table, write_report
from orchestration.build.extraction import extract_year, year_dir
from orchestration.build.inbox import scan
from orchestration.defs.resources import SelfevalPaths
from orchestration.defs.sensors import inbox_sensor
from orchestration.settings import FileLimits
from tests.truth import PDF_DIR, load_truth

SCANS = PDF_DIR.parent / "scans"

NANTONG = "nantong_culture_2023"
OLD_VERSION = "an-older-extractor"


def _inbox(tmp_path: Path) -> Path:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(PDF_DIR / f"{NANTONG}.pdf", inbox / "a.pdf")
    return inbox


def _old_report_reader(path, settings, sha256=None):
    """What the older extractor made of the file: a wrong department."""
    return dataclasses.replace(read_report(path, settings, sha256), department="旧版本读错的部门")


def _old_header_reader(path, settings, sha256=None):
    """What the older extractor made of the first page: a wrong fiscal year."""
    return dataclasses.replace(read_header(path, settings, sha256), fiscal_year=2019)


# --- the version itself -----------------------------------------------------------------------------


def _package_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "extract"
    shutil.copytree(version.PACKAGE_DIR, copy, ignore=shutil.ignore_patterns("__pycache__"))
    return copy


READERS = [("pdfplumber", "0.11.10"), ("pdfminer.six", "20260107"), ("pypdfium2", "5.15.2")]


def test_extractor_version_changes_with_any_change_to_an_extract_source_file(tmp_path):
    package = _package_copy(tmp_path)
    before = version.fingerprint(package, READERS)
    tables = package / "tables.py"
    tables.write_text(tables.read_text(encoding="utf-8") + "\n# one more line\n", encoding="utf-8")
    assert version.fingerprint(package, READERS) != before


def test_extractor_version_changes_with_a_reader_release(tmp_path):
    package = _package_copy(tmp_path)
    newer_pdfium = [*READERS[:2], ("pypdfium2", "5.16.0")]
    assert version.fingerprint(package, newer_pdfium) != version.fingerprint(package, READERS)


def test_extractor_version_ignores_compiled_bytecode(tmp_path):
    package = _package_copy(tmp_path)
    before = version.fingerprint(package, READERS)
    (package / "__pycache__").mkdir()
    (package / "__pycache__" / "tables.cpython-311.pyc").write_bytes(b"\x00compiled at install")
    assert version.fingerprint(package, READERS) == before


def test_installed_extractor_version_is_the_fingerprint_of_this_package_and_its_readers():
    import importlib.metadata

    readers = [(name, importlib.metadata.version(name)) for name in version.READER_DISTRIBUTIONS]
    assert version.extractor_version() == version.fingerprint(version.PACKAGE_DIR, readers)


# --- extracted reports --------------------------------------------------------------------------------


def test_report_folder_records_the_extractor_version(seed_report, tmp_path):
    folder = write_report(seed_report, tmp_path)
    assert (folder / f"extractor_version={version.extractor_version()}").exists()
    assert is_current(tmp_path, seed_report.sha256)


def test_report_folder_without_a_version_is_not_current(seed_report, tmp_path):
    """Folders written before versions were recorded count as stale."""
    folder = write_report(seed_report, tmp_path)
    (folder / version_file_name(version.extractor_version())).unlink()
    assert not is_current(tmp_path, seed_report.sha256)


@pytest.mark.slow
def test_report_extracted_by_an_older_extractor_is_extracted_again(tmp_path, monkeypatch):
    inbox = scan(_inbox(tmp_path))
    extracted, rejected = tmp_path / "extracted", tmp_path / "rejected"
    with monkeypatch.context() as older:
        older.setattr(version, "extractor_version", lambda: OLD_VERSION)
        older.setattr(guarded, "read_report", _old_report_reader)  # the workers fork with it
        first = extract_year(inbox.for_year(2023), 2023, extracted, rejected, tmp_path / "cache")
    assert first.loaded == ["a.pdf"]
    second = extract_year(inbox.for_year(2023), 2023, extracted, rejected, tmp_path / "cache")
    assert (second.loaded, second.cached) == (["a.pdf"], [])
    reports = read_table(year_dir(extracted, 2023), "report")
    assert reports["department"].to_pylist() == [load_truth(NANTONG)["department"]]
    # the stale folder was replaced, not kept beside the new one
    assert [p.name for p in year_dir(extracted, 2023).iterdir()] == [inbox.files[0].sha256]


def test_report_extracted_by_this_extractor_is_not_extracted_again(tmp_path):
    inbox = scan(_inbox(tmp_path))
    extracted, rejected = tmp_path / "extracted", tmp_path / "rejected"
    extract_year(inbox.for_year(2023), 2023, extracted, rejected, tmp_path / "cache")
    again = extract_year(inbox.for_year(2023), 2023, extracted, rejected, tmp_path / "cache")
    assert (again.loaded, again.cached) == ([], ["a.pdf"])


def test_report_extracted_under_other_ocr_settings_is_extracted_again(tmp_path):
    inbox = scan(_inbox(tmp_path))
    extracted, rejected = tmp_path / "extracted", tmp_path / "rejected"
    extract_year(inbox.for_year(2023), 2023, extracted, rejected, tmp_path / "cache")
    never = FileLimits(ocr="never")
    again = extract_year(
        inbox.for_year(2023), 2023, extracted, rejected, tmp_path / "cache", file_limits=never
    )
    assert (again.loaded, again.cached) == (["a.pdf"], [])


# --- cached headers ------------------------------------------------------------------------------


def test_header_read_by_an_older_extractor_is_read_again(tmp_path, monkeypatch):
    inbox, headers = _inbox(tmp_path), tmp_path / "headers"
    with monkeypatch.context() as older:
        older.setattr(version, "extractor_version", lambda: OLD_VERSION)
        older.setattr(guarded, "read_header", _old_header_reader)
        assert scan(inbox, cache_dir=headers).years() == [2019]
    assert scan(inbox, cache_dir=headers).years() == [2023]


def test_header_read_by_this_extractor_comes_from_the_cache(tmp_path, monkeypatch):
    inbox, headers = _inbox(tmp_path), tmp_path / "headers"
    scan(inbox, cache_dir=headers)
    monkeypatch.setattr(guarded, "read_header", _old_header_reader)  # not called: cached
    assert scan(inbox, cache_dir=headers).years() == [2023]


def test_header_over_the_page_limit_is_read_again_under_a_higher_limit(tmp_path):
    inbox, headers = tmp_path / "inbox", tmp_path / "headers"
    inbox.mkdir()
    shutil.copy(PDF_DIR / "seed_suzhou_police_2022.pdf", inbox / "long.pdf")  # 14 pages
    low_limit = FileLimits(max_pages=5)
    assert [f.error for f in scan(inbox, cache_dir=headers, file_limits=low_limit).files] == [
        "too many pages: 14 pages, limit 5"
    ]
    assert scan(inbox, cache_dir=headers).years() == [2022]


@pytest.mark.slow
def test_image_only_file_rejected_without_ocr_is_read_by_ocr_when_allowed(tmp_path):
    inbox, headers = tmp_path / "inbox", tmp_path / "headers"
    inbox.mkdir()
    shutil.copy(SCANS / "national_word_single_scan.pdf", inbox / "scan.pdf")
    without_ocr = scan(inbox, cache_dir=headers, file_limits=FileLimits(ocr="never"))
    assert [f.error for f in without_ocr.files] == [errors.NoTextLayerError.reason]
    assert scan(inbox, cache_dir=headers).years() == [2022]


# --- the inbox sensor --------------------------------------------------------------------------------


@pytest.mark.slow
def test_sensor_requests_a_run_for_unchanged_files_after_an_extractor_upgrade(tmp_path, monkeypatch):
    inbox = _inbox(tmp_path)
    paths = SelfevalPaths(
        reports_dir=str(inbox), warehouse=str(tmp_path / "w.duckdb"), data_dir=str(tmp_path / "data")
    )
    instance = dg.DagsterInstance.ephemeral()

    def tick(cursor=None):
        return inbox_sensor(
            dg.build_sensor_context(instance=instance, cursor=cursor, resources={"paths": paths})
        )

    with monkeypatch.context() as older:
        older.setattr(version, "extractor_version", lambda: OLD_VERSION)
        before = tick()
    after = tick(before.cursor)
    assert [r.partition_key for r in after.run_requests] == ["2023"]
    assert after.run_requests[0].run_key != before.run_requests[0].run_key
    again = tick(after.cursor)
    assert again.run_requests == []
