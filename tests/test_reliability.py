"""Bad inputs, hostile inputs, re-runs, readers during builds, crashes and unsafe queries."""

import hashlib
import json
import multiprocessing as mp
import os
import re
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
from extract.errors import MemoryLimitError, TimeLimitError
from extract.guarded import Limits, read_reports
from orchestration.build.publish import publish
from orchestration.cli import MARTS, main
from tests.conftest import BAD_DIR
from tests.lib.in_process import build_in_process
from tests.lib.mutation import with_pages
from tests.truth import PDF_DIR, load_truth

pytestmark = pytest.mark.slow  # builds, concurrent builds and killed builds end to end

REISSUE_DIR = PDF_DIR.parent / "reissue"
GOOD = ("nantong_culture_2023.pdf", "suzhou_education_2021.pdf")
PAGE_TWICE = "changzhou_page7_twice.pdf"


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


HOSTILE = "bad\x1b[2J\nname.pdf"  # clears the screen, then forges a line of its own


@pytest.fixture(scope="module")
def bad_batch(tmp_path_factory):
    """One `selfeval build` (in this process) over two good reports, every bad input, a file whose
    page tree lists a page twice, and hostile entries: a name with control characters, a link to a
    file outside the inbox, a dangling link and a FIFO. (exit code, stdout, stderr, warehouse)."""
    tmp = tmp_path_factory.mktemp("bad_batch")
    inbox = _inbox(tmp, {**{n: PDF_DIR / n for n in GOOD}, **{n: BAD_DIR / n for n in BAD}})
    pages = [0, 1, 2, 3, 4, 5, 6, 6, 7, 8, 9]  # page 7 (九's table) listed twice in the page tree
    (inbox / PAGE_TWICE).write_bytes(with_pages((PDF_DIR / "changzhou_civil_2024.pdf").read_bytes(), pages))
    (inbox / HOSTILE).write_bytes(b"no PDF here, under a hostile name\n")  # not a copy: loaded once
    (inbox / "passwd.pdf").symlink_to("/etc/passwd")
    (inbox / "gone.pdf").symlink_to(tmp / "deleted.pdf")
    os.mkfifo(inbox / "pipe.pdf")
    warehouse = tmp / "warehouse.duckdb"
    # The scan is rejected for its missing text layer.
    run = build_in_process(inbox, tmp / "data", warehouse, env={"SELFEVAL_OCR": "never"})
    return run.code, run.out, run.err, warehouse


def test_bad_inputs_rejected_good_reports_loaded(bad_batch):
    code, out, _, warehouse = bad_batch
    assert code == 1
    for name, reason in BAD.items():
        assert f"  {name}: {reason}\n" in out  # one clear line per file
    rejected = dict(_q(warehouse, "select source_file, reason from audit.rejected_files"))
    assert {name: rejected.get(name) for name in BAD} == BAD
    for name in GOOD:  # every good report of the batch, completely
        truth = load_truth(name.removesuffix(".pdf"))
        got = _q(warehouse, f"select count(*) from marts.fct_spend where source_file = '{name}'")[0][0]
        assert got == len(truth["budget_lines"])
        got = _q(warehouse, f"select count(*) from marts.fct_indicator where source_file = '{name}'")[0][0]
        assert got == len(truth["indicators"])
    assert sorted(_q(warehouse, "select source_file from marts.dim_report")) == [(n,) for n in sorted(GOOD)]


def test_page_listed_twice_is_rejected_by_the_integrity_check(bad_batch):
    _, out, _, warehouse = bad_batch
    [(reason,)] = _q(warehouse, f"select reason from audit.rejected_files where source_file = '{PAGE_TWICE}'")
    # The cause is qpdf's to word; what matters is that the file is rejected as damaged, and said so.
    assert reason.startswith("failed integrity check: ")
    assert f"  {PAGE_TWICE}: {reason}\n" in out


