"""dbt run through its programmatic API in a forked child (orchestration/dbt_glue/in_child.py)."""

import json
import multiprocessing
import shutil
import time

import duckdb
import pytest
import yaml

from orchestration.build import pipeline
from orchestration.dbt_glue import in_child
from orchestration.dbt_glue.in_child import (
    DbtOutcome,
    cancel_prestarted,
    events_of_dbt_in_child,
    prestart,
    result_events,
)
from orchestration.dbt_glue.runner import PARTIAL_PARSE_FILE, PROFILE_PLUGINS, RELATIVE_VARS, build_args
from orchestration.defs.dbt import TRANSLATOR
from orchestration.settings import DBT_PROJECT_DIR, Settings

pytestmark = pytest.mark.slow  # each test starts dbt


@pytest.fixture(scope="module")
def prepared():
    """The project's manifest and saved parse, as the definitions prepare them."""
    from orchestration.defs.project import dbt_project, prepare_manifest

    prepare_manifest()
    return dbt_project


def _list(dbt_dir, outcome):
    args = ["ls", "--resource-type", "model", "--select", "dim_report", "--vars", json.dumps(RELATIVE_VARS)]
    return list(events_of_dbt_in_child(DBT_PROJECT_DIR, dbt_dir, args, outcome))


def test_a_new_dbt_folder_starts_from_the_projects_saved_parse(prepared, tmp_path):
    shutil.copyfile(DBT_PROJECT_DIR / "target" / PARTIAL_PARSE_FILE, tmp_path / PARTIAL_PARSE_FILE)
    outcome = DbtOutcome()
    events = _list(tmp_path, outcome)
    assert outcome.success and outcome.error is None
    assert [e["info"]["msg"] for e in events if e["info"]["name"] == "PrintEvent"] == [
        "selfeval.marts.dim_report"
    ]
    # dbt says "Unable to do partial parsing because ..." when it parses the whole project
    assert "UnableToPartialParse" not in [e["info"]["name"] for e in events]


def test_without_the_saved_parse_dbt_parses_the_whole_project(prepared, tmp_path):
    # The check above can fail: with nothing to start from, dbt says so.
    names = [e["info"]["name"] for e in _list(tmp_path, DbtOutcome())]
    assert "UnableToPartialParse" in names


def test_a_failing_dbt_gives_its_first_error_and_no_success(prepared, tmp_path):
    outcome = DbtOutcome()
    list(events_of_dbt_in_child(DBT_PROJECT_DIR, tmp_path, ["run", "--select", "no_such_model_x"], outcome))
    assert outcome.success is True  # dbt: nothing selected is a warning, not a failure
    outcome = DbtOutcome()
    list(events_of_dbt_in_child(DBT_PROJECT_DIR, tmp_path, ["run", "--vars", "{not yaml"], outcome))
    assert outcome.success is False and outcome.error


