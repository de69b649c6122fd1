"""Every inbox entry is loaded, rejected with a reason or listed as skipped, exactly once: names in
any byte encoding, files the build may not read, files rewritten while a build reads them, damaged
page trees, and one file's failure never taking the rest of its year with it."""

import codecs
import io
import multiprocessing as mp
import os
import shutil
import tempfile
from pathlib import Path

import duckdb
import pytest

from extract import store
from extract.guarded import Limits, read_headers, read_reports
from orchestration.build import inbox
from orchestration.build.extraction import extract_year
from orchestration.build.inbox import scan
from orchestration.build.printable import printable
from tests.truth import PDF_DIR

NANTONG = PDF_DIR / "nantong_culture_2023.pdf"  # 南通市文化广电和旅游局, 2023
WUXI = PDF_DIR / "wuxi_health_2024.pdf"  # another department, 2024
LIMITS = Limits(seconds=60, memory_mb=1024, workers=1)
# "报告" in GBK: a name as a Windows zip or SMB share hands it over, not UTF-8.
GBK_NAME = "报告".encode("gbk") + b".pdf"
GBK_STORED = "\\xb1\\xa8\\xb8\\xe6.pdf"
NOBODY = 65534


def _inbox(tmp_path: Path, files: dict[bytes | str, Path]) -> Path:
    folder = tmp_path / "inbox"
    folder.mkdir()
    for name, src in files.items():
        target = os.path.join(os.fsencode(folder), name if isinstance(name, bytes) else name.encode())
        shutil.copyfile(src, target)
    return folder


def _extract(tmp_path: Path, found, year: int):
    data = tmp_path / "data"
    return extract_year(
        found.for_year(year), year, data / "extracted", data / "rejected", data / "cache"
    ), data


def _rejected(data: Path) -> list[tuple[str, str]]:
    with duckdb.connect() as con:
        rows = con.execute(
            "select source_file, reason from read_parquet(?) order by source_file",
            [str(data / "rejected" / "*.parquet")],
        ).fetchall()
    return [tuple(r) for r in rows]


# --- names in any byte encoding ------------------------------------------------------------------------


def test_report_named_in_gbk_is_extracted_and_stored_under_its_bytes_escaped_form(tmp_path):
    folder = _inbox(tmp_path, {GBK_NAME: NANTONG})
    result, data = _extract(tmp_path, scan(folder), 2023)
    assert (result.loaded, result.rejected) == ([GBK_STORED], [])
    with duckdb.connect() as con:
        [(stored,)] = con.execute(
            "select source_file from read_parquet(?)",
            [str(data / "extracted" / "*" / "*" / "report.parquet")],
        ).fetchall()
    assert stored == GBK_STORED


def test_gbk_name_is_printed_as_its_bytes():
    assert printable(os.fsdecode(GBK_NAME)) == GBK_STORED


def test_rejected_file_named_in_gbk_is_recorded_under_its_bytes_escaped_form(tmp_path):
    folder = _inbox(tmp_path, {GBK_NAME: PDF_DIR.parent / "bad" / "not_a_report.pdf"})
    data = tmp_path / "data"
    from orchestration.build import rejections

    rejections.sync_with_inbox(data / "rejected", scan(folder))
    assert _rejected(data) == [
        (GBK_STORED, "not a budget self-evaluation report: no self-evaluation report title on the first page")
    ]


# --- one file's failure stays its own ----------------------------------------------------------------


def test_a_file_whose_records_cannot_be_stored_is_rejected_and_the_rest_of_its_year_loads(
    tmp_path, monkeypatch
):
    folder = _inbox(tmp_path, {"a.pdf": NANTONG, "b.pdf": PDF_DIR / "seed_suzhou_police_2022.pdf"})
    found = scan(folder)
    write = store.write_report

    def failing_for_a(report, *args, **kwargs):
        if report.source_file == "a.pdf":
            raise UnicodeEncodeError("utf-8", "\udcb1", 0, 1, "surrogates not allowed")
        return write(report, *args, **kwargs)

    monkeypatch.setattr(store, "write_report", failing_for_a)  # what the extraction stores with
    files = tuple(f for f in found.accepted)  # two years: extracted as one batch here
    data = tmp_path / "data"
    result = extract_year(files, 2023, data / "extracted", data / "rejected", data / "cache")
    assert result.loaded == ["b.pdf"]
    assert result.rejected == [
        (
            "a.pdf",
            "internal error: UnicodeEncodeError: 'utf-8' codec can't encode character '\\udcb1' "
            "in position 0: surrogates not allowed",
        )
    ]


# --- files the build may not read --------------------------------------------------------------------


def _scan_as_nobody(folder: Path, out) -> None:
    try:
        codecs.lookup("ascii")  # looked up lazily: the interpreter's own files may be root's alone
        os.setgid(NOBODY)
        os.setuid(NOBODY)
        if os.access(folder / "locked.pdf", os.R_OK):
            out.send(("skip", "the unprivileged user can still read the locked file"))
            return
        out.send(("ok", [(f.path.name, f.fiscal_year, f.error) for f in scan(folder).files]))
    except Exception as exc:
        out.send(("skip", f"cannot scan as an unprivileged user: {type(exc).__name__}: {exc}"))


