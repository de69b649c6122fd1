"""Every command in the shell blocks of the README and of every docs/*.md runs, exactly as written,
here or in CI (.ci/run).

Only the environment differs from a user's: data, warehouse and Dagster instance go to a temporary
folder (and the inbox, where a command names none, is one bundled report, to keep the run short).
Commands named in running text rather than in a ```bash block are references and not run here: the
benchmark scripts (minutes each; their own docstrings say how to run them), `make fixtures` (needs
LibreOffice and Chromium with CJK fonts), dbt by hand, and `selfeval query`/`export`/`prune`, whose
behaviour tests/test_cli.py and tests/test_quarantine.py cover.
"""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from xml.etree import ElementTree

import duckdb
import pytest

from tests.truth import PDF_DIR

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
DOCS = ROOT / "docs"

QUICK_START = "python3 -m pip install uv && uv sync --frozen && uv run selfeval build"
QUICK_QUERY = 'uv run selfeval query "select count(*) from marts.fct_spend"'
OWN_REPORTS = "uv run selfeval build --reports /path/to/inbox --warehouse /path/to/warehouse.duckdb"
EXTRACT = "uv run selfeval extract REPORT.pdf [MORE.pdf ...] [--pretty]"
# docs/spreadsheets.md: a Word file of one project table, read cell by cell
EXTRACT_WORD = "uv run selfeval extract tests/fixtures/spreadsheets/national_word_single.docx --pretty"
REPORT = "uv run selfeval report [--warehouse PATH] [--out DIR] [--reports DIR]"
DAGSTER_DEV = "uv run dagster dev"
DAGSTER_CLI = (
    "uv run selfeval sync-partitions",
    "uv run dagster job backfill -j extract_year_job --all all --noprompt",
    "uv run dagster asset materialize -m orchestration.definitions"
    " --select 'key:extracted/*' --partition 2022",
    "uv run dagster job execute -m orchestration.definitions -j warehouse_job",
)
# Run by CI (.ci/run) as written: the quick start's test command, then lint, then the end-to-end tier.
IN_CI = ("uv run pytest", "make dev", "make lint", "make test-e2e")
# Make targets that run the suite or a part of it, and the pytest command each runs (`make -n`).
SUITE_TARGETS = {
    "make test": "uv run pytest",
    "make test-fast": 'uv run pytest -m "not slow and not e2e"',
    "make test-e2e": "uv run pytest -m e2e -n 0",
}


def documents() -> list[Path]:
    """The README and every page of docs/, whoever added it."""
    return [README, *sorted(DOCS.glob("*.md"))]


def readme_commands() -> list[str]:
    """Each line of each ```bash block of the README and docs/, without its trailing comment."""
    text = "\n".join(doc.read_text(encoding="utf-8") for doc in documents())
    blocks = re.findall(r"```bash\n(.*?)```", text, flags=re.S)
    lines = [re.sub(r"\s+#.*$", "", line).strip() for block in blocks for line in block.splitlines()]
    return [line for line in lines if line]


def test_every_readme_command_is_run_by_a_test_or_ci():
    covered = {
        QUICK_START,
        OWN_REPORTS,
        EXTRACT,
        EXTRACT_WORD,
        REPORT,
        DAGSTER_DEV,
        *DAGSTER_CLI,
        *IN_CI,
        *SUITE_TARGETS,
    }
    assert sorted(set(readme_commands())) == sorted(covered)
    assert QUICK_QUERY.removeprefix("uv run ") in README.read_text(encoding="utf-8")


def test_docs_pages_shell_blocks_are_collected_too():
    # docs/dagster.md's backfill commands are in no README block.
    assert set(DAGSTER_CLI) <= set(readme_commands())
    assert "uv run dagster job backfill" not in README.read_text(encoding="utf-8")


def test_relative_links_name_files_that_exist():
    broken = []
    for doc in documents():
        text = re.sub(r"```.*?```", "", doc.read_text(encoding="utf-8"), flags=re.S)
        for target in re.findall(r"\]\(([^)\s]+)\)", text):
            path = target.split("#")[0]
            if path and "://" not in path and not (doc.parent / path).exists():
                broken.append(f"{doc.relative_to(ROOT)}: {target}")
    assert broken == []


def test_readme_is_for_newcomers_and_shows_the_architecture():
    text = README.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 200
    assert "(docs/architecture.svg)" in text
    svg = ElementTree.parse(DOCS / "architecture.svg").getroot()
    assert svg.tag == "{http://www.w3.org/2000/svg}svg"


def test_ci_runs_the_quick_start_first_then_the_commands_no_test_runs():
    ci = [line.strip() for line in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()]
    first = ci.index(QUICK_START)
    assert ci[first + 1] == "uv run pytest"
    assert [c for c in IN_CI if c not in ci[first:]] == []
    # Nothing installs the project before the quick start does.
    commands = [line for line in ci[:first] if not line.startswith("#")]
    assert not [line for line in commands if re.search(r"\b(uv sync|make dev|pip install)\b", line)]


