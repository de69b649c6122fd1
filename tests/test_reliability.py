"""Bad inputs, hostile inputs, re-runs, readers during builds, crashes and unsafe queries."""

import json
import multiprocessing as mp
import os
import shutil
import signal
import subprocess
import sys
import time
import zlib
from pathlib import Path

import duckdb
import pypdfium2
import pytest

from expectations import run_audit
from extract.guarded import Limits, MemoryLimitError, TimeLimitError, read_reports
from orchestration.cli import MARTS, main
from orchestration.lib.publish import publish
from tests.conftest import BAD_DIR
from tests.truth import PDF_DIR, load_truth

REISSUE_DIR = PDF_DIR.parent / "reissue"
GOOD = ("nantong_culture_2023.pdf", "suzhou_education_2021.pdf")


def _inbox(tmp_path: Path, files: dict[str, Path]) -> Path:
    inbox = tmp_path / "inbox"
    inbox.mkdir(exist_ok=True)
    for name, src in files.items():
        shutil.copy(src, inbox / name)
    return inbox


def _build(tmp_path: Path, monkeypatch, inbox: Path, capsys=None) -> tuple[int, Path]:
    warehouse = tmp_path / "warehouse.duckdb"
    monkeypatch.setenv("SELFEVAL_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SELFEVAL_REPORTS_DIR", str(inbox))
    monkeypatch.setenv("SELFEVAL_WAREHOUSE", str(warehouse))
    return main(["build"]), warehouse


