"""What an audit rule found, as plain values: the audit (expectations.audit, which imports Great
Expectations) makes them, and the build process, which never imports it, reads them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class RuleResult:
    rule: str
    severity: str
    description: str
    checked_rows: int
    failing_rows: int
    metrics: dict = field(default_factory=dict)
    # The first failing rows, JSON-ready (what a build's asset check shows); empty where not asked for.
    sample: tuple[dict[str, Any], ...] = ()

    @property
    def success(self) -> bool:
        return self.failing_rows == 0


def blocking(rules: Iterable[RuleResult]) -> tuple[RuleResult, ...]:
    """Failed error-severity rules: the build must not be published."""
    return tuple(r for r in rules if r.severity == "error" and not r.success)
