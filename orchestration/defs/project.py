"""The dbt project as Dagster sees it. Importing this runs nothing: the manifest the dbt assets are
made from is prepared when the definitions are loaded (`prepare_manifest`), and only when missing or
stale; a deployment can ship it made beforehand (`dagster-dbt project prepare-and-package`)."""

import json
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject

from orchestration.settings import DBT_PROJECT_DIR, dbt_executable

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR)


def _manifest_is_stale() -> bool:
    """No manifest yet (fresh clone), or a model, macro, seed or config changed since it was made."""
    manifest = dbt_project.manifest_path
    if not manifest.exists():
        return True
    built = manifest.stat().st_mtime
    # The code that says how builds call dbt too: the saved parse is only reused by builds whose
    # vars and profile it was made with.
    glue = Path(__file__).resolve().parents[1] / "dbt_glue"
    sources = [DBT_PROJECT_DIR / "dbt_project.yml", DBT_PROJECT_DIR / "profiles.yml", *glue.glob("*.py")]
    for folder in ("models", "macros", "seeds"):
        sources.extend((DBT_PROJECT_DIR / folder).rglob("*"))
    return any(p.is_file() and p.stat().st_mtime > built for p in sources)


def prepare_manifest() -> None:
    """`dbt parse` when the manifest is missing or stale (as dagster-dbt's own preparer runs it, with
    the dbt beside this interpreter: an un-activated virtualenv has none on PATH).

    With the vars and database path every whole build gives dbt (dbt_glue/runner.py): the parse
    saved beside the manifest is then valid for the first build of any data folder, which starts
    from it instead of parsing the whole project."""
    if _manifest_is_stale():
        from orchestration.dbt_glue.in_child import child_environment
        from orchestration.dbt_glue.runner import RELATIVE_VARS, environment_while_starting

        dbt = DbtCliResource(project_dir=dbt_project, dbt_executable=dbt_executable())
        target = Path(dbt_project.target_path)
        env = {"SELFEVAL_BUILD_DB": child_environment(DBT_PROJECT_DIR, target)["SELFEVAL_BUILD_DB"]}
        with environment_while_starting(env):
            args = ["parse", "--quiet", "--vars", json.dumps(RELATIVE_VARS)]
            invocation = dbt.cli(args, target_path=target)
        invocation.wait()
