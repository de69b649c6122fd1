"""Great Expectations 1.x audit of every warehouse build: one SQL file per rule (see rule_files.py)."""

from .rule_files import Rule, RuleFileError, load_rules


def run_audit(*args, **kwargs):
    """See audit.run_audit; imported on first use (GX is slow to import)."""
    from .audit import run_audit as _run_audit

    return _run_audit(*args, **kwargs)


__all__ = ["Rule", "RuleFileError", "load_rules", "run_audit"]
