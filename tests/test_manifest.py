"""The project's manifest and saved parse (orchestration/defs/project.py: prepare_manifest)."""

import json
import os
import shutil
import time

import pytest
from dagster_dbt import DbtProject

from orchestration.dbt_glue.runner import PARTIAL_PARSE_FILE
from orchestration.defs import project as project_module
from orchestration.defs.project import prepare_manifest
from orchestration.settings import DBT_PROJECT_DIR


@pytest.fixture
def copied_project(tmp_path):
    """The dbt project as a fresh clone has it: no manifest, no saved parse."""
    shutil.copytree(DBT_PROJECT_DIR, tmp_path / "dbt_project", ignore=shutil.ignore_patterns("target"))
    return DbtProject(project_dir=tmp_path / "dbt_project")


class _StoppedParse(BaseException):
    """As Ctrl-C or a kill stops a parse: not an error dbt reports."""


def test_a_parse_stopped_while_writing_leaves_no_manifest(copied_project, monkeypatch):
    def stopped_while_writing(self, args, target_path, **kwargs):
        (target_path / PARTIAL_PARSE_FILE).write_bytes(b"\x85")
        (target_path / "manifest.json").write_text('{"metadata": {"dbt_schema_vers', encoding="utf-8")
        raise _StoppedParse

    monkeypatch.setattr(project_module.DbtCliResource, "cli", stopped_while_writing)
    with pytest.raises(_StoppedParse):
        prepare_manifest(copied_project)

    target = copied_project.manifest_path.parent
    assert sorted(p.name for p in target.iterdir()) == []  # nothing half-written, no parse folder left
    assert project_module._manifest_is_stale(copied_project)  # so the next build parses again


def test_a_parse_folder_left_by_a_killed_process_goes_with_the_next_parse(copied_project, monkeypatch):
    target = copied_project.manifest_path.parent
    abandoned, running = target / ".parse-abandoned", target / ".parse-running"
    for folder in (abandoned, running):
        folder.mkdir(parents=True)
        (folder / "manifest.json").write_text("{", encoding="utf-8")
    hours_ago = time.time() - 2 * 3600
    os.utime(abandoned, (hours_ago, hours_ago))

    def stopped(self, args, target_path, **kwargs):
        raise _StoppedParse

    monkeypatch.setattr(project_module.DbtCliResource, "cli", stopped)
    with pytest.raises(_StoppedParse):
        prepare_manifest(copied_project)

    assert sorted(p.name for p in target.iterdir()) == [".parse-running"]  # another process's, in use


@pytest.mark.slow  # runs `dbt parse`
def test_a_whole_parse_replaces_the_manifest_and_saved_parse_together(copied_project):
    prepare_manifest(copied_project)

    target = copied_project.manifest_path.parent
    assert sorted(p.name for p in target.iterdir()) == ["manifest.json", PARTIAL_PARSE_FILE]
    manifest = json.loads(copied_project.manifest_path.read_text(encoding="utf-8"))
    assert "model.selfeval.fct_spend" in manifest["nodes"]
    assert (target / PARTIAL_PARSE_FILE).stat().st_mtime <= copied_project.manifest_path.stat().st_mtime
    assert not project_module._manifest_is_stale(copied_project)