def _q(db: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


# --- 1. bad inputs in one batch with good reports ----------------------------------------------------

BAD = {
    "not_a_pdf.pdf": "not a PDF (no %PDF header)",
    "empty.pdf": "empty file (0 bytes)",
    "truncated.pdf": "truncated or corrupt PDF: no %%EOF marker at the end",
    "encrypted.pdf": "encrypted PDF (password required)",
    "scanned.pdf": "no text layer (scanned or image-only PDF)",
    "not_a_report.pdf": (
        "not a budget self-evaluation report: no self-evaluation report title on the first page"
    ),
    "missing_section_9.pdf": "required section missing: no 九、部门整体自评表 table",
}


def test_bad_inputs_rejected_good_reports_loaded(tmp_path, monkeypatch, capsys):
    inbox = _inbox(tmp_path, {**{n: PDF_DIR / n for n in GOOD}, **{n: BAD_DIR / n for n in BAD}})
    code, warehouse = _build(tmp_path, monkeypatch, inbox)
    out = capsys.readouterr().out
    assert code == 1
    for name, reason in BAD.items():
        assert f"  {name}: {reason}\n" in out  # one clear line per file
    assert dict(_q(warehouse, "select source_file, reason from audit.rejected_files")) == BAD
    for name in GOOD:  # every good report of the batch, completely
        truth = load_truth(name.removesuffix(".pdf"))
        got = _q(warehouse, f"select count(*) from marts.fct_spend where source_file = '{name}'")[0][0]
        assert got == len(truth["budget_lines"])
        got = _q(warehouse, f"select count(*) from marts.fct_indicator where source_file = '{name}'")[0][0]
        assert got == len(truth["indicators"])


# --- 2. hostile inputs -------------------------------------------------------------------------------


def _many_pages(path: Path, pages: int) -> Path:
    pdf = pypdfium2.PdfDocument.new()
    for _ in range(pages):
        pdf.new_page(595, 842)
    pdf.save(str(path))
    return path


def _bomb(path: Path, megabytes: int) -> Path:
    """A one-page PDF whose content stream inflates from a few hundred KB to `megabytes` MB."""
    stream = zlib.compress(b" " * (megabytes << 20), 9)
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for n, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    path.write_bytes(bytes(out))
    return path


def test_thousands_of_pages_rejected_by_page_limit(tmp_path):
    long = _many_pages(tmp_path / "long.pdf", 3000)
    [(_, result)] = list(read_reports([long], limits=Limits(seconds=30, memory_mb=512, workers=1)))
    assert str(result) == "too many pages: 3000 pages, limit 300"


def test_decompression_bomb_stopped_without_stalling_the_batch(tmp_path):
    bomb = _bomb(tmp_path / "bomb.pdf", 600)
    good = PDF_DIR / "nantong_culture_2023.pdf"
    start = time.monotonic()
    results = dict(read_reports([bomb, good], limits=Limits(seconds=20, memory_mb=300, workers=2)))
    assert isinstance(results[bomb], (MemoryLimitError, TimeLimitError)), results[bomb]
    assert len(results[good].budget_lines) == 28  # the good file of the same batch is read completely
    assert time.monotonic() - start < 25


def test_time_limit_is_configurable(tmp_path, monkeypatch):
    monkeypatch.setenv("SELFEVAL_FILE_TIMEOUT_SECONDS", "0.01")
    [(_, result)] = list(read_reports([PDF_DIR / "seed_suzhou_police_2022.pdf"]))
    assert isinstance(result, TimeLimitError) and str(result) == "extraction time limit exceeded: over 0.01 s"


# --- 3. idempotence --------------------------------------------------------------------------------


def _snapshot(warehouse: Path) -> dict[str, list[tuple]]:
    return {t: sorted(_q(warehouse, f"select * from marts.{t}"), key=repr) for t in MARTS}


def test_same_inbox_twice_gives_identical_marts_and_duplicates_load_once(tmp_path, monkeypatch, capsys):
    good = PDF_DIR / GOOD[0]
    inbox = _inbox(tmp_path, {"a.pdf": good, "copy of a.pdf": good, "b.pdf": PDF_DIR / GOOD[1]})
    code, warehouse = _build(tmp_path, monkeypatch, inbox)
    first = _snapshot(warehouse)
    assert code == 0
    assert "duplicate content, loaded once: copy of a.pdf = a.pdf" in capsys.readouterr().out
    assert _q(warehouse, "select count(*) from marts.dim_report")[0][0] == 2
    code, warehouse = _build(tmp_path, monkeypatch, inbox)
    assert code == 0 and _snapshot(warehouse) == first


def test_corrected_reissue_replaces_the_earlier_report(tmp_path, monkeypatch):
    note = json.loads((REISSUE_DIR / "corrected.json").read_text(encoding="utf-8"))
    inbox = _inbox(tmp_path, {"original.pdf": PDF_DIR / "nantong_culture_2023.pdf"})
    original = inbox / "original.pdf"
    os.utime(original, (time.time() - 3600, time.time() - 3600))
    shutil.copy(REISSUE_DIR / note["file"], inbox / "corrected.pdf")
    code, warehouse = _build(tmp_path, monkeypatch, inbox)
    assert code == 0
    reports = _q(
        warehouse,
        "select source_file, is_current, superseded_by_report_id is not null from marts.dim_report "
        "order by source_file",
    )
    assert reports == [("corrected.pdf", True, False), ("original.pdf", False, True)]
    spend = _q(
        warehouse,
        f"select source_file, cast(actual_spend_wan_yuan as varchar) from marts.fct_spend "
        f"where line_name = '{note['line_name']}'",
    )
    assert spend == [("corrected.pdf", note["actual_spend"])]  # one report per department and year


# --- 4. readers during builds --------------------------------------------------------------------------


# Reports whose printed total differs from basic + project spending: 0 in a consistent warehouse.
CONSISTENT = """
    select count(*) from (
        select report_id,
            sum(actual_spend_wan_yuan) filter (where line_type = 'total')
            - sum(actual_spend_wan_yuan) filter (where line_type in ('basic', 'project_total')) as gap
        from marts.fct_spend group by report_id
    ) where abs(gap) > 0.01
"""


def _reader(path: str, stop, errors, counts) -> None:
    """A BI-style reader: one connection held open all along, plus a fresh connection per query."""
    held = duckdb.connect(path, read_only=True)
    n = 0
    while not stop.is_set():
        for con in (held, None):
            try:
                own = con or duckdb.connect(path, read_only=True)
                bad = own.execute(CONSISTENT).fetchall()[0][0]
                total = own.execute("select count(*) from marts.fct_spend").fetchall()[0][0]
                if con is None:
                    own.close()
                if bad or not total:
                    errors.put(f"inconsistent warehouse: {bad} gaps, {total} rows")
                n += 1
            except Exception as exc:
                errors.put(f"{type(exc).__name__}: {exc}")
    counts.put(n)
    held.close()


def test_readers_never_see_lock_errors_or_half_a_warehouse(warehouse, tmp_path):
    published = tmp_path / "published.duckdb"
    shutil.copyfile(warehouse, published)
    ctx = mp.get_context("spawn")
    stop, errors, counts = ctx.Event(), ctx.Queue(), ctx.Queue()
    reader = ctx.Process(target=_reader, args=(str(published), stop, errors, counts))
    reader.start()
    try:
        time.sleep(3)  # the reader is attached before the first build
        for n in range(20):
            build = tmp_path / f"build{n}.duckdb"
            shutil.copyfile(warehouse, build)
            audit = run_audit(build)  # the build process writes its own file while readers read theirs
            assert publish(build, published, audit.blocking).published
    finally:
        stop.set()
        reader.join(60)
    problems = []
    while not errors.empty():
        problems.append(errors.get())
    assert problems == []
    assert counts.get(timeout=5) > 20


# --- 5. crash safety ----------------------------------------------------------------------------------

STAGES = {
    "extraction": lambda data: any(data.glob("extracted/fiscal_year=*")),
    "dbt": lambda data: any(data.glob("build/*.duckdb")),
    "audit": lambda data: any(data.glob("audit/*")),
}


def test_killed_builds_leave_the_warehouse_intact_and_the_next_build_cleans_up(warehouse, tmp_path):
    inbox = _inbox(tmp_path, {"r.pdf": PDF_DIR / GOOD[0]})
    data = tmp_path / "data"
    published = tmp_path / "warehouse.duckdb"
    shutil.copyfile(warehouse, published)
    before = published.read_bytes()
    env = {
        **os.environ,
        "SELFEVAL_DATA_DIR": str(data),
        "SELFEVAL_REPORTS_DIR": str(inbox),
        "SELFEVAL_WAREHOUSE": str(published),
    }
    cmd = [sys.executable, "-m", "orchestration.cli", "build"]
    for stage, reached in STAGES.items():
        proc = subprocess.Popen(
            cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
        deadline = time.monotonic() + 120
        while not reached(data) and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert proc.poll() is None, f"build finished before it could be killed during {stage}"
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        assert published.read_bytes() == before, stage
        assert _q(published, "select count(*) from marts.fct_spend")[0][0] > 0
        shutil.rmtree(data / "audit", ignore_errors=True)  # so the next stage is detected afresh
    result = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-2000:]
    assert _q(published, "select count(*) from marts.dim_report")[0][0] == 1
    leftovers = [p for p in data.rglob("*") if p.name.endswith((".tmp", ".old", ".incoming", ".wal"))]
    assert leftovers == [] and list((data / "build").iterdir()) == []


# --- 6. safe queries -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sql",
    [
        "drop table marts.fct_spend",
        "insert into marts.dim_department values ('x', 'y', 'z')",
        "copy marts.fct_spend to '{out}'",
        "delete from marts.fct_spend",
    ],
)
def test_query_cannot_change_the_warehouse_or_write_files(sql, warehouse, tmp_path, capsys):
    published = tmp_path / "w.duckdb"
    shutil.copyfile(warehouse, published)
    before = published.read_bytes()
    out = tmp_path / "leak.csv"
    assert main(["query", sql.format(out=out), "--warehouse", str(published)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("selfeval query: ") and err.count("\n") == 1
    assert published.read_bytes() == before and not out.exists()