def test_dbt_event_dicts_become_dagster_model_outputs(prepared, tmp_path):
    """dbt's events, as dicts, are what dagster-dbt's event class turns into Dagster events: a
    seed's result becomes the seed asset's Output (the check an upgrade of either must pass)."""
    import dagster as dg

    outcome = DbtOutcome()
    args = ["seed", "--vars", json.dumps(RELATIVE_VARS)]
    events = list(events_of_dbt_in_child(DBT_PROJECT_DIR, tmp_path, args, outcome))
    assert outcome.success, outcome.error
    [seed_result] = [e for e in events if e["info"]["name"] == "LogSeedResult"]
    manifest = json.loads(prepared.manifest_path.read_text(encoding="utf-8"))
    [output] = list(result_events(seed_result, manifest, TRANSLATOR, None, tmp_path))
    assert isinstance(output, dg.AssetMaterialization)
    assert output.asset_key == dg.AssetKey(["reference", "project_name_overrides"])
    # Built where the child worked: the dbt folder, by the profile's relative database path.
    seed = DBT_PROJECT_DIR / "seeds" / "project_name_overrides.csv"
    rows = len(seed.read_text(encoding="utf-8").splitlines()) - 1
    with duckdb.connect(str(tmp_path / "build.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from reference.project_name_overrides").fetchone() == (rows,)


def test_build_args_leave_out_dbts_unit_tests_and_give_the_vars_sorted():
    assert build_args(2, {"b": "1", "a": "2"}) == [
        "build",
        "--exclude-resource-type",
        "unit_test",
        "--threads",
        "2",
        "--vars",
        '{"a": "2", "b": "1"}',
    ]


# --- a child started ahead of its build (in_child.prestart) ----------------------------------------

SEED_ARGS = ["seed", "--vars", json.dumps(RELATIVE_VARS)]
SEED_PARSE = ["--log-level", "none", "parse", "--no-write-json", "--vars", json.dumps(RELATIVE_VARS)]


def test_a_prestarted_child_runs_the_build_on_the_manifest_it_parsed_ahead(prepared, tmp_path):
    prestart(DBT_PROJECT_DIR, tmp_path, SEED_ARGS, SEED_PARSE)
    pid = in_child._prestarted[tmp_path][2].process.pid
    outcome = DbtOutcome()
    events = list(events_of_dbt_in_child(DBT_PROJECT_DIR, tmp_path, SEED_ARGS, outcome))
    assert outcome.success, outcome.error
    assert {e["info"]["pid"] for e in events} == {pid}  # the prestarted child ran it
    assert "LogSeedResult" in [e["info"]["name"] for e in events]
    assert in_child._prestarted == {}


def test_a_prestarted_child_for_other_arguments_is_ended_not_used(prepared, tmp_path):
    prestart(DBT_PROJECT_DIR, tmp_path, ["seed", "--full-refresh"], SEED_PARSE)
    warm = in_child._prestarted[tmp_path][2]
    outcome = DbtOutcome()
    events = list(events_of_dbt_in_child(DBT_PROJECT_DIR, tmp_path, SEED_ARGS, outcome))
    assert outcome.success, outcome.error
    assert not warm.process.is_alive() and warm.process.pid not in {e["info"]["pid"] for e in events}


def test_a_prestart_for_the_same_build_keeps_the_child_already_started(prepared, tmp_path):
    prestart(DBT_PROJECT_DIR, tmp_path, SEED_ARGS, SEED_PARSE)
    warm = in_child._prestarted[tmp_path][2]
    prestart(DBT_PROJECT_DIR, tmp_path, SEED_ARGS, SEED_PARSE)
    try:
        assert in_child._prestarted[tmp_path][2] is warm and warm.process.is_alive()
    finally:
        cancel_prestarted()


def test_a_prestart_for_another_build_replaces_the_child_started(prepared, tmp_path):
    prestart(DBT_PROJECT_DIR, tmp_path, ["seed", "--full-refresh"], SEED_PARSE)
    warm = in_child._prestarted[tmp_path][2]
    prestart(DBT_PROJECT_DIR, tmp_path, SEED_ARGS, SEED_PARSE)
    try:
        assert not warm.process.is_alive() and in_child._prestarted[tmp_path][2].process.is_alive()
    finally:
        cancel_prestarted()


def test_a_build_prestarts_dbt_only_once_its_extraction_child_has_ended(prepared, tmp_path):
    settings = Settings(reports_dir=tmp_path, warehouse=tmp_path / "w.duckdb", data_dir=tmp_path / "data")
    extraction = multiprocessing.get_context("fork").Process(target=time.sleep, args=(60,))
    extraction.start()
    try:
        pipeline._prestart_dbt(settings, extraction=extraction)
        assert in_child._prestarted == {}  # not beside the extraction (its peak memory)
        extraction.kill()
        extraction.join()
        pipeline._prestart_dbt(settings, extraction=extraction)
        assert in_child._prestarted[settings.paths.dbt_dir][2].process.is_alive()
    finally:
        extraction.kill()
        cancel_prestarted()


def test_a_prestarted_child_no_build_takes_is_ended(prepared, tmp_path):
    prestart(DBT_PROJECT_DIR, tmp_path, SEED_ARGS, SEED_PARSE)
    warm = in_child._prestarted[tmp_path][2]
    cancel_prestarted()
    assert in_child._prestarted == {} and not warm.process.is_alive()


def test_the_nodes_that_failed_come_back_from_the_child(prepared, tmp_path):
    """No extracted Parquet: the staging model errs, and the child says which (no run_results.json)."""
    outcome = DbtOutcome()
    args = ["run", "--select", "stg_extracted__reports", "--no-write-json"]
    args += ["--vars", json.dumps(RELATIVE_VARS)]
    list(events_of_dbt_in_child(DBT_PROJECT_DIR, tmp_path, args, outcome))
    assert outcome.success is False
    assert [(n["unique_id"], n["status"]) for n in outcome.failed] == [
        ("model.selfeval.stg_extracted__reports", "error")
    ]
    assert "No files found" in outcome.failed[0]["message"]
    assert not (tmp_path / "run_results.json").exists()


def test_the_profiles_plugins_are_the_ones_imported_before_the_fork():
    profile = yaml.safe_load((DBT_PROJECT_DIR / "profiles.yml").read_text(encoding="utf-8"))
    plugins = [p["module"] for p in profile["selfeval"]["outputs"]["build"]["plugins"]]
    assert tuple(plugins) == PROFILE_PLUGINS
