"""An unexpected exception in an extraction worker is reported as our internal error, never as a bad file.

The failure is planted in the parent (monkeypatch) and reaches the workers through fork, as any bug
in the extractor would.
"""

from __future__ import annotations

import shutil

import duckdb
import pytest

from extract import ExtractSettings, guarded, read_report, report
from extract.errors import InternalError
from extract.forms import suzhou_overall
from extract.guarded import Limits, read_reports
from tests.lib.in_process import build_in_process, inbox_of
from tests.truth import PDF_DIR

MESSAGE = "facts of section 四 exploded"
REASON = f"internal error: RuntimeError: {MESSAGE}"


def _broken_facts(lines):
    raise RuntimeError(MESSAGE)


def _broken_reader(path, settings, sha256=None):
    raise RuntimeError(MESSAGE)


def test_unexpected_exception_in_a_worker_is_an_internal_error(monkeypatch):
    monkeypatch.setattr(suzhou_overall, "_read_facts", _broken_facts)
    pdf = PDF_DIR / "nantong_culture_2023.pdf"
    [(_, result)] = list(read_reports([pdf], limits=Limits(seconds=60, memory_mb=1024, workers=1)))
    assert isinstance(result, InternalError)
    assert str(result) == REASON


def test_internal_error_carries_the_workers_traceback(monkeypatch):
    monkeypatch.setattr(suzhou_overall, "_read_facts", _broken_facts)
    pdf = PDF_DIR / "nantong_culture_2023.pdf"
    [(_, result)] = list(read_reports([pdf], limits=Limits(seconds=60, memory_mb=1024, workers=1)))
    lines = result.traceback_text.splitlines()
    assert lines[0] == "Traceback (most recent call last):"
    assert lines[-1] == f"RuntimeError: {MESSAGE}"
    assert any(line.strip() == "facts=_read_facts(lines)," for line in lines)  # its caller, the form's reader


def test_internal_error_message_is_one_line(monkeypatch):
    def broken(lines):
        raise ValueError("first line\nsecond line")

    monkeypatch.setattr(suzhou_overall, "_read_facts", broken)
    pdf = PDF_DIR / "nantong_culture_2023.pdf"
    [(_, result)] = list(read_reports([pdf], limits=Limits(seconds=60, memory_mb=1024, workers=1)))
    assert str(result) == "internal error: ValueError: first line"


def test_bug_while_reading_pages_with_the_pdfminer_reader_is_not_a_damaged_file(monkeypatch):
    def broken_page_reader(page, settings):
        raise RuntimeError(MESSAGE)

    monkeypatch.setattr(report, "read_page", broken_page_reader)
    with pytest.raises(RuntimeError, match=MESSAGE):  # reaches the worker as is: an internal error
        read_report(PDF_DIR / "nantong_culture_2023.pdf", ExtractSettings(backend="pdfminer"))


def test_internal_error_reading_a_header_is_not_remembered(tmp_path, monkeypatch):
    """Once the bug is fixed the file reads: the header cache must not keep the error."""
    from orchestration.build.inbox import scan

    inbox, headers = tmp_path / "inbox", tmp_path / "headers"
    inbox.mkdir()
    shutil.copy(PDF_DIR / "nantong_culture_2023.pdf", inbox / "a.pdf")
    with monkeypatch.context() as bug:
        bug.setattr(guarded, "read_header", _broken_reader)
        assert [f.error for f in scan(inbox, cache_dir=headers).files] == [REASON]
    assert scan(inbox, cache_dir=headers).years() == [2023]


def _read_report_with_a_bug(path, settings, sha256=None):
    if path.name == "hits_the_bug.pdf":
        raise RuntimeError(MESSAGE)
    return read_report(path, settings, sha256)


@pytest.fixture(scope="module")
def built_with_a_bug(tmp_path_factory):
    """`selfeval build` in-process over one good report and one that hits the planted bug."""
    tmp = tmp_path_factory.mktemp("internal_error")
    inbox = inbox_of(
        tmp,
        {
            "hits_the_bug.pdf": PDF_DIR / "nantong_culture_2023.pdf",
            "good.pdf": PDF_DIR / "suzhou_education_2021.pdf",
        },
    )
    warehouse = tmp / "warehouse.duckdb"
    run = build_in_process(
        inbox, tmp / "data", warehouse, patches=[(guarded, "read_report", _read_report_with_a_bug)]
    )
    log = (tmp / "data" / "logs" / "last_build.log").read_text(encoding="utf-8")
    return run.code, run.out, run.err, log, warehouse


@pytest.mark.slow
def test_build_summary_reports_the_internal_error(built_with_a_bug):
    code, out, *_ = built_with_a_bug
    assert code == 1
    assert "files rejected: 1\n" in out
    assert f"  hits_the_bug.pdf: {REASON}\n" in out
    assert "reports loaded: 1 (fiscal years 2021, 2023)" in out  # the good file still loads


@pytest.mark.slow
def test_rejected_files_record_the_internal_error(built_with_a_bug):
    *_, warehouse = built_with_a_bug
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute("select source_file, reason from audit.rejected_files").fetchall()
    assert rows == [("hits_the_bug.pdf", REASON)]


@pytest.mark.slow
def test_build_log_has_the_internal_errors_traceback_and_the_screen_does_not(built_with_a_bug):
    _, out, err, log, _ = built_with_a_bug
    assert f"hits_the_bug.pdf: {REASON}\nTraceback (most recent call last):" in log
    assert f"\nRuntimeError: {MESSAGE}\n" in log
    assert "Traceback" not in out + err