def test_inbox_links_out_fifos_and_hostile_names_are_named_once_and_escaped(bad_batch):
    _, out, err, warehouse = bad_batch
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("files rejected: "))
    end = lines.index("entries skipped (no regular file to read): 2")
    assert lines[start] == f"files rejected: {len(BAD) + 3}"
    assert {
        "  bad\\x1b[2J\\nname.pdf: not a PDF (no %PDF header)",
        "  passwd.pdf: link to a file outside the inbox: not read",
    } <= set(lines[start + 1 : end])
    assert lines[end + 1 : end + 3] == [
        "  gone.pdf: dangling link (its target does not exist)",
        "  pipe.pdf: not a regular file (FIFO)",
    ]
    assert "\x1b" not in out and re.search(r"/\d+\] bad\\x1b\[2J\\nname\.pdf: rejected\n", err)
    rejected = _q(warehouse, "select source_file, sha256 is null from audit.rejected_files")
    assert {(HOSTILE, False), ("passwd.pdf", True)} <= set(rejected)  # passwd.pdf: never opened, never hashed
    log = warehouse.parent / "data" / "logs" / "last_build.log"
    assert "\x1b[2J" not in log.read_text(encoding="utf-8")


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


def test_time_limit_is_configurable(monkeypatch, capsys):
    seed = PDF_DIR / "seed_suzhou_police_2022.pdf"
    monkeypatch.setenv("SELFEVAL_FILE_TIMEOUT_SECONDS", "0.01")
    assert main(["extract", str(seed)]) == 1
    assert capsys.readouterr().err == f"{seed}: extraction time limit exceeded: over 0.01 s\n"


# --- 3. idempotence --------------------------------------------------------------------------------


def _snapshot(warehouse: Path) -> dict[str, list[tuple]]:
    return {t: sorted(_q(warehouse, f"select * from marts.{t}"), key=repr) for t in MARTS}


@pytest.mark.e2e
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


@pytest.mark.e2e
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


@pytest.mark.e2e
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
    "evidence report": lambda data: any(data.glob(".report.*.tmp")),
}


@pytest.mark.e2e
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
        deadline = time.monotonic() + 300
        while not reached(data) and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert proc.poll() is None, f"build finished before it could be killed during {stage}"
        assert reached(data), f"{stage} not reached in 300 s"
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        if stage != "evidence report":  # written after the publish: the new warehouse is out
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


# --- 7. one build at a time per data folder ------------------------------------------------------------


def _build_env(tmp_path: Path, inbox: Path) -> dict[str, str]:
    return {
        **os.environ,
        "SELFEVAL_DATA_DIR": str(tmp_path / "data"),
        "SELFEVAL_REPORTS_DIR": str(inbox),
        "SELFEVAL_WAREHOUSE": str(tmp_path / "warehouse.duckdb"),
    }


def _wait_for(condition, proc: subprocess.Popen, what: str, seconds: float = 300) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert proc.poll() is None, f"process ended (exit {proc.returncode}) before {what}"
        assert time.monotonic() < deadline, f"no {what} after {seconds} s"
        time.sleep(0.05)


