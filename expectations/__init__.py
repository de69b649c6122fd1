"""Great Expectations 1.x audit of every warehouse build (see rules.py for what is checked)."""

from .rules import RULE_NAMES, RULES


def run_audit(*args, **kwargs):
    """See audit.run_audit; imported on first use (GX is slow to import)."""
    from .audit import run_audit as _run_audit

    return _run_audit(*args, **kwargs)


__all__ = ["RULES", "RULE_NAMES", "run_audit"]
