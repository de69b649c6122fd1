"""Dagster in three tiers: definitions load; assets and sensor run alone; the whole graph end to end."""

import dataclasses
import hashlib
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from expectations import load_rules
from orchestration.defs.assets import EXTRACTED_KEYS, extracted_reports
from orchestration.defs.checks import warehouse_audit_asset
from orchestration.defs.dbt import build_path, warehouse_models_asset
from orchestration.defs.resources import BuildLock, SelfevalPaths, dbt_resource
from orchestration.defs.sensors import inbox_sensor
from orchestration.settings import FileLimits, Settings
from tests.conftest import BAD_DIR, run_dbt
from tests.truth import PDF_DIR

pytestmark = pytest.mark.slow  # Dagster definitions, runs, sensors and `selfeval build` end to end


@pytest.fixture(scope="module")
def definitions():
    from orchestration.definitions import defs

    return defs()


def _settings(tmp_path: Path, reports: Path) -> Settings:
    return Settings(reports_dir=reports, warehouse=tmp_path / "warehouse.duckdb", data_dir=tmp_path / "data")


def _paths(tmp_path: Path, reports: Path, audit_runs_kept: int = 10) -> SelfevalPaths:
    return SelfevalPaths.from_settings(
        dataclasses.replace(_settings(tmp_path, reports), audit_runs_kept=audit_runs_kept)
    )


def _resources(paths: SelfevalPaths) -> dict:
    return {"paths": paths, "build_lock": BuildLock(data_dir=paths.data_dir)}


def _audit_asset() -> dg.AssetsDefinition:
    """The audit asset as the definitions make it (the dbt manifest: see the definitions fixture)."""
    return warehouse_audit_asset(warehouse_models_asset())


def _extract(paths: SelfevalPaths, year: str = "2023") -> list:
    # A context manager: the build lock resource is released when the context closes.
    with dg.build_asset_context(partition_key=year, resources=_resources(paths)) as context:
        return list(extracted_reports(context))


# --- tier 1: definitions -------------------------------------------------------------------------


def test_definitions_load_with_every_stage(definitions):
    keys = {k.to_user_string() for k in definitions.resolve_all_asset_keys()}
    assert {k.to_user_string() for k in EXTRACTED_KEYS} <= keys
    assert {
        "marts/fct_spend",
        "marts/fct_indicator",
        "marts/fct_key_task",
        "warehouse_audit",
        "published_warehouse",
    } <= keys
    for job in ("extract_year_job", "warehouse_job"):
        assert definitions.resolve_job_def(job)
    assert definitions.resolve_sensor_def("inbox_sensor")
    assert definitions.resolve_schedule_def("rebuild_schedule")


def test_lineage_is_one_graph(definitions):
    graph = definitions.resolve_asset_graph()
    staging = dg.AssetKey(["staging", "stg_extracted__budget_lines"])
    assert dg.AssetKey(["extracted", "budget_lines"]) in graph.get(staging).parent_keys
    audit = graph.get(dg.AssetKey("warehouse_audit"))
    assert dg.AssetKey(["marts", "fct_spend"]) in audit.parent_keys
    assert dg.AssetKey("warehouse_audit") in graph.get(dg.AssetKey("published_warehouse")).parent_keys


def test_audit_rules_are_asset_checks_errors_blocking(definitions):
    specs = {s.name: s for s in definitions.resolve_assets_def("warehouse_audit").check_specs}
    rules = load_rules()
    assert set(specs) == {r.name for r in rules}
    assert {n for n, s in specs.items() if s.blocking} == {r.name for r in rules if r.severity == "error"}


def test_dbt_tests_are_asset_checks(definitions):
    checks = {k.name for k in definitions.resolve_assets_def(dg.AssetKey(["marts", "fct_spend"])).check_keys}
    assert "unique_fct_spend_spend_id" in checks


# --- tier 2: assets and the sensor alone -----------------------------------------------------------