def _scan_unprivileged(folder: Path) -> list[tuple]:
    """The scan as a service user sees it: root reads any file whatever its permission bits, so as
    root the scan runs in a forked child that has become `nobody`."""
    if os.getuid() != 0:
        if os.access(folder / "locked.pdf", os.R_OK):
            pytest.skip("this user can read a file with no permission bits set")
        return [(f.path.name, f.fiscal_year, f.error) for f in scan(folder).files]
    ctx = mp.get_context("fork")
    receive, send = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_scan_as_nobody, args=(folder, send))
    child.start()
    send.close()
    try:
        kind, value = receive.recv()
    finally:
        child.join()
    if kind == "skip":
        pytest.skip(value)
    return value


def test_file_the_build_may_not_read_is_rejected_permission_denied(tmp_path):
    base = Path(tempfile.mkdtemp(prefix="selfeval-perm-"))  # not under root's private pytest folder
    try:
        base.chmod(0o755)
        folder = _inbox(base, {"good.pdf": NANTONG, "locked.pdf": WUXI})
        folder.chmod(0o755)
        (folder / "good.pdf").chmod(0o644)
        (folder / "locked.pdf").chmod(0o000)
        seen = sorted(_scan_unprivileged(folder))
    finally:
        shutil.rmtree(base)
    assert seen == [("good.pdf", 2023, None), ("locked.pdf", None, "permission denied")]


def test_extraction_of_a_file_it_may_not_read_is_rejected_permission_denied(tmp_path, monkeypatch):
    read = Path.read_bytes

    def denied(self):
        if self == NANTONG:
            raise PermissionError(13, "Permission denied", str(self))
        return read(self)

    monkeypatch.setattr(Path, "read_bytes", denied)  # the worker's one read of the file's bytes
    [(_, result)] = list(read_reports([NANTONG], limits=LIMITS))
    assert str(result) == "permission denied"


# --- files rewritten while a build reads them -------------------------------------------------------


def test_file_rewritten_after_it_was_hashed_is_rejected_and_its_header_not_cached(tmp_path, monkeypatch):
    folder = _inbox(tmp_path, {"report.pdf": NANTONG})
    headers = tmp_path / "headers"
    hashed = inbox.sha256_of

    def hash_then_rewrite(path, identity=None):
        digest = hashed(path, identity)
        shutil.copyfile(WUXI, path)  # the file is replaced with another report's bytes meanwhile
        return digest

    monkeypatch.setattr(inbox, "sha256_of", hash_then_rewrite)
    [item] = scan(folder, cache_dir=headers).files
    assert item.error == "changed while being read"
    assert list(headers.glob("*.json")) == []  # no header of one file's bytes filed under another's


def test_header_cache_holds_each_files_own_header(tmp_path):
    folder = _inbox(tmp_path, {"a.pdf": NANTONG, "b.pdf": WUXI})
    headers = tmp_path / "headers"
    scan(folder, cache_dir=headers)
    (folder / "a.pdf").write_bytes(WUXI.read_bytes())
    (folder / "b.pdf").write_bytes(NANTONG.read_bytes())
    again = {f.path.name: f.fiscal_year for f in scan(folder, cache_dir=headers).files}
    assert again == {"a.pdf": 2024, "b.pdf": 2023}


def test_extraction_reads_only_the_bytes_the_scan_hashed(tmp_path):
    folder = _inbox(tmp_path, {"report.pdf": NANTONG})
    [item] = scan(folder).files
    (folder / "report.pdf").write_bytes(WUXI.read_bytes())  # rewritten between scan and extraction
    result, data = _extract(tmp_path, inbox.Inbox((item,)), 2023)
    assert (result.loaded, result.rejected) == ([], [("report.pdf", "changed while being read")])
    assert _rejected(data) == [("report.pdf", "changed while being read")]


def test_header_read_of_bytes_other_than_those_hashed_is_rejected():
    [(_, result)] = list(read_headers({NANTONG: "0" * 64}, limits=LIMITS))
    assert str(result) == "changed while being read"


# --- damaged page trees -----------------------------------------------------------------------------


def _pdf(objects: list[bytes]) -> bytes:
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.write(b"".join(b"%010d 00000 n \n" % o for o in offsets))
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def _page_tree_cycle() -> bytes:
    return _pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Pages /Parent 2 0 R /Kids [2 0 R] /Count 1 >>",
        ]
    )


def _page_tree_10000_levels() -> bytes:
    levels = [b"<< /Type /Pages /Kids [%d 0 R] /Count 1 >>" % (n + 3) for n in range(10_000)]
    return _pdf([b"<< /Type /Catalog /Pages 2 0 R >>", *levels, b"<< /Type /Page /MediaBox [0 0 612 792] >>"])


@pytest.mark.parametrize("make", [_page_tree_cycle, _page_tree_10000_levels], ids=["cycle", "10000_levels"])
def test_damaged_page_tree_is_rejected_with_a_reason_about_the_file(tmp_path, make):
    pdf = tmp_path / "tree.pdf"
    pdf.write_bytes(make())
    [(_, header)] = list(read_headers([pdf], limits=LIMITS))
    [(_, report)] = list(read_reports([pdf], limits=LIMITS))
    reason = "failed integrity check: PDFium cannot load page 1: Failed to load page."
    assert (str(header), str(report)) == (reason, reason)