@pytest.mark.e2e
def test_second_build_waits_for_the_first_and_both_publish(tmp_path):
    """Two real `selfeval build` processes on one data folder: the second says it waits, then runs;
    the first one's dbt folder is never taken from under it (it used to be: `Could not get working
    directory`); `--no-wait` exits 2 at once."""
    inbox = _inbox(tmp_path, {"r.pdf": PDF_DIR / GOOD[0]})
    env = _build_env(tmp_path, inbox)
    data = tmp_path / "data"
    cmd = [sys.executable, "-m", "orchestration.cli", "build"]
    first = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        # A fresh data folder: its dbt folder appears when the first build reaches dbt.
        _wait_for(lambda: (data / "dbt").exists(), first, "the first build's dbt folder")
        second = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        at_once = subprocess.run([*cmd, "--no-wait"], env=env, capture_output=True, text=True, timeout=300)
        first_out, _ = first.communicate(timeout=600)
        second_out, second_err = second.communicate(timeout=600)
    finally:
        for proc in (first, locals().get("second")):
            if proc is not None and proc.poll() is None:
                proc.kill()
    busy = f"selfeval build: another build of {data.resolve()} is running (pid {first.pid})"
    assert first.returncode == 0, first_out
    assert second.returncode == 0, second_out
    assert second_err.splitlines()[0] == f"{busy}; waiting for it to finish"
    assert (at_once.returncode, at_once.stderr) == (2, f"{busy}; not waiting (--no-wait)\n")
    assert f"published: {tmp_path / 'warehouse.duckdb'}" in second_out
    assert _q(tmp_path / "warehouse.duckdb", "select count(*) from marts.fct_spend")[0][0] == 28
    assert list((data / "build").iterdir()) == []


@pytest.mark.e2e
def test_dagster_run_waits_for_the_build_lock(tmp_path):
    """A Dagster run (here extract_year_job, as the sensor starts it) takes the same lock: while
    another process holds it, the run waits and writes nothing."""
    from orchestration.build.build_lock import build_lock

    inbox = _inbox(tmp_path, {"r.pdf": PDF_DIR / GOOD[0]})
    env = _build_env(tmp_path, inbox)
    run = (
        "import sys, dagster as dg\n"
        "from orchestration.definitions import defs\n"
        "instance = dg.DagsterInstance.ephemeral()\n"
        "instance.add_dynamic_partitions('fiscal_year', ['2023'])\n"
        "job = defs().resolve_job_def('extract_year_job')\n"
        "result = job.execute_in_process(partition_key='2023', instance=instance, raise_on_error=False)\n"
        "sys.exit(0 if result.success else 1)\n"
    )
    log = tmp_path / "run.log"
    year = tmp_path / "data" / "extracted" / "fiscal_year=2023"
    with log.open("w") as err, build_lock(tmp_path / "data"):
        proc = subprocess.Popen([sys.executable, "-c", run], env=env, stdout=err, stderr=err)
        try:
            _wait_for(lambda: "waiting for it to finish" in log.read_text(), proc, "a waiting message")
            time.sleep(1)
            assert proc.poll() is None and not year.exists()
        except BaseException:
            proc.kill()
            raise
    assert proc.wait(timeout=600) == 0, log.read_text()[-3000:]
    assert [p.name for p in year.iterdir()] == [hashlib.sha256((inbox / "r.pdf").read_bytes()).hexdigest()]


# --- 8. a full disk ------------------------------------------------------------------------------------

# Runs inside its own mount namespace (unshare): mounts small tmpfs folders that nothing outside
# sees, runs one `selfeval build` on them, and reports what it printed and what it left behind.
_ON_SMALL_DISKS = """
import hashlib, json, os, shutil, subprocess, sys
spec = json.loads(sys.argv[1])
for folder, size in spec["tmpfs"].items():
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", folder], check=True)
warehouse = spec["env"]["SELFEVAL_WAREHOUSE"]
if spec["previous"]:
    shutil.copyfile(spec["previous"], warehouse)
build = subprocess.run(
    [sys.executable, "-m", "orchestration.cli", "build"],
    env={**os.environ, **spec["env"]}, capture_output=True, text=True, timeout=900,
)
log = os.path.join(spec["env"]["SELFEVAL_DATA_DIR"], "logs", "last_build.log")
files = [os.path.join(d, f) for top in spec["tmpfs"] for d, _, fs in os.walk(top) for f in fs]
result = {
    "code": build.returncode, "stdout": build.stdout, "stderr": build.stderr, "files": files,
    "log": open(log, encoding="utf-8").read() if os.path.exists(log) else "",
    "warehouse": hashlib.sha256(open(warehouse, "rb").read()).hexdigest()
    if os.path.exists(warehouse) else None,
}
json.dump(result, open(spec["result"], "w"))
"""


