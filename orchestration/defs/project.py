"""The dbt project as Dagster sees it. Importing this runs nothing: the manifest the dbt assets are
made from is prepared when the definitions are loaded (`prepare_manifest`), and only when missing or
stale; a deployment can ship it made beforehand (`dagster-dbt project prepare-and-package`)."""

import contextlib
import json
import os
import shutil
import tempfile
import time
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject

from orchestration.settings import DBT_PROJECT_DIR, dbt_executable

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR)


def _manifest_is_stale(project: DbtProject) -> bool:
    """No manifest yet (fresh clone), or a model, macro, seed or config changed since it was made."""
    manifest = project.manifest_path
    if not manifest.exists():
        return True
    built = manifest.stat().st_mtime
    project_dir = Path(project.project_dir)
    # The code that says how builds call dbt too: the saved parse is only reused by builds whose
    # vars and profile it was made with.
    glue = Path(__file__).resolve().parents[1] / "dbt_glue"
    sources = [project_dir / "dbt_project.yml", project_dir / "profiles.yml", *glue.glob("*.py")]
    for folder in ("models", "macros", "seeds"):
        sources.extend((project_dir / folder).rglob("*"))
    return any(p.is_file() and p.stat().st_mtime > built for p in sources)


# A parse's own folder in the target folder; one older than the age below was left by a process
# killed mid-parse (a parse takes seconds): the next parse removes it.
_PARSE_PREFIX = ".parse-"
_ABANDONED_AFTER_SECONDS = 3600


def _remove_abandoned_parses(target: Path) -> None:
    now = time.time()
    for folder in target.glob(f"{_PARSE_PREFIX}*"):
        with contextlib.suppress(OSError):  # gone already, or removed by another process's parse
            if now - folder.stat().st_mtime > _ABANDONED_AFTER_SECONDS:
                shutil.rmtree(folder)


def prepare_manifest(project: DbtProject = dbt_project) -> None:
    """`dbt parse` when the manifest is missing or stale (as dagster-dbt's own preparer runs it, with
    the dbt beside this interpreter: an un-activated virtualenv has none on PATH).

    With the vars and database path every whole build gives dbt (dbt_glue/runner.py): the parse
    saved beside the manifest is then valid for the first build of any data folder, which starts
    from it instead of parsing the whole project.

    dbt parses into a folder of its own, and its two files replace the project's only when it has
    finished: a build stopped mid-parse (Ctrl-C, a kill) leaves the last whole manifest, which is
    then stale and parsed again, never a half-written one every later build would fail to read."""
    if not _manifest_is_stale(project):
        return
    from orchestration.dbt_glue.in_child import child_environment
    from orchestration.dbt_glue.runner import PARTIAL_PARSE_FILE, RELATIVE_VARS, environment_while_starting

    dbt = DbtCliResource(project_dir=project, dbt_executable=dbt_executable())
    target = project.manifest_path.parent
    target.mkdir(parents=True, exist_ok=True)
    _remove_abandoned_parses(target)
    # dagster-dbt starts it from the project's saved parse (its DbtCliInvocation copies it in).
    parsing = Path(tempfile.mkdtemp(prefix=_PARSE_PREFIX, dir=target))
    try:
        # The database path the builds' dbt child gets in its profile (the parse opens no database).
        build_db = child_environment(Path(project.project_dir), parsing)["SELFEVAL_BUILD_DB"]
        with environment_while_starting({"SELFEVAL_BUILD_DB": build_db}):
            args = ["parse", "--quiet", "--vars", json.dumps(RELATIVE_VARS)]
            invocation = dbt.cli(args, target_path=parsing)
        invocation.wait()
        # The manifest last: its time says the saved parse beside it is current.
        for name in (PARTIAL_PARSE_FILE, project.manifest_path.name):
            os.replace(parsing / name, target / name)
    finally:
        shutil.rmtree(parsing, ignore_errors=True)
