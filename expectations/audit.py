"""Run the audit rules (rules/*.sql) with Great Expectations on DataFrames read from a new build.

GX runs in an ephemeral context over a pandas datasource, one whole-DataFrame batch per rule (GX's
SQLAlchemy path to DuckDB is broken, and dagster-ge is GX<1). Every failing row becomes a row of
`audit.findings` in the build file; results are also kept as JSON and a Data Docs site.
"""

from __future__ import annotations

import html
import json
import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import great_expectations as gx
import pandas as pd
from great_expectations.data_context.types.base import (
    DataContextConfig,
    InMemoryStoreBackendDefaults,
    ProgressBarsConfig,
)

from .lib.offline_docs import make_offline
from .results import RuleResult, blocking
from .rule_files import ExpectationSpec, Rule, RuleFileError, load_rules
from .rule_rows import read_rule_rows

FINDING_COLUMNS = {
    "rule": "varchar",
    "severity": "varchar",
    "fiscal_year": "integer",
    "department_name": "varchar",
    "subject": "varchar",
    "source_file": "varchar",
    "source_page": "integer",
    "expected_value": "varchar",
    "actual_value": "varchar",
    "message": "varchar",
    # The checked row's key (spend_id, indicator_id, ...): the evidence report finds its printed box by it.
    "finding_key": "varchar",
}


@dataclass(frozen=True)
class AuditResult:
    rules: tuple[RuleResult, ...]
    findings: pd.DataFrame
    seconds: float
    results_json: Path | None = None
    data_docs_index: Path | None = None

    @property
    def blocking(self) -> tuple[RuleResult, ...]:
        """Failed error-severity rules: the build must not be published."""
        return blocking(self.rules)

    def summary(self) -> str:
        failed = [f"{r.rule}={r.failing_rows}" for r in self.rules if not r.success]
        return "all rules pass" if not failed else "findings: " + ", ".join(failed)


def _gx_context(docs_dir: Path | None):
    """An in-memory context whose one Data Docs site is the audit's (under `docs_dir`; none if None).

    Made from its whole configuration at once: `get_context(mode="ephemeral")` would add a second
    site, built into a temporary folder by every `build_data_docs()` and never removed (half the
    Data Docs' time, and a site left in /tmp by every build), and each setting changed afterwards
    is saved again as YAML."""
    # GX's progress bars and info logs would swamp every build's output.
    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    sites = {}
    if docs_dir is not None:
        sites["audit"] = {
            "class_name": "SiteBuilder",
            "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(docs_dir)},
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        }
    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
        data_docs_sites=sites,
        progress_bars=ProgressBarsConfig(globally=False),
    )
    return gx.get_context(project_config=config, mode="ephemeral")


# How a failing row is named in the Data Docs (GX lists these columns of each one); finding_key,
# last, is how the row is found again in the frame.
FINDING_NAME_COLUMNS = ["department_name", "source_file", "source_page", "subject", "finding_key"]


