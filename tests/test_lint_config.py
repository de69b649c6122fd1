"""`make lint`'s sqlfluff run leaves the builds' saved dbt parse alone (.sqlfluff)."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from orchestration.dbt_glue.runner import PARTIAL_PARSE_FILE
from orchestration.settings import DBT_PROJECT_DIR

pytestmark = pytest.mark.slow  # the dbt templater parses the whole project (≈ 9 s)

REPO = DBT_PROJECT_DIR.parent


def test_sqlfluffs_dbt_templater_parses_into_a_folder_of_its_own(tmp_path):
    # The templater parses with its own vars. In dbt_project/target it would replace the saved parse
    # every data folder's first build starts from (orchestration/dbt_glue/runner.py), so that every
    # build after `make lint` parsed the whole project.
    shutil.copytree(DBT_PROJECT_DIR, tmp_path / "dbt_project", ignore=shutil.ignore_patterns("target"))
    for name in (".sqlfluff", ".sqlfluffignore"):
        shutil.copyfile(REPO / name, tmp_path / name)
    model = Path("dbt_project/models/staging/stg_extracted__reports.sql")
    env = {**os.environ, "SELFEVAL_BUILD_DB": str(tmp_path / "lint.duckdb")}
    linted = subprocess.run(
        [sys.executable, "-m", "sqlfluff", "lint", str(model)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert linted.returncode == 0, linted.stdout + linted.stderr
    target = tmp_path / "dbt_project" / "target"
    assert (target / "sqlfluff" / PARTIAL_PARSE_FILE).is_file()
    assert not (target / PARTIAL_PARSE_FILE).exists()
    assert not (target / "manifest.json").exists()