NEEDS_UNSHARE = pytest.mark.skipif(
    shutil.which("unshare") is None, reason="needs unshare (util-linux) to mount small disks privately"
)


def _build_on_small_disks(tmp_path: Path, tmpfs: dict[Path, str], previous: Path | None = None) -> dict:
    inbox = _inbox(tmp_path, {"r.pdf": PDF_DIR / GOOD[0]})
    for folder in tmpfs:
        folder.mkdir(parents=True, exist_ok=True)
    spec = {
        "tmpfs": {str(folder): size for folder, size in tmpfs.items()},
        "previous": str(previous) if previous else None,
        "result": str(tmp_path / "result.json"),
        "env": {
            "SELFEVAL_DATA_DIR": str(tmp_path / "data"),
            "SELFEVAL_REPORTS_DIR": str(inbox),
            "SELFEVAL_WAREHOUSE": str(tmp_path / "wh" / "warehouse.duckdb"),
        },
    }
    (tmp_path / "wh").mkdir(exist_ok=True)
    # As root the mount namespace alone; otherwise a user namespace in which this user is root.
    unshare = ["unshare", "--mount"] + ([] if os.geteuid() == 0 else ["--map-root-user"])
    subprocess.run(
        [*unshare, sys.executable, "-c", _ON_SMALL_DISKS, json.dumps(spec)], check=True, timeout=1200
    )
    return json.loads((tmp_path / "result.json").read_text())


def _partial(files: list[str]) -> list[str]:
    """What a failed build must not leave: build files, temporary copies, write-ahead logs."""
    return [f for f in files if "/build/" in f or f.endswith((".tmp", ".wal", ".incoming"))]


@pytest.mark.e2e
@NEEDS_UNSHARE
def test_full_data_disk_is_named_and_leaves_nothing_partial(warehouse, tmp_path):
    """6 MB for the data folder: the build file does not fit. It used to be moved on without its
    write-ahead log, and the summary said `schema "marts" does not exist`."""
    previous = tmp_path / "wh" / "warehouse.duckdb"
    (tmp_path / "wh").mkdir()
    shutil.copyfile(warehouse, previous)
    before = previous.read_bytes()
    data = tmp_path / "data"
    result = _build_on_small_disks(tmp_path, {data: "6m"})
    full = re.compile(rf"no space left on device while writing {re.escape(str(data))}/\S+")
    assert result["code"] == 1, result["stdout"]
    assert full.search(result["stdout"]) and full.search(result["log"]), result["stdout"]
    assert "does not exist" not in result["stdout"] and "Traceback" not in result["stderr"]
    assert _partial(result["files"]) == []
    assert previous.read_bytes() == before


@pytest.mark.e2e
@NEEDS_UNSHARE
def test_full_warehouse_disk_leaves_no_partial_copy_and_the_old_warehouse(warehouse, tmp_path):
    """The warehouse on another filesystem with room for the old file but not a new copy beside it:
    the half copy (`.warehouse.duckdb.incoming`) used to stay, and nothing named the full disk."""
    room_mb = warehouse.stat().st_size // (1 << 20) + 2  # the old warehouse and 1-2 MB more
    wh = tmp_path / "wh"
    result = _build_on_small_disks(tmp_path, {wh: f"{room_mb}m"}, previous=warehouse)
    assert result["code"] == 1, result["stdout"]
    line = f"no space left on device while writing {wh / 'warehouse.duckdb'}"
    assert f"failed step: warehouse step published_warehouse: {line}" in result["stdout"].splitlines(), (
        result["stdout"]
    )
    assert line in result["log"]
    assert _partial(result["files"]) == [] and list((tmp_path / "data" / "build").iterdir()) == []
    assert result["warehouse"] == hashlib.sha256(warehouse.read_bytes()).hexdigest()
