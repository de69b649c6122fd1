"""The `selfeval` command as users run it: settings, help, and one-line errors instead of tracebacks."""

import os
import signal
import subprocess
import sys
import time
from importlib.metadata import version
from pathlib import Path

import duckdb
import pytest

from orchestration.cli import MARTS, main

SELFEVAL = Path(sys.executable).with_name("selfeval")  # the installed console script


def _one_line_error(stderr: str, prefix: str) -> None:
    assert "Traceback" not in stderr
    assert len(stderr.splitlines()) == 1 and stderr.startswith(prefix), stderr


@pytest.fixture
def small_db(tmp_path) -> Path:
    db = tmp_path / "small.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute("create table t as select 1 as a").fetchall()
    return db


# --- settings and help ---------------------------------------------------------------------------


def test_version_prints_the_package_version(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out == f"selfeval {version('selfeval')}\n"


def _help(capsys, argv: list[str]) -> str:
    assert main([*argv, "--help"]) == 0
    return capsys.readouterr().out


def _entries(help_text: str, indent: int) -> list[tuple[str, bool]]:
    """(entry, has text beside or below it) for each entry argparse lists at this indent."""
    out: list[tuple[str, bool]] = []
    for line in help_text.splitlines():
        body = line.lstrip(" ")
        width = len(line) - len(body)
        if width == indent and body:
            name, _, text = body.partition("  ")
            out.append((name, bool(text.strip())))
        elif width > indent and body and out and not out[-1][1]:
            out[-1] = (out[-1][0], True)  # help wrapped onto the next line
    return out


def test_every_command_and_option_has_help_text(capsys):
    top = _help(capsys, [])
    commands = _entries(top.split("  COMMAND\n", 1)[1].split("\n\n")[0], 4)
    assert {name for name, _ in commands} >= {"extract", "build", "query", "report", "export"}
    missing = [f"selfeval {name}" for name, described in commands if not described]
    for name, _ in [("", True), *commands]:
        text = _help(capsys, [name] if name else []).split("\n\n", 1)[1]
        if name:  # the top level's positional is the command list above
            arguments = text.replace("positional arguments:\n", "").replace("options:\n", "")
        else:
            arguments = text.split("options:\n", 1)[1]
        missing += [
            f"selfeval {name} {entry}" for entry, described in _entries(arguments, 2) if not described
        ]
    assert missing == []


def _build_in(cwd: Path, env_reports: str | None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SELFEVAL_")}
    if env_reports is not None:
        env["SELFEVAL_REPORTS_DIR"] = env_reports
    return subprocess.run(
        [str(SELFEVAL), "build"], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.slow
def test_dotenv_in_the_working_folder_sets_what_the_environment_does_not(tmp_path):
    (tmp_path / ".env").write_text("SELFEVAL_REPORTS_DIR=from-dotenv\n", encoding="utf-8")
    result = _build_in(tmp_path, env_reports=None)
    assert result.returncode == 2
    assert result.stderr == "selfeval build: reports folder not found: from-dotenv\n"


@pytest.mark.slow
def test_environment_wins_over_dotenv(tmp_path):
    (tmp_path / ".env").write_text("SELFEVAL_REPORTS_DIR=from-dotenv\n", encoding="utf-8")
    result = _build_in(tmp_path, env_reports="from-environment")
    assert result.returncode == 2
    assert result.stderr == "selfeval build: reports folder not found: from-environment\n"


# --- build over an empty inbox --------------------------------------------------------------------


def test_build_over_an_empty_inbox_exits_two_with_one_line_and_deletes_nothing(tmp_path, capsys):
    inbox = tmp_path / "empty"
    inbox.mkdir()
    (inbox / "notes.txt").write_text("no reports here", encoding="utf-8")
    data = tmp_path / "data"
    cached = data / "extracted" / "fiscal_year=2022" / "abc" / "report.parquet"
    cached.parent.mkdir(parents=True)
    cached.write_bytes(b"kept")
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    code = main(["build", "--reports", str(inbox), "--warehouse", str(tmp_path / "w.duckdb")])
    err = capsys.readouterr().err
    assert code == 2
    assert err == f"selfeval build: no report files (PDF, spreadsheet, Word) in {inbox}\n"
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before


# --- query: pipes and Ctrl-C -----------------------------------------------------------------------


@pytest.mark.slow
def test_query_piped_into_head_ends_with_one_line(small_db, tmp_path):
    err = tmp_path / "err.txt"
    script = (
        f'"{SELFEVAL}" query "select * from range(300000)" --warehouse "{small_db}" 2>"{err}" | head -2;'
        ' exit "${PIPESTATUS[0]}"'
    )
    result = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=120)
    assert result.stdout.splitlines() == ["range ", "------"]
    assert result.returncode == 1
    _one_line_error(err.read_text(), "selfeval query: output closed early (broken pipe)")


@pytest.mark.slow
def test_query_interrupted_by_ctrl_c_ends_with_one_line(small_db):
    endless = "select sum(i % 7) from range(100000000000) t(i)"
    proc = subprocess.Popen(
        [str(SELFEVAL), "query", endless, "--warehouse", str(small_db)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # As from a terminal: a test runner started in the background inherits SIGINT ignored.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        time.sleep(4)  # started, and most likely inside the query (it runs for minutes)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert (proc.returncode, out) == (1, "")
    _one_line_error(err, "selfeval query: interrupted")


# --- export: bad targets and awkward paths ---------------------------------------------------------


def test_export_onto_an_existing_file_is_a_one_line_error(warehouse, tmp_path, capsys):
    target = tmp_path / "out.parquet"
    target.write_bytes(b"mine")
    assert main(["export", "--parquet", str(target), "--warehouse", str(warehouse)]) == 2
    _one_line_error(capsys.readouterr().err, f"selfeval export: {target}: exists and is not a folder")
    assert target.read_bytes() == b"mine"


def test_export_to_an_unwritable_path_is_a_one_line_error(warehouse, tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_bytes(b"")
    target = blocker / "out"  # a folder inside a file: not writable, even for root
    assert main(["export", "--parquet", str(target), "--warehouse", str(warehouse)]) == 1
    _one_line_error(capsys.readouterr().err, f"selfeval export: cannot write {target}: Not a directory")


def test_export_to_a_path_with_a_quote_writes_every_mart(warehouse, tmp_path, capsys):
    target = tmp_path / "o'ut"
    assert main(["export", "--parquet", str(target), "--warehouse", str(warehouse)]) == 0
    assert sorted(p.name for p in target.iterdir()) == sorted(f"{t}.parquet" for t in MARTS)
    with duckdb.connect() as con:
        exported = con.execute("select count(*) from read_parquet(?)", [str(target / "fct_spend.parquet")])
        n = exported.fetchall()[0][0]
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert n == con.execute("select count(*) from marts.fct_spend").fetchall()[0][0]


def test_the_command_leaves_its_objects_out_of_the_collection_at_exit(monkeypatch):
    """`selfeval` exits without Python's last collection over everything a build made (about 3 s
    under load after a one-report build): its objects are frozen once its work is done."""
    import gc

    from orchestration import cli

    monkeypatch.setattr(cli, "main", lambda: 1)
    before = gc.get_freeze_count()
    try:
        with pytest.raises(SystemExit) as exited:
            cli.run()
        assert exited.value.code == 1
        assert gc.get_freeze_count() > before
    finally:
        gc.unfreeze()
