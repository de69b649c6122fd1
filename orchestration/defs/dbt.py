"""dbt models as Dagster assets; dbt sources map to the extraction asset, so lineage is one graph."""

import json
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets

from orchestration.build import quarantine, rejections
from orchestration.dbt_glue.runner import DbtBuildError, dbt_build
from orchestration.defs.project import dbt_project
from orchestration.defs.resources import BuildLock, SelfevalPaths
from orchestration.settings import Paths


class SelfevalTranslator(DagsterDbtTranslator):
    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            # Every dbt source is a table the extraction asset writes.
            return dg.AssetKey(["extracted", dbt_resource_props["name"]])
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return "warehouse"


TRANSLATOR = SelfevalTranslator()


def build_path(paths: Paths, run_id: str) -> Path:
    """Each run builds a new file; only the publish step puts it where readers look."""
    return paths.build_dir / f"{run_id}.duckdb"


def remove_build(build: Path) -> None:
    """A build that cannot be completed (full disk): none of it stays behind."""
    for leftover in (build, build.with_name(f"{build.name}.wal")):
        leftover.unlink(missing_ok=True)


def _drop_stale_builds(build_dir: Path, instance: dg.DagsterInstance) -> None:
    """Remove builds of runs that are no longer in progress (crashed, killed or refused: never
    published). This run holds the data folder's build lock (BuildLock), which every run writing
    here holds for its whole run, so no other live process is writing a build now; a run this
    instance still sees in progress is left alone all the same."""
    for stale in build_dir.glob("*.*"):  # <run id>.duckdb, .duckdb.wal, .dbt (dbt's target folder)
        run = instance.get_run_by_id(stale.name.split(".")[0])
        if run is None or run.is_finished:
            if stale.is_dir():
                shutil.rmtree(stale, ignore_errors=True)
            else:
                stale.unlink(missing_ok=True)


def warehouse_models_asset() -> dg.AssetsDefinition:
    """The dbt models, from the manifest `project.prepare_manifest` made (read here, not at import)."""

    @dbt_assets(manifest=dbt_project.manifest_path, dagster_dbt_translator=TRANSLATOR)
    def warehouse_models(
        context: dg.AssetExecutionContext, paths: SelfevalPaths, build_lock: BuildLock, dbt: DbtCliResource
    ):
        p = paths.paths()
        build = build_path(p, context.op_execution_context.run_id)
        build.parent.mkdir(parents=True, exist_ok=True)
        _drop_stale_builds(build.parent, context.instance)
        p.extracted_dir.mkdir(parents=True, exist_ok=True)
        rejections.ensure(p.rejected_dir)
        # The sources read these folders (var(), see models/staging/_extracted__sources.yml).
        folders = {"extracted_dir": str(p.extracted_dir), "rejected_dir": str(p.rejected_dir)}
        manifest = json.loads(dbt_project.manifest_path.read_text(encoding="utf-8"))
        try:
            yield from dbt_build(
                context,
                dbt,
                p.dbt_dir,
                build,
                folders,
                threads=paths.dbt_threads,
                manifest=manifest,
                translator=TRANSLATOR,
            )
        except DbtBuildError as exc:
            # The reports whose rows failed a test are left out of the next build (build/quarantine.py).
            failing = quarantine.reports_failing_tests(build, manifest, exc.failed_tests)
            for name in quarantine.quarantine(p.rejected_dir, build, failing):
                context.log.warning(f"{name}: quarantined, its rows fail a dbt test")
            raise

    return warehouse_models
