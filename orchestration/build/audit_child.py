"""The Great Expectations audit of a build (expectations.run_audit) in a forked child.

Great Expectations and what it imports (pandas, scipy, Altair: ≈ 3.5 s of CPU, ≈ 150 MB) never
enter the build process: the child imports them, audits the build file (writing `audit.findings`
and `audit.rule_results` into it, and the Data Docs, as before), and sends back plain values, what
the build's asset checks report, then exits, giving the memory back before the evidence report's
child starts. Held by the build process, they put a 10-report build's peak at up to ≈ 515 MB
(the build process, ≈ 250 MB, and the evidence report's child at once); with the audit in its
child the peak is the audit's, ≈ 470 MB (docs/performance.md).

Not made to import Great Expectations ahead, while dbt runs (the audit would start ≈ 3 s
sooner): with dbt's child at its largest, that put a 10-report build's peak at ≈ 650 MB.
"""

from __future__ import annotations

import dataclasses
import gc
from dataclasses import dataclass
from pathlib import Path

from expectations.results import RuleResult, blocking
from expectations.rule_files import load_rules

from .forked import run_forked
from .unused_imports import leave_out, load_when_used

SAMPLE_ROWS = 10  # failing rows shown with each rule's check
SAMPLE_COLUMNS = ["subject", "source_file", "source_page", "expected_value", "actual_value"]

# Installed for other processes, imported by pandas and GX only if they are there, and used by no
# part of the audit (unused_imports.py): Arrow (the extraction's Parquet; pandas 3 would keep its
# strings in it) and shapely (rapidocr's; GX's geometry expectations). pandas.compat.pyarrow and
# great_expectations.util catch the ImportError: ≈ 40 MB less at the build's peak, the same
# findings, results and Data Docs (tests/test_audit_child.py).
UNUSED_BY_THE_AUDIT = ("pyarrow", "shapely")
# Imported by GX for expectations the audit does not use (Kolmogorov-Smirnov p-values, and the
# KL divergence's charts): ≈ 0.7 s of the audit's CPU and 75 MB if run at import (docs/performance.md).
LOADED_WHEN_USED_BY_THE_AUDIT = ("scipy.stats", "altair")


@dataclass(frozen=True)
class AuditOutcome:
    rules: tuple[RuleResult, ...]
    findings: int  # rows of audit.findings
    seconds: float
    data_docs_index: Path | None
    summary: str

    @property
    def blocking(self) -> tuple[RuleResult, ...]:
        """Failed error-severity rules: the build must not be published."""
        return blocking(self.rules)


def audit_in_child(build: Path, results_dir: Path, run_name: str) -> AuditOutcome:
    """`run_audit(build, results_dir, run_name=run_name)` in a forked child. Its exception is
    raised here as it was raised there (one that cannot be sent back as PhaseFailedError, with its
    type and message)."""
    return run_forked(_audit, build, results_dir, run_name, as_raised=True)


def _audit(build: Path, results_dir: Path, run_name: str) -> AuditOutcome:
    leave_out(UNUSED_BY_THE_AUDIT)  # before pandas is imported
    load_when_used(LOADED_WHEN_USED_BY_THE_AUDIT)  # before GX is
    # Great Expectations, and pandas: here, not in the build process. GX's import makes ≈ 1,800
    # modules' objects, all kept until the child exits: the cyclic garbage collector, left on,
    # traverses them again and again while they are made and while the audit runs (≈ 0.5 s of CPU in
    # a one-report build's ≈ 3.5 s, memory unchanged; docs/performance.md), so it waits for the
    # import and then leaves them out. The rules' rows are read first (rule_rows.py).
    gc.disable()
    try:
        from expectations.rule_rows import read_rule_rows

        rules = load_rules()
        rows = read_rule_rows(build, rules)
        from expectations.audit import run_audit
    finally:
        gc.enable()
    gc.freeze()
    return outcome_of(run_audit(build, results_dir, rules=rules, run_name=run_name, rows=rows))


def outcome_of(result) -> AuditOutcome:
    """An expectations.AuditResult as plain values (no pandas: the build process need not import it)."""
    findings = result.findings
    rules = []
    for rule in result.rules:
        rows = findings[findings["rule"] == rule.rule].head(SAMPLE_ROWS)
        sample = [
            {k: (None if v != v else v) for k, v in row.items()}  # NaN -> None for JSON
            for row in rows[SAMPLE_COLUMNS].astype(object).to_dict("records")
        ]
        rules.append(dataclasses.replace(rule, sample=tuple(sample)))
    return AuditOutcome(tuple(rules), len(findings), result.seconds, result.data_docs_index, result.summary())