def run_audit(
    build_db: str | Path,
    out_dir: str | Path | None = None,
    rules: tuple[Rule, ...] | None = None,
    run_name: str = "audit",
    rows: list[pd.DataFrame] | None = None,
) -> AuditResult:
    """Audit `build_db` with `rules` (default: the rule files), write `audit.findings` and
    `audit.rule_results` into it, return the result.

    `run_name` names the run in the Data Docs (the Dagster run id in builds). `rows`: the rules'
    rows, if already read from `build_db` (rule_rows.read_rule_rows).
    """
    start = time.perf_counter()
    rules = load_rules() if rules is None else rules
    # Every rule's expectations are made first: a bad rule file fails before the build is touched.
    expectations = {rule.name: [_expectation(rule, spec) for spec in rule.expectations] for rule in rules}
    run_id = gx.RunIdentifier(run_name=run_name, run_time=datetime.now(UTC))
    out = Path(out_dir) if out_dir is not None else None
    context = _gx_context(out / "data_docs" if out is not None else None)
    source = context.data_sources.add_pandas("warehouse")
    results, findings, raw = [], [], {}
    # The build file is closed while GX validates the rows, then reopened to write the audit's tables.
    frames = read_rule_rows(build_db, rules) if rows is None else rows
    for rule, frame in zip(rules, frames, strict=True):
        batch = source.add_dataframe_asset(rule.name).add_batch_definition_whole_dataframe(rule.name)
        suite = context.suites.add(gx.ExpectationSuite(name=rule.name))
        messages = {}
        for expectation in expectations[rule.name]:
            message = expectation.description or rule.message
            expectation.meta = {"rule": rule.name, "severity": rule.severity, "message": message}
            suite.add_expectation(expectation)
            messages[expectation.id] = message
        definition = context.validation_definitions.add(
            gx.ValidationDefinition(name=rule.name, data=batch, suite=suite)
        )
        shown = _escaped_for_html(frame)
        validation = definition.run(
            batch_parameters={"dataframe": shown},
            result_format={
                "result_format": "COMPLETE",
                "unexpected_index_column_names": FINDING_NAME_COLUMNS,
            },
            run_id=run_id,
        )
        raw[rule.name] = validation.to_json_dict()
        failing = _failing_rows(frame, shown, validation, rule, messages)
        findings.append(failing)
        results.append(
            RuleResult(
                rule=rule.name,
                severity=rule.severity,
                description=rule.description,
                checked_rows=len(frame),
                failing_rows=len(failing),
                metrics=_metrics(frame),
            )
        )
    del frames
    table = (
        pd.concat(findings, ignore_index=True) if findings else pd.DataFrame(columns=list(FINDING_COLUMNS))
    )
    with duckdb.connect(str(build_db)) as con:
        _write_audit_tables(con, table, results)
    results_json = docs_index = None
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        results_json = out / "validation_results.json"
        results_json.write_text(json.dumps(raw, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
        context.build_data_docs()
        make_offline(out / "data_docs", data_asset=f"{Path(build_db).name} (the build audited)")
        docs_index = out / "data_docs" / "index.html"
    return AuditResult(tuple(results), table, time.perf_counter() - start, results_json, docs_index)


def _expectation(rule: Rule, spec: ExpectationSpec) -> gx.expectations.Expectation:
    expectation_class = getattr(gx.expectations, spec.class_name, None)
    if not (
        isinstance(expectation_class, type) and issubclass(expectation_class, gx.expectations.Expectation)
    ):
        raise RuleFileError(rule.path, f"Great Expectations has no expectation {spec.name}")
    try:
        return expectation_class(**spec.arguments)
    except ValueError as exc:  # pydantic's ValidationError: an unknown or ill-typed argument
        reason = "; ".join(line.strip() for line in str(exc).splitlines()[1:])
        raise RuleFileError(rule.path, f"{spec.name}: {reason}") from None


def _escaped_for_html(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame as GX sees it: every text value HTML-escaped. GX writes the failing rows' values
    (department, project and indicator names, file names: all printed in or named by the documents)
    into its Data Docs pages as they are, so a name printing `<script>` would run in the reader's
    browser. Escaped, the pages show the text. The rules check numbers and NULLs only, so the
    outcome is the same; findings are taken from the unescaped frame, row for row."""
    shown = frame.copy()
    for column in shown.columns:
        values = shown[column]
        if values.map(lambda v: isinstance(v, str)).any():
            shown[column] = values.map(lambda v: html.escape(v) if isinstance(v, str) else v)
    return shown


def _failing_rows(
    frame: pd.DataFrame, shown: pd.DataFrame, validation, rule: Rule, messages: dict
) -> pd.DataFrame:
    parts = []
    for result in validation.results:
        if result.success:
            continue
        keys = {row["finding_key"] for row in result.result.get("unexpected_index_list") or []}
        rows = frame[shown["finding_key"].isin(keys)].copy()
        rows["message"] = messages[result.expectation_config.id]
        parts.append(rows)
    if not parts:
        return pd.DataFrame(columns=list(FINDING_COLUMNS))
    rows = pd.concat(parts, ignore_index=True)
    rows["rule"], rows["severity"] = rule.name, rule.severity
    return rows[list(FINDING_COLUMNS)]


def _metrics(frame: pd.DataFrame) -> dict:
    """Ratios a rule reports besides pass/fail (project_coverage: listed projects ÷ 项目支出)."""
    if "coverage" not in frame or not frame["coverage"].notna().any():
        return {}
    cov = frame.dropna(subset=["coverage"]).sort_values(["source_file", "subject"])  # stable JSON
    coverage = cov["coverage"].astype(float)
    return {
        "coverage_min": round(coverage.min(), 4),
        "coverage_max": round(coverage.max(), 4),
        "coverage": {
            f"{source_file} {subject}": round(value, 4)
            for source_file, subject, value in zip(cov["source_file"], cov["subject"], coverage, strict=True)
        },
    }


def _write_audit_tables(con, findings: pd.DataFrame, results: list[RuleResult]) -> None:
    con.execute("create schema if not exists audit").fetchall()
    casts = ", ".join(f"cast({c} as {t}) as {c}" for c, t in FINDING_COLUMNS.items())
    con.register("_findings", findings.astype(object).where(findings.notna(), None))
    con.execute(f"create or replace table audit.findings as select {casts} from _findings").fetchall()
    con.unregister("_findings")
    rules = pd.DataFrame(
        [
            {
                "rule": r.rule,
                "severity": r.severity,
                "description": r.description,
                "checked_rows": r.checked_rows,
                "failing_rows": r.failing_rows,
                "is_success": r.success,
                "metrics": json.dumps(r.metrics),
            }
            for r in results
        ]
    )
    con.register("_rules", rules)
    con.execute("create or replace table audit.rule_results as select * from _rules").fetchall()
    con.unregister("_rules")
    con.execute("checkpoint").fetchall()
