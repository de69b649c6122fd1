"""The dbt project as Dagster sees it; its manifest is (re)made on load when missing or stale."""

import os
import subprocess

from dagster_dbt import DbtProject

from orchestration.lib.settings import BUILD_DATABASE, DBT_PROJECT_DIR, apply_defaults, dbt_executable

apply_defaults()
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


if _manifest_is_stale():
    # `dbt parse` writes target/manifest.json; the profile is not connected to. Parsed with the
    # database path builds use, so the first build reuses this parse (lib/dbt_runner.py).
    subprocess.run(
        [
            dbt_executable(),
            "parse",
            "--project-dir",
            str(DBT_PROJECT_DIR),
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
            "--quiet",
        ],
        check=True,
        env={**os.environ, "SELFEVAL_BUILD_DB": BUILD_DATABASE},
    )