@pytest.mark.skipif(shutil.which("make") is None, reason="no make on PATH")
@pytest.mark.parametrize("target", SUITE_TARGETS)
def test_make_suite_target_runs_its_pytest_command(target):
    # As a user's shell runs it: not as a sub-make of a make running this suite (`make test-fast`),
    # which would print "Entering directory" lines around the commands.
    env = {k: v for k, v in os.environ.items() if k not in ("MAKELEVEL", "MAKEFLAGS", "MFLAGS")}
    dry_run = subprocess.run(
        [*target.split(), "-n"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=True
    )
    assert dry_run.stdout.splitlines() == [SUITE_TARGETS[target]]


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SELFEVAL_", "DAGSTER_", "UV_PROJECT_"))}
    # A user's shell: the project's virtualenv is not activated (`python3` is the system's).
    venv_bin = str(Path(sys.executable).parent)
    env["PATH"] = os.pathsep.join(p for p in env["PATH"].split(os.pathsep) if p != venv_bin)
    env.pop("VIRTUAL_ENV", None)
    env.update(
        SELFEVAL_DATA_DIR=str(tmp_path / "data"),
        SELFEVAL_WAREHOUSE=str(tmp_path / "warehouse.duckdb"),
        DAGSTER_HOME=str(tmp_path / "dagster_home"),
        **extra,
    )
    (tmp_path / "dagster_home").mkdir(exist_ok=True)
    return env


def _run(command: str, env: dict[str, str], timeout: int = 900) -> subprocess.CompletedProcess:
    return subprocess.run(
        command, shell=True, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )


def _count(db: Path, sql: str) -> int:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()[0][0]


@pytest.mark.e2e
def test_quick_start_builds_the_bundled_samples_and_answers_the_query(tmp_path):
    # Its own environment: `uv sync --frozen` makes the checkout's environment exactly the default
    # groups, which would change the environment this suite runs in.
    env = _env(tmp_path, UV_PROJECT_ENVIRONMENT=str(tmp_path / "venv"))
    built = _run(QUICK_START, env, timeout=1800)  # a whole new environment is installed first
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    n_reports = len(list(PDF_DIR.glob("*.pdf")))
    assert _count(tmp_path / "warehouse.duckdb", "select count(*) from marts.dim_report") == n_reports
    queried = _run(QUICK_QUERY, env, timeout=120)
    n_lines = _count(tmp_path / "warehouse.duckdb", "select count(*) from marts.fct_spend")
    assert queried.returncode == 0 and queried.stdout.splitlines()[2].strip() == str(n_lines)


@pytest.mark.e2e
def test_own_reports_command_builds_the_named_inbox(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(PDF_DIR / "nantong_culture_2023.pdf", inbox / "report.pdf")
    warehouse = tmp_path / "own.duckdb"
    # The README's placeholders, filled in.
    command = OWN_REPORTS.replace("/path/to/inbox", str(inbox)).replace(
        "/path/to/warehouse.duckdb", str(warehouse)
    )
    result = _run(command, _env(tmp_path))
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert _count(warehouse, "select count(*) from marts.dim_report") == 1


@pytest.mark.e2e
def test_extract_synopsis_prints_one_report_per_file(tmp_path):
    pdf = PDF_DIR / "nantong_culture_2023.pdf"
    command = EXTRACT.replace("REPORT.pdf [MORE.pdf ...] [--pretty]", f"'{pdf}' --pretty")
    result = _run(command, _env(tmp_path), timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout)
    assert (report["fiscal_year"], len(report["budget_lines"])) == (2023, 28)


@pytest.mark.e2e
def test_extract_of_a_word_file_prints_its_table(tmp_path):
    result = _run(EXTRACT_WORD, _env(tmp_path), timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    tables = json.loads(result.stdout)
    table = tables[0] if isinstance(tables, list) else tables
    assert (table["report_kind"], table["form"]) == ("project", "project_national")
    assert table["funding_lines"][0]["cell_range"].startswith("Table1!")


@pytest.mark.e2e
def test_report_synopsis_writes_the_evidence_site(audited_warehouse, tmp_path):
    audited = audited_warehouse
    out = tmp_path / "site"
    command = REPORT.replace(
        "[--warehouse PATH] [--out DIR] [--reports DIR]",
        f"--warehouse '{audited}' --out '{out}' --reports '{PDF_DIR}'",
    )
    result = _run(command, _env(tmp_path), timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert (out / "index.html").is_file() and len(list(out.glob("reports/*.html"))) == len(
        list(PDF_DIR.glob("*.pdf"))
    )


@pytest.mark.e2e
def test_dagster_cli_commands_run_as_written(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(PDF_DIR / "seed_suzhou_police_2022.pdf", inbox / "seed.pdf")
    env = _env(tmp_path, SELFEVAL_REPORTS_DIR=str(inbox))
    outputs = []
    for command in DAGSTER_CLI:
        result = _run(command, env)
        outputs.append(result.stdout + result.stderr)
        assert result.returncode == 0, f"{command}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    assert "fiscal_year partitions: 2022" in outputs[0].splitlines()
    assert "Launched backfill job" in outputs[1]
    assert len(list((tmp_path / "data" / "extracted" / "fiscal_year=2022").iterdir())) == 1
    assert _count(tmp_path / "warehouse.duckdb", "select count(*) from marts.dim_report") == 1


def _graphql(port: int, query: str) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=json.dumps({"query": query}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


@pytest.mark.e2e
def test_dagster_dev_serves_the_code_location(tmp_path):
    port = 20000 + os.getpid() % 20000
    # The port: click reads DAGSTER_CLI_DEV_PORT for `dagster dev --port` (the default 3000 may be taken).
    env = _env(tmp_path, DAGSTER_CLI_DEV_PORT=str(port))
    proc = subprocess.Popen(
        DAGSTER_DEV,
        shell=True,
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: ended below with everything it started
    )
    query = (
        "{ workspaceOrError { ... on Workspace { locationEntries { name"
        " locationOrLoadError { __typename } } } } }"
    )
    try:
        entries = None
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                entries = _graphql(port, query)["data"]["workspaceOrError"]["locationEntries"]
                if entries and entries[0]["locationOrLoadError"] is not None:
                    break
            except OSError:
                pass
            time.sleep(1)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
    assert entries == [{"name": "selfeval", "locationOrLoadError": {"__typename": "RepositoryLocation"}}]
