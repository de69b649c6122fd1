"""Great Expectations 1.x audit of every warehouse build (see rules.py for what is checked)."""

from .audit import AuditResult, RuleResult, run_audit
from .rules import RULE_NAMES, RULES

__all__ = ["RULES", "RULE_NAMES", "AuditResult", "RuleResult", "run_audit"]
