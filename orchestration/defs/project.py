"""The dbt project as Dagster sees it. Importing this runs nothing: the manifest the dbt assets are
made from is prepared when the definitions are loaded (`prepare_manifest`), and only when missing or
stale; a deployment can ship it made beforehand (`dagster-dbt project prepare-and-package`)."""

from dagster_dbt import DbtCliResource, DbtProject

from orchestration.settings import DBT_PROJECT_DIR, dbt_executable

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR)


def _manifest_is_stale() -> bool:
    """No manifest yet (fresh clone), or a model, macro, seed or config changed since it was made."""
    manifest = dbt_project.manifest_path
    if not manifest.exists():
        return True
    built = manifest.stat().st_mtime
    sources = [DBT_PROJECT_DIR / "dbt_project.yml", DBT_PROJECT_DIR / "profiles.yml"]
    for folder in ("models", "macros", "seeds"):
        sources.extend((DBT_PROJECT_DIR / folder).rglob("*"))
    return any(p.is_file() and p.stat().st_mtime > built for p in sources)


def prepare_manifest() -> None:
    """`dbt parse` when the manifest is missing or stale (as dagster-dbt's own preparer runs it, with
    the dbt beside this interpreter: an un-activated virtualenv has none on PATH)."""
    if _manifest_is_stale():
        dbt = DbtCliResource(project_dir=dbt_project, dbt_executable=dbt_executable())
        dbt.cli(["parse", "--quiet"], target_path=dbt_project.target_path).wait()