def test_extract_asset_writes_one_year(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(PDF_DIR / "nantong_culture_2023.pdf", inbox / "a.pdf")
    shutil.copy(PDF_DIR / "seed_suzhou_police_2022.pdf", inbox / "other_year.pdf")
    shutil.copy(BAD_DIR / "scanned.pdf", inbox / "scan.pdf")
    # OCR off (SELFEVAL_OCR=never): the scan is rejected for its missing text layer
    no_ocr = dataclasses.replace(_settings(tmp_path, inbox), file_limits=FileLimits(ocr="never"))
    paths = SelfevalPaths.from_settings(no_ocr)
    results = _extract(paths)
    assert {r.asset_key for r in results} == set(EXTRACTED_KEYS)
    meta = next(r.metadata for r in results if r.asset_key == dg.AssetKey(["extracted", "budget_lines"]))
    assert meta["reports"] == 1 and meta["rows"] == 28
    year = tmp_path / "data" / "extracted" / "fiscal_year=2023"
    assert [p.name for p in year.iterdir()] == [hashlib.sha256((inbox / "a.pdf").read_bytes()).hexdigest()]
    rejected = next(
        r.metadata for r in results if r.asset_key == dg.AssetKey(["extracted", "rejected_files"])
    )
    assert rejected["rejected"].data == [
        {"file": "scan.pdf", "reason": "no text layer (scanned or image-only PDF)"}
    ]


def test_extract_asset_rerun_replaces_instead_of_duplicating(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(PDF_DIR / "nantong_culture_2023.pdf", inbox / "a.pdf")
    paths = _paths(tmp_path, inbox)
    for _ in range(2):
        _extract(paths)
    (inbox / "a.pdf").unlink()
    _extract(paths)
    assert list((tmp_path / "data" / "extracted" / "fiscal_year=2023").iterdir()) == []


def _extract_2023(tmp_path: Path, inbox: Path) -> dict:
    """One extraction run of fiscal year 2023 from `inbox` into tmp_path/data; its report metadata."""
    results = _extract(_paths(tmp_path, inbox))
    return next(r.metadata for r in results if r.asset_key == dg.AssetKey(["extracted", "budget_lines"]))


def _inbox_of(folder: Path, fixture: str) -> Path:
    folder.mkdir()
    shutil.copy(PDF_DIR / fixture, folder / "a.pdf")
    return folder


def test_cached_partition_reports_its_real_rows_and_pages(tmp_path):
    inbox = _inbox_of(tmp_path / "inbox", "nantong_culture_2023.pdf")
    _extract_2023(tmp_path, inbox)
    again = _extract_2023(tmp_path, inbox)
    assert again["cached (unchanged content)"] == 1 and again["extracted"] == 0
    assert (again["rows"], again["pages"]) == (28, 5)


def test_extraction_over_another_inbox_keeps_the_first_inbox_cached(tmp_path):
    first = _inbox_of(tmp_path / "first", "nantong_culture_2023.pdf")
    other = _inbox_of(tmp_path / "other", "suzhou_police_2023.pdf")
    _extract_2023(tmp_path, first)
    _extract_2023(tmp_path, other)
    back = _extract_2023(tmp_path, first)
    assert (back["extracted"], back["cached (unchanged content)"]) == (0, 1)
    selected = tmp_path / "data" / "extracted" / "fiscal_year=2023"
    assert [p.name for p in selected.iterdir()] == [
        hashlib.sha256((first / "a.pdf").read_bytes()).hexdigest()
    ]


def test_prune_removes_only_cached_reports_the_last_build_did_not_use(tmp_path, monkeypatch, capsys):
    from orchestration.cli import main

    first = _inbox_of(tmp_path / "first", "nantong_culture_2023.pdf")
    other = _inbox_of(tmp_path / "other", "suzhou_police_2023.pdf")
    _extract_2023(tmp_path, first)
    _extract_2023(tmp_path, other)
    monkeypatch.setenv("SELFEVAL_DATA_DIR", str(tmp_path / "data"))
    assert main(["prune"]) == 0
    assert re.fullmatch(
        r"extraction cache \S+: 1 reports removed \(\d+\.\d MB\), 1 kept \(used by the last build\)\n",
        capsys.readouterr().out,
    )
    cache = tmp_path / "data" / "cache"
    assert [p.name for p in cache.iterdir()] == [hashlib.sha256((other / "a.pdf").read_bytes()).hexdigest()]


def test_extract_asset_logs_unchanged_files_as_one_count(tmp_path, capfd):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(PDF_DIR / "nantong_culture_2023.pdf", inbox / "a.pdf")
    paths = _paths(tmp_path, inbox)
    _extract(paths)
    shutil.copy(PDF_DIR / "suzhou_police_2023.pdf", inbox / "b.pdf")
    capfd.readouterr()
    _extract(paths)
    logged = capfd.readouterr().err.splitlines()
    assert not any("a.pdf" in line for line in logged)
    summaries = [line for line in logged if re.search(r"fiscal year 2023: \d+ extracted", line)]
    assert len(summaries) == 1
    assert summaries[0].endswith(
        "fiscal year 2023: 1 extracted, 1 unchanged (content hash already extracted), 0 rejected, 0 removed"
    )


def test_audit_asset_reports_each_rule_as_a_check(definitions, warehouse, tmp_path):
    paths = _paths(tmp_path, tmp_path)
    warehouse_audit = _audit_asset()
    with dg.build_asset_context(resources=_resources(paths)) as context:
        build = build_path(paths.paths(), context.op_execution_context.run_id)
        build.parent.mkdir(parents=True)
        shutil.copyfile(warehouse, build)
        events = list(warehouse_audit(context))
    checks = {e.check_name: e for e in events if isinstance(e, dg.AssetCheckResult)}
    assert set(checks) == {r.name for r in load_rules()}
    assert (
        not checks["execution_rate"].passed
        and checks["execution_rate"].severity == dg.AssetCheckSeverity.WARN
    )
    assert checks["execution_rate"].metadata["failing_rows"].value == 1
    sample = checks["execution_rate"].metadata["sample"].data[0]
    assert sample["source_file"] == "suzhou_education_2022.pdf" and sample["source_page"] > 0
    assert all(checks[r.name].passed for r in load_rules() if r.severity == "error")


@pytest.fixture(scope="module")
def audited(definitions, warehouse, tmp_path_factory):
    """The audit asset run once with SELFEVAL_AUDIT_RUNS_KEPT=2, after three older runs' results."""
    tmp = tmp_path_factory.mktemp("audited")
    paths = _paths(tmp, tmp, audit_runs_kept=2)
    warehouse_audit = _audit_asset()
    audit_dir = paths.paths().audit_dir
    for age, name in enumerate(("newest-old", "older", "oldest")):
        (audit_dir / name).mkdir(parents=True)
        os.utime(audit_dir / name, (time.time() - 100 * (age + 1),) * 2)
    with dg.build_asset_context(resources=_resources(paths)) as context:
        build = build_path(paths.paths(), context.op_execution_context.run_id)
        build.parent.mkdir(parents=True)
        shutil.copyfile(warehouse, build)
        list(warehouse_audit(context))
        return audit_dir, context.op_execution_context.run_id


def test_audit_keeps_the_configured_number_of_runs(audited):
    audit_dir, run_id = audited
    assert sorted(p.name for p in audit_dir.iterdir()) == sorted(["newest-old", run_id])


def test_data_docs_load_nothing_from_another_host(audited):
    audit_dir, run_id = audited
    site = audit_dir / run_id / "data_docs"
    remote = re.compile(r"<(?:script|link|img)\b[^>]*\b(?:src|href)=[\"']https?://|url\(\s*[\"']?https?://")
    pages = [p for p in site.rglob("*") if p.suffix in (".html", ".css")]
    assert len(pages) > 10
    assert [p.name for p in pages if remote.search(p.read_text(encoding="utf-8"))] == []


def test_data_docs_name_each_finding_by_department_file_and_page(audited, warehouse):
    audit_dir, run_id = audited
    [page] = (audit_dir / run_id / "data_docs" / "validations" / "execution_rate").rglob("*.html")
    text = page.read_text(encoding="utf-8")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        [(page_no,)] = con.execute(
            "select source_page from marts.fct_spend where line_name = ? and source_file = ?",
            ["普惠性民办幼儿园生均补助", "suzhou_education_2022.pdf"],
        ).fetchall()
    cells = re.findall(r'<div class="show-scrollbars">([^<]*)</div>', text)
    assert ["苏州市教育局", "suzhou_education_2022.pdf", str(page_no), "普惠性民办幼儿园生均补助"] == [
        c
        for c in cells
        if c in ("苏州市教育局", "suzhou_education_2022.pdf", str(page_no), "普惠性民办幼儿园生均补助")
    ][:4]
    assert "Data asset: None" not in text and f"Data asset: {run_id}.duckdb (the build audited)" in text
    assert run_id in str(page.relative_to(audit_dir / run_id))  # the run is named, not __none__


@pytest.fixture
def sensor_env(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    # Disposed of at the end (an instance left open stays Dagster's current one after it is gone).
    with dg.instance_for_test() as instance:
        yield inbox, instance, _paths(tmp_path, inbox)


def _tick(sensor_env, cursor=None):
    _, instance, paths = sensor_env
    return inbox_sensor(dg.build_sensor_context(instance=instance, cursor=cursor, resources={"paths": paths}))


def test_sensor_new_file_requests_one_run(sensor_env):
    inbox, _, _ = sensor_env
    shutil.copy(PDF_DIR / "nantong_culture_2023.pdf", inbox / "x.pdf")
    result = _tick(sensor_env)
    assert [r.partition_key for r in result.run_requests] == ["2023"]
    assert result.dynamic_partitions_requests[0].partition_keys == ["2023"]


def test_sensor_same_content_again_requests_nothing(sensor_env):
    inbox, _, _ = sensor_env
    shutil.copy(PDF_DIR / "nantong_culture_2023.pdf", inbox / "x.pdf")
    first = _tick(sensor_env)
    shutil.copy(PDF_DIR / "nantong_culture_2023.pdf", inbox / "same_bytes_other_name.pdf")
    assert _tick(sensor_env, first.cursor).run_requests == []


def test_sensor_changed_content_requests_a_new_run(sensor_env):
    inbox, _, _ = sensor_env
    shutil.copy(PDF_DIR / "suzhou_education_2021.pdf", inbox / "edu.pdf")
    first = _tick(sensor_env)
    shutil.copy(PDF_DIR / "suzhou_police_2023.pdf", inbox / "edu.pdf")  # same name, new content
    second = _tick(sensor_env, first.cursor)
    assert [r.partition_key for r in second.run_requests] == ["2023"]
    assert second.run_requests[0].run_key != first.run_requests[0].run_key


# --- tier 3: end to end ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """`selfeval build` over the fixture corpus copied under meaningless names into one folder, in a
    process of its own as users run it."""
    tmp = tmp_path_factory.mktemp("e2e")
    inbox = tmp / "inbox"
    inbox.mkdir()
    for n, pdf in enumerate(sorted(PDF_DIR.glob("*.pdf"))):
        shutil.copy(pdf, inbox / f"scan_{n:03d}.pdf")
    warehouse = tmp / "wh" / "warehouse.duckdb"
    env = {**os.environ, "SELFEVAL_DATA_DIR": str(tmp / "data")}
    code = (
        "import sys\n"
        "from orchestration.cli import main\n"
        "code = main(sys.argv[1:])\n"
        "print('end of output')\n"
        "sys.exit(code)\n"
    )
    args = ["build", "--reports", str(inbox), "--warehouse", str(warehouse)]
    result = subprocess.run(
        [sys.executable, "-c", code, *args], env=env, capture_output=True, text=True, timeout=600
    )
    return result.returncode, warehouse, result.stdout + result.stderr[-3000:]


def test_published_marts_equal_those_of_dbt_parsing_the_project_from_scratch(built, tmp_path):
    """The build's dbt starts from the project's saved parse (dbt_glue/runner.py); plain `dbt build`
    with a target folder of its own parses everything, from the same extracted files."""
    from orchestration.cli import MARTS

    _, warehouse, _ = built
    data = warehouse.parent.parent / "data"
    log = (data / "logs" / "last_build.log").read_text(encoding="utf-8")
    assert "Running with dbt=" in log and "Unable to do partial parsing" not in log
    scratch = tmp_path / "scratch.duckdb"
    run_dbt(["build", "--exclude-resource-type", "unit_test"], data / "extracted", scratch, tmp_path)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        con.execute(f"attach '{scratch}' as scratch (read_only)")
        for table in MARTS:
            rows = con.execute(f"select count(*) from marts.{table}").fetchone()[0]
            differ = con.execute(
                f"select count(*) from ((from marts.{table} except all from scratch.marts.{table})"
                f" union all (from scratch.marts.{table} except all from marts.{table}))"
            ).fetchone()[0]
            assert (table, differ) == (table, 0) and rows == con.execute(
                f"select count(*) from scratch.marts.{table}"
            ).fetchone()[0]


def test_build_exits_zero_and_publishes(built):
    code, warehouse, output = built
    assert code == 0 and warehouse.exists(), output


def test_build_summary_gives_each_phase_in_hundredths_of_a_second(built):
    _, _, output = built
    [line] = [x for x in output.splitlines() if x.startswith("seconds: ")]
    phases = line.split(" (", 1)[1].rstrip(")").split(", ")
    assert phases and all(re.fullmatch(r"\w+ -?\d+\.\d\d", p) for p in phases), line


def test_build_summary_ends_with_the_evidence_report_path(built):
    _, warehouse, output = built
    lines = output.splitlines()
    summary_end = next(i for i, line in enumerate(lines) if line == "end of output") - 1
    index = warehouse.parent.parent / "data" / "report" / "index.html"
    assert lines[summary_end] == f"report: {index}"
    # the inbox's files were renamed: the crops come from PDFs found by their content hash
    assert len(list((index.parent / "findings").glob("*.png"))) == 8


def test_build_has_every_contract_table_for_every_year(built):
    from tests.truth import fixture_names, load_truth

    truths = [load_truth(n) for n in fixture_names()]
    _, warehouse, _ = built
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for table in ("fct_spend", "fct_indicator", "fct_key_task", "dim_report"):
            years = {r[0] for r in con.execute(f"select distinct fiscal_year from marts.{table}").fetchall()}
            assert years == {t["fiscal_year"] for t in truths}, table
        n_lines = con.execute("select count(*) from marts.fct_spend").fetchall()[0][0]
        n_ind = con.execute("select count(*) from marts.fct_indicator").fetchall()[0][0]
        findings = con.execute(
            "select rule, subject from audit.findings where rule = 'execution_rate'"
        ).fetchall()
    assert n_lines == sum(len(t["budget_lines"]) for t in truths)
    assert n_ind == sum(len(t["indicators"]) for t in truths)
    assert findings == [
        ("execution_rate", load_truth("suzhou_education_2022")["known_slips"][0]["line_name"])
    ]


def test_build_audit_equals_the_audit_run_in_this_process(built, audited_warehouse):
    """The CLI's audit finds and reports exactly what the audit run directly on the same data does."""
    copy = audited_warehouse
    # Files are renamed in the CLI's inbox: compare everything but the file name.
    findings = (
        "select rule, severity, fiscal_year, department_name, subject, source_page, expected_value,"
        " actual_value, message from audit.findings order by all"
    )
    rules = "select rule, checked_rows, failing_rows, is_success from audit.rule_results order by rule"
    got, want = {}, {}
    for db, out in ((built[1], got), (copy, want)):
        with duckdb.connect(str(db), read_only=True) as con:
            out["findings"] = con.execute(findings).fetchall()
            out["rules"] = con.execute(rules).fetchall()
            out["types"] = con.execute("describe audit.findings").fetchall()
    assert got == want and len(got["findings"]) > 0


def test_published_warehouse_answers_without_the_extracted_files(built, tmp_path):
    """A BI reader gets the warehouse file alone: every relation in it (staging and intermediate
    too) must answer from the file, not from the build machine's Parquet folder."""
    _, warehouse, _ = built
    extracted = warehouse.parent.parent / "data" / "extracted"
    away = tmp_path / "extracted-moved-away"
    shutil.move(extracted, away)
    try:
        with duckdb.connect(str(warehouse), read_only=True) as con:
            relations = con.execute(
                "select schema_name, table_name from duckdb_tables() union all "
                "select schema_name, view_name from duckdb_views() where not internal"
            ).fetchall()
            counts = {
                f"{s}.{t}": con.execute(f'select count(*) from "{s}"."{t}"').fetchall()[0][0]
                for s, t in relations
            }
    finally:
        shutil.move(away, extracted)
    assert {"staging", "intermediate", "marts", "audit"} <= {name.split(".")[0] for name in counts}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        n_reports = con.execute("select count(*) from marts.dim_report").fetchall()[0][0]
    assert counts["staging.stg_extracted__reports"] == n_reports == len(list(PDF_DIR.glob("*.pdf")))


# The oldest DuckDB the README promises opens the published file.
OLDEST_READER = "duckdb==1.1.3"
_OLD_READER_SCRIPT = """
import sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
print(duckdb.__version__)
print(con.execute("select count(*) from marts.fct_spend").fetchall()[0][0])
print(con.execute("select report_count from audit.build_info").fetchall()[0][0])
q = "select view_name from duckdb_views() where schema_name = 'analyses' order by 1"
views = con.execute(q).fetchall()
print(" ".join(f"{v}={con.execute(f'select count(*) from analyses.{v}').fetchall()[0][0]}" for (v,) in views))
"""


@pytest.mark.e2e
def test_published_warehouse_opens_in_duckdb_1_1(built):
    """In a separate environment with only the old DuckDB (uv caches it after the first download)."""
    _, warehouse, _ = built
    uv = os.environ.get("UV") or shutil.which("uv")
    assert uv, "uv is needed to make the separate environment (it installs this project too)"
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    cmd = [
        uv,
        "run",
        "--isolated",
        "--no-project",
        "--with",
        OLDEST_READER,
        "python",
        "-c",
        _OLD_READER_SCRIPT,
    ]
    result = subprocess.run(
        [*cmd, str(warehouse)], env=env, cwd=warehouse.parent, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.splitlines() == [
        "1.1.3",
        "351",
        str(len(list(PDF_DIR.glob("*.pdf")))),
        "execution_rate_by_project=321 funding_by_source=0 indicators_missed_target=36"
        " key_tasks_with_underspent_projects=70 project_year_over_year=56 projects_scoring_under_90=0"
        " projects_under_80_pct=47",
    ]


def test_published_warehouse_records_its_build(built):
    from importlib.metadata import version

    _, warehouse, _ = built
    [run_dir] = (warehouse.parent.parent / "data" / "audit").iterdir()  # data/audit/<run id>
    with duckdb.connect(str(warehouse), read_only=True) as con:
        [info] = con.execute(
            "select run_id, selfeval_version, dbt_version, duckdb_version, inbox, report_count,"
            " built_at > now() - interval 1 hour and built_at <= now() from audit.build_info"
        ).fetchall()
        comments = con.execute(
            "select count(*) from duckdb_columns() where table_name = 'build_info' and comment like '%(%)%'"
        ).fetchall()[0][0]
    inbox = warehouse.parent.parent / "inbox"
    assert info == (
        run_dir.name,
        version("selfeval"),
        version("dbt-core"),
        duckdb.__version__,
        str(inbox),
        len(list(PDF_DIR.glob("*.pdf"))),
        True,
    )
    assert comments == 7


def test_query_prints_the_count(built, capsys):
    from orchestration.cli import main

    _, warehouse, _ = built
    assert main(["query", "select count(*) as n from marts.fct_spend", "--warehouse", str(warehouse)]) == 0
    out = capsys.readouterr().out
    with duckdb.connect(str(warehouse), read_only=True) as con:
        n = con.execute("select count(*) from marts.fct_spend").fetchall()[0][0]
    assert out.splitlines()[2].strip() == str(n)


def test_command_exits_with_the_code_of_its_outcome(built):
    """The console script's exit (run(): main, then a fast exit) passes main's code on."""
    _, warehouse, _ = built
    selfeval = Path(sys.executable).with_name("selfeval")  # the installed console script
    cmd = [str(selfeval), "query", "select * from nope", "--warehouse", str(warehouse)]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1 and result.stderr.startswith("selfeval query: ")


def test_query_csv(built, capsys):
    from orchestration.cli import main

    _, warehouse, _ = built
    sql = "select department_name from marts.dim_department where department_name = '苏州市公安局'"
    assert main(["query", sql, "--csv", "--warehouse", str(warehouse)]) == 0
    assert capsys.readouterr().out.splitlines() == ["department_name", "苏州市公安局"]


def test_query_bad_sql_fails_cleanly(built, capsys):
    from orchestration.cli import main

    _, warehouse, _ = built
    assert main(["query", "select * from nope", "--warehouse", str(warehouse)]) == 1
    assert capsys.readouterr().err.startswith("selfeval query: ")


def test_export_writes_marts_as_parquet(built, tmp_path):
    from orchestration.cli import main

    _, warehouse, _ = built
    assert main(["export", "--parquet", str(tmp_path / "pq"), "--warehouse", str(warehouse)]) == 0
    n = duckdb.sql(f"select count(*) from '{tmp_path / 'pq' / 'fct_spend.parquet'}'").fetchall()[0][0]
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert n == con.execute("select count(*) from marts.fct_spend").fetchall()[0][0]


def test_build_progress_goes_to_the_stderr_of_the_moment(monkeypatch):
    """Not to the stream that was sys.stderr when the CLI module was first imported."""
    import io

    from orchestration.cli import BuildProgress

    err = io.StringIO()
    monkeypatch.setattr(sys, "stderr", err)
    item = type("Item", (), {"error": None, "path": Path("a.pdf")})()
    BuildProgress()(1, 1, item)
    assert err.getvalue() == "[1/1] a.pdf: ok\n"


def test_build_usage_errors_exit_two(tmp_path, capsys):
    from orchestration.cli import main

    assert main(["build", "--reports", str(tmp_path / "missing")]) == 2
    assert main(["frobnicate"]) == 2
    assert main([]) == 2


def test_schedule_rescans_every_registered_year(sensor_env):
    from orchestration.defs.schedules import rebuild_schedule_for

    inbox, _, paths = sensor_env
    shutil.copy(PDF_DIR / "nantong_culture_2023.pdf", inbox / "a.pdf")
    shutil.copy(PDF_DIR / "suzhou_education_2021.pdf", inbox / "b.pdf")
    schedule = rebuild_schedule_for("0 6 * * *")
    with dg.instance_for_test() as instance:  # schedules need an instance they can reference
        instance.add_dynamic_partitions("fiscal_year", ["2021", "2023"])
        requests = schedule(dg.build_schedule_context(instance=instance, resources={"paths": paths}))
    assert sorted(r.partition_key for r in requests) == ["2021", "2023"]


def test_extraction_triggers_one_rebuild(tmp_path):
    from orchestration.definitions import build_definitions
    from orchestration.defs.sensors import rebuild_after_extraction

    inbox = _inbox_of(tmp_path / "inbox", "nantong_culture_2023.pdf")
    definitions = build_definitions(_settings(tmp_path, inbox))
    with dg.instance_for_test() as instance:
        instance.add_dynamic_partitions("fiscal_year", ["2023"])
        result = definitions.resolve_job_def("extract_year_job").execute_in_process(
            partition_key="2023", instance=instance
        )
        assert result.success
        tick = rebuild_after_extraction.evaluate_tick(dg.build_sensor_context(instance=instance))
        assert [r.run_key for r in tick.run_requests] == [f"extraction-{result.run_id}"]
        again = rebuild_after_extraction.evaluate_tick(
            dg.build_sensor_context(instance=instance, cursor=tick.cursor)
        )
    assert again.run_requests == []


def test_build_leaves_no_dbt_artifacts_behind(built):
    _, warehouse, _ = built
    build_dir = warehouse.parent.parent / "data" / "build"
    assert sorted(p.name for p in build_dir.iterdir()) == []


# --- memory: what each process loads --------------------------------------------------------------


def _printed_by(script: str) -> str:
    """What a fresh interpreter, run from the repository, prints running `script`."""
    root = Path(__file__).resolve().parent.parent
    out = subprocess.run([sys.executable, "-c", script], cwd=root, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return out.stdout


def _loaded_after(code: str, modules: tuple[str, ...]) -> str:
    """Which of `modules` a fresh interpreter has imported after running `code`, as it prints them."""
    script = f"import sys; {code}; print([m for m in {modules!r} if m in sys.modules])"
    return _printed_by(script).strip().splitlines()[-1]


def test_definitions_load_without_arrow_pandas_or_great_expectations():
    """The process that builds and audits the warehouse loads Arrow/pandas/GX only when it needs them."""
    code = "from orchestration.definitions import defs; defs()"
    assert _loaded_after(code, ("pyarrow", "pandas", "great_expectations")) == "[]"


FILE_READERS = ("pypdfium2", "pdfplumber", "pdfminer", "pikepdf", "numpy", "extract.report")


def test_the_build_process_loads_no_file_reader():
    """All the build process imports (the CLI, the pipeline, the definitions, dbt's name_key plugin)
    leaves out the PDF readers and numpy: the child that scans and extracts imports them."""
    code = (
        "import orchestration.cli, orchestration.build.pipeline, orchestration.dbt_glue.name_key; "
        "from orchestration.definitions import defs; defs()"
    )
    assert _loaded_after(code, FILE_READERS) == "[]"


def test_the_extraction_forks_its_workers_before_arrow_is_imported():
    """What the extraction's process has when it forks its workers (its code and the readers) leaves
    out Arrow: imported by the first report stored, it is not beside a long file's worker."""
    code = "import orchestration.build.extraction, extract.guarded; extract.guarded.read_report"
    assert _loaded_after(code, ("pypdfium2", "pyarrow", "pandas")) == "['pypdfium2']"


def test_a_module_left_out_cannot_be_imported_and_one_already_imported_is_kept():
    code = (
        "import json; from orchestration.build.unused_imports import leave_out; leave_out(('json', 'csv')); "
        "import json\ntry:\n    import csv.abc\nexcept ModuleNotFoundError as e:\n    print(e.name)"
    )
    assert _loaded_after(code, ("json", "csv")) == "['json']"


def test_a_module_loaded_when_used_runs_its_code_at_first_use_not_at_import():
    # difflib imports heapq as its code runs.
    script = (
        "import sys; from orchestration.build.unused_imports import load_when_used; "
        "load_when_used(('difflib',)); import difflib; print('heapq' in sys.modules); "
        "print(round(difflib.SequenceMatcher(None, 'ab', 'abc').ratio(), 2)); print('heapq' in sys.modules)"
    )
    assert _printed_by(script).split() == ["False", "0.8", "True"]


def test_the_extraction_definitions_load_without_dbt(tmp_path):
    """The child that scans and extracts loads the extraction's job without dagster-dbt and dbt-core
    (it extracts while the build process loads them), and that job selects what the full
    definitions' job selects."""
    from orchestration.definitions import build_definitions

    settings = _settings(tmp_path, tmp_path / "inbox")
    code = (
        "import sys; from orchestration.definitions import extraction_definitions; "
        "from orchestration.settings import Settings; "
        "job = extraction_definitions(Settings.from_env()).resolve_job_def('extract_year_job'); "
        "print(sorted(k.to_user_string() for k in job.asset_layer.executable_asset_keys)); "
        "print([m for m in ('dagster_dbt', 'dbt') if m in sys.modules])"
    )
    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "SELFEVAL_DATA_DIR": str(tmp_path / "data")}
    out = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, env=env)
    assert out.returncode == 0, out.stderr
    selected, dbt_modules = out.stdout.strip().splitlines()[-2:]
    assert dbt_modules == "[]"
    with dg.instance_for_test():  # resolving definitions consults Dagster's current instance
        full = build_definitions(settings).resolve_job_def("extract_year_job")
    assert selected == str(sorted(k.to_user_string() for k in full.asset_layer.executable_asset_keys))
    assert "extracted/report" in selected


@pytest.mark.slow
def test_a_build_audits_with_no_file_reader_in_the_build_process(tmp_path):
    """When the audit's child is forked (the build's peak memory), the build process, which scanned
    a new report and extracted it through its child, holds none of the readers."""
    inbox = _inbox_of(tmp_path / "inbox", "nantong_culture_2023.pdf")
    seen = tmp_path / "readers_at_the_audit"
    build = ["build", "--reports", str(inbox), "--warehouse", str(tmp_path / "w.duckdb")]
    code = (  # the step's own output goes to Dagster's captured logs: the spy writes a file
        "import sys; from pathlib import Path; from orchestration.defs import checks\n"
        "audit = checks.audit_in_child\n"
        "def spy(*args):\n"
        f"    Path({str(seen)!r}).write_text(repr([m for m in {FILE_READERS!r} if m in sys.modules]))\n"
        "    return audit(*args)\n"
        "checks.audit_in_child = spy\n"
        f"from orchestration.cli import main; sys.exit(main({build!r}))"
    )
    root = Path(__file__).resolve().parent.parent
    env = dict(os.environ, SELFEVAL_DATA_DIR=str(tmp_path / "data"))
    out = subprocess.run([sys.executable, "-c", code], cwd=root, env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    assert seen.read_text() == "[]"
    assert (tmp_path / "w.duckdb").exists()


def _fail():
    raise ValueError("boom")


def _killed():
    import signal

    os.kill(os.getpid(), signal.SIGKILL)


def test_forked_phase_returns_its_result():
    from orchestration.build.forked import run_forked

    assert run_forked(pow, 2, 10) == 1024


def test_forked_phase_error_is_raised_with_its_reason():
    from orchestration.build.forked import PhaseFailedError, run_forked

    with pytest.raises(PhaseFailedError, match=r"^_fail failed in its process: ValueError: boom$"):
        run_forked(_fail)


def test_forked_phase_killed_is_an_error_not_a_hang():
    from orchestration.build.forked import PhaseFailedError, run_forked

    with pytest.raises(PhaseFailedError, match=r"exit code -9, no result"):
        run_forked(_killed)


def test_this_processs_objects_stay_frozen_while_a_forked_child_lives():
    """Unfrozen at once, this process's collector would walk the objects the child shares and copy
    their pages; they are unfrozen when the child is joined (if none was frozen before)."""
    import gc

    from orchestration.build.forked import joined, start_child

    assert gc.get_freeze_count() == 0
    receive, child = start_child(_waits)
    try:
        assert gc.get_freeze_count() > 0
    finally:
        receive.close()  # the child's pipe ends: it leaves
        joined(child)
    assert gc.get_freeze_count() == 0


def _waits(send):
    send.send(None)
    send.close()


def test_dbt_failure_fails_the_step_with_dbts_own_first_error(definitions, tmp_path):
    """No extracted Parquet at all: dbt's sources find no files, and the step says so in dbt's words."""
    paths = _paths(tmp_path, tmp_path)
    with dg.instance_for_test() as instance:
        result = dg.materialize(
            [warehouse_models_asset()],
            resources={**_resources(paths), "dbt": dbt_resource()},
            instance=instance,
            raise_on_error=False,
        )
    [failure] = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    message = failure.step_failure_data.error.cause.message
    assert message.startswith("orchestration.dbt_glue.runner.DbtBuildError: dbt build failed: ")
    assert "No files found that match the pattern" in message


def test_settings_default_to_the_sample_reports_and_data_beside_the_code():
    from orchestration.settings import REPO_ROOT

    assert Settings.from_env({}) == Settings(
        reports_dir=REPO_ROOT / "tests" / "fixtures" / "pdfs",
        warehouse=REPO_ROOT / "data" / "warehouse.duckdb",
        data_dir=REPO_ROOT / "data",
        schedule_cron="0 6 * * *",
        dbt_threads=1,
        audit_runs_kept=10,
    )


def test_settings_read_every_variable_and_keep_at_least_one_audit_run():
    env = {
        "SELFEVAL_REPORTS_DIR": "/in",
        "SELFEVAL_WAREHOUSE": "/wh/w.duckdb",
        "SELFEVAL_DATA_DIR": "/d",
        "SELFEVAL_SCHEDULE_CRON": "5 4 * * 1",
        "SELFEVAL_DBT_THREADS": "3",
        "SELFEVAL_AUDIT_RUNS_KEPT": "0",
    }
    assert Settings.from_env(env) == Settings(
        Path("/in"), Path("/wh/w.duckdb"), Path("/d"), "5 4 * * 1", 3, 1
    )


def test_schedule_and_resources_come_from_the_settings_given(tmp_path):
    from orchestration.definitions import build_definitions

    settings = dataclasses.replace(_settings(tmp_path, tmp_path / "inbox"), schedule_cron="5 4 * * 1")
    definitions = build_definitions(settings)
    with dg.instance_for_test():  # resolving definitions consults the current instance's storage
        schedule = definitions.resolve_schedule_def("rebuild_schedule")
    assert schedule.cron_schedule == "5 4 * * 1"
    paths = definitions.resources["paths"]
    assert paths.paths() == settings.paths


_IMPORT_EVERYTHING = """
import importlib, json, os, pkgutil, subprocess, sys
started = []
real_init = subprocess.Popen.__init__
def recorded(self, args, *rest, **kwargs):
    if "dbt" in str(args):
        started.append(str(args))
    real_init(self, args, *rest, **kwargs)
subprocess.Popen.__init__ = recorded
before = dict(os.environ)
import orchestration.definitions, orchestration.defs
for module in pkgutil.iter_modules(orchestration.defs.__path__):
    importlib.import_module(f"orchestration.defs.{module.name}")
changed = sorted(k for k in before.keys() | os.environ.keys() if before.get(k) != os.environ.get(k))
print(json.dumps({"changed": changed, "started": started}))
"""


def test_importing_the_definitions_changes_no_environment_variable_and_runs_no_dbt(tmp_path):
    """In a copy of the code whose dbt project was never parsed: importing orchestration.definitions
    and every module of orchestration/defs/ leaves the environment as it was, starts no dbt and
    writes no manifest."""
    import json

    root = Path(__file__).resolve().parent.parent
    for folder in ("orchestration", "extract", "expectations"):
        shutil.copytree(root / folder, tmp_path / folder, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(
        root / "dbt_project", tmp_path / "dbt_project", ignore=shutil.ignore_patterns("target", "logs")
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SELFEVAL_", "DAGSTER_", "DBT_"))}
    out = subprocess.run(
        [sys.executable, "-c", _IMPORT_EVERYTHING],
        cwd=tmp_path,
        env={**env, "PYTHONPATH": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    assert json.loads(out.stdout.splitlines()[-1]) == {"changed": [], "started": []}
    assert not (tmp_path / "dbt_project" / "target" / "manifest.json").exists()


# --- the build summary when a build fails ------------------------------------------------------------


def _failed_outcome(tmp_path: Path):
    from orchestration.build.inbox import Inbox
    from orchestration.build.pipeline import BuildOutcome

    paths = _paths(tmp_path, tmp_path).paths()
    return BuildOutcome(paths, Inbox(()), failed_steps=["warehouse step warehouse_models: dbt build failed"])


def test_failed_first_build_does_not_claim_a_previous_warehouse(tmp_path):
    summary = _failed_outcome(tmp_path).summary(seconds=1.0)
    assert f"NOT published (a step failed); there is no warehouse at {tmp_path / 'warehouse.duckdb'} yet" in (
        summary.splitlines()
    )
    assert "unchanged" not in summary


@pytest.fixture(scope="module")
def built_with_dbt_failing(tmp_path_factory):
    """`run_build` over one 2023 report, its data folder holding a 2021 year no longer in the inbox,
    with dbt failing after it created the build file (half built, no mart in it)."""
    from extract.store import write_empty_tables
    from orchestration.build.pipeline import run_build
    from orchestration.dbt_glue.runner import DbtBuildError

    def dbt_fails(context, dbt, dbt_dir, database, project_vars, threads, **_):
        duckdb.connect(str(database)).close()
        raise DbtBuildError("dbt build failed: no files found")
        yield  # a generator, as dbt_build is

    tmp = tmp_path_factory.mktemp("dbt_failing")
    inbox = _inbox_of(tmp / "inbox", "nantong_culture_2023.pdf")
    settings = _settings(tmp, inbox)
    extracted = settings.paths.extracted_dir
    (extracted / "fiscal_year=2021" / "old").mkdir(parents=True)
    write_empty_tables(extracted)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("orchestration.defs.dbt.dbt_build", dbt_fails)
        return run_build(settings), extracted


def test_failed_build_names_the_step_by_its_own_error_alone(built_with_dbt_failing):
    # Not Dagster's wrapper ("Error occurred while executing op"), and no second error for the marts
    # the half-built file lacks.
    outcome, _ = built_with_dbt_failing
    [failed] = outcome.failed_steps
    assert failed.startswith("warehouse step warehouse_models: ")
    assert failed.endswith("DbtBuildError: dbt build failed: no files found")


def test_build_drops_years_no_longer_in_the_inbox_and_keeps_the_empty_tables(built_with_dbt_failing):
    _, extracted = built_with_dbt_failing
    assert sorted(p.name for p in extracted.iterdir()) == ["_schema", "fiscal_year=2023"]


# --- what the build tells its operator ------------------------------------------------------------


def test_build_log_holds_dagster_and_dbt_events_without_colour_codes(built):
    _, warehouse, _ = built
    log = (warehouse.parent.parent / "data" / "logs" / "last_build.log").read_text(encoding="utf-8")
    for step in ("extracted_reports", "warehouse_models", "warehouse_audit", "published_warehouse"):
        assert re.search(rf" - {step} - STEP_SUCCESS - ", log), step
    assert re.search(r"Completed successfully", log)  # dbt's own output
    assert "\x1b[" not in log


def test_build_summary_lists_the_data_docs_path(built):
    _, warehouse, output = built
    [line] = [x for x in output.splitlines() if x.startswith("data docs: ")]
    docs = Path(line.removeprefix("data docs: "))
    assert docs.parent.parent.parent == warehouse.parent.parent / "data" / "audit"
    assert docs.name == "index.html" and docs.exists()


def test_build_off_a_terminal_prints_no_phase_lines(built):
    _, _, output = built
    assert not [x for x in output.splitlines() if re.match(r"(extract|dbt|audit|publish) (…|done)", x)]


def test_run_on_a_terminal_shows_its_phase_starting_and_ending(tmp_path, capfd):
    from orchestration.build.build_log import run_config
    from orchestration.definitions import build_definitions

    inbox = _inbox_of(tmp_path / "inbox", "nantong_culture_2023.pdf")
    log = tmp_path / "build.log"
    definitions = build_definitions(_settings(tmp_path, inbox))
    with dg.instance_for_test() as instance:
        instance.add_dynamic_partitions("fiscal_year", ["2023"])
        capfd.readouterr()
        result = definitions.resolve_job_def("extract_year_job").execute_in_process(
            partition_key="2023", instance=instance, run_config=run_config(log, show_phases=True)
        )
    assert result.success
    err = capfd.readouterr().err.splitlines()
    assert err[0] == "extract …" and re.fullmatch(r"extract done \(\d+\.\d s\)", err[1]), err
    assert re.search(r" - extracted_reports - STEP_SUCCESS - ", log.read_text(encoding="utf-8"))
