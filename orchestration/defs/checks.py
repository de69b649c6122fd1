"""The Great Expectations audit of each build (in a child: build/audit_child.py): one asset check per
rule, error rules blocking publish."""

import shutil

import dagster as dg
import duckdb

from expectations import load_rules
from orchestration.build import quarantine
from orchestration.build.audit_child import audit_in_child
from orchestration.build.disk_full import DiskFullError, is_disk_full, written_file
from orchestration.defs.dbt import build_path, remove_build
from orchestration.defs.resources import BuildLock, SelfevalPaths

AUDIT = dg.AssetKey("warehouse_audit")


def prune_audit_dirs(audit_dir, keep: int) -> None:
    """Audit results of the newest runs are kept; older ones (and those of killed runs) go."""
    if not audit_dir.exists():
        return
    runs = sorted(
        (d for d in audit_dir.iterdir() if d.is_dir()), key=lambda d: d.stat().st_mtime, reverse=True
    )
    for old in runs[keep:]:
        shutil.rmtree(old, ignore_errors=True)


def warehouse_audit_asset(dbt_models: dg.AssetsDefinition) -> dg.AssetsDefinition:
    """The audit, downstream of every dbt model (made, like them, when the definitions load)."""
    return dg.asset(
        key=AUDIT,
        deps=[dbt_models],
        group_name="audit",
        kinds={"great_expectations"},
        check_specs=[
            dg.AssetCheckSpec(
                name=rule.name, asset=AUDIT, description=rule.description, blocking=rule.severity == "error"
            )
            for rule in load_rules()
        ],
        description="Audit of the new build (audit.findings); error-severity rules block publishing.",
    )(_audit_build)


def _audit_build(context: dg.AssetExecutionContext, paths: SelfevalPaths, build_lock: BuildLock):
    p = paths.paths()
    build = build_path(p, context.op_execution_context.run_id)
    run_id = context.op_execution_context.run_id
    prune_audit_dirs(p.audit_dir, keep=paths.audit_runs_kept - 1)  # this run's makes it the setting
    results_dir = p.audit_dir / run_id
    try:
        result = audit_in_child(build, results_dir, run_id)
    except Exception as exc:
        if not is_disk_full(exc):
            raise
        # Half-written audit tables and Data Docs: neither stays behind.
        remove_build(build)
        shutil.rmtree(results_dir, ignore_errors=True)
        written = written_file(exc, build if isinstance(exc, duckdb.Error) else results_dir)
        raise DiskFullError(written) from exc
    if result.blocking:  # those reports are left out of the next build (orchestration/build/quarantine.py)
        failing = quarantine.reports_failing_audit(build, [r.rule for r in result.blocking])
        for name in quarantine.quarantine(p.rejected_dir, build, failing):
            context.log.warning(f"{name}: quarantined, its rows fail a blocking audit rule")
    for rule in result.rules:
        yield dg.AssetCheckResult(
            check_name=rule.rule,
            passed=rule.success,
            severity=dg.AssetCheckSeverity.ERROR if rule.severity == "error" else dg.AssetCheckSeverity.WARN,
            metadata={
                "failing_rows": rule.failing_rows,
                "checked_rows": rule.checked_rows,
                "sample": dg.MetadataValue.json(list(rule.sample)),
                **({"metrics": dg.MetadataValue.json(rule.metrics)} if rule.metrics else {}),
            },
        )
    yield dg.MaterializeResult(
        metadata={
            "findings": result.findings,
            "blocking_rules": dg.MetadataValue.json([r.rule for r in result.blocking]),
            "seconds": round(result.seconds, 2),
            "data_docs": dg.MetadataValue.path(str(result.data_docs_index)),
            "summary": result.summary,
        }
    )
