"""The audit rules, one SQL file each in `rules/`: a header of `-- key: value` lines, then the query.

    -- rule: execution_rate                  (the file's name without .sql)
    -- severity: warn                        (error: our data is broken, the build is not published;
                                              warn: the report does not add up, published and flagged)
    -- description: What the rule checks, one line.
    -- message: What a failing row means (audit.findings.message).
    -- expect: expect_column_values_to_be_between column=abs_diff min_value=0 max_value=0.01
    select ...

`expect` may be repeated; each names a Great Expectations expectation by its snake_case name and
gives its arguments as `key=value` (a bare word is a string; numbers, true/false/null, "quoted
strings" and [lists] are JSON). An expectation's `description=` is the message of the rows it fails,
in place of the rule's. The query returns one row per thing checked with FINDING_CONTEXT and the
columns the expectations check.

Reading the files needs no Great Expectations (slow to import): the Dagster definitions list the
rules without it; the audit turns the specs into expectations (expectations/audit.py).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

RULES_DIR = Path(__file__).parent / "rules"
SEVERITIES = ("error", "warn")
FINDING_CONTEXT = (
    "finding_key",
    "fiscal_year",
    "department_name",
    "subject",
    "source_file",
    "source_page",
    "expected_value",
    "actual_value",
)
_SINGLE_KEYS = ("rule", "severity", "description", "message")
_HEADER_LINE = re.compile(r"--\s*(?P<key>[A-Za-z_]+)\s*:\s*(?P<value>.*?)\s*")
_EXPECTATION_NAME = re.compile(r"expect_[a-z0-9_]+")
_ARGUMENT = re.compile(r'\s+(?P<key>[a-z_]+)=(?P<value>"(?:[^"\\]|\\.)*"|\[[^\]]*\]|[^\s"\[\]]+)')
_BARE_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class RuleFileError(ValueError):
    """A rule file that cannot be used, named with the reason."""

    def __init__(self, path: Path, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path = path


@dataclass(frozen=True)
class ExpectationSpec:
    name: str  # GX's snake_case name, e.g. expect_column_values_to_not_be_null
    arguments: dict[str, Any]

    @property
    def class_name(self) -> str:
        """The class in `great_expectations.expectations`: ExpectColumnValuesToNotBeNull."""
        return "".join(word.capitalize() for word in self.name.split("_"))


@dataclass(frozen=True)
class Rule:
    name: str
    severity: str  # 'error' | 'warn'
    description: str
    message: str  # what a failing row means, unless its expectation has its own description
    expectations: tuple[ExpectationSpec, ...]
    sql: str
    path: Path


def load_rules(rules_dir: Path = RULES_DIR) -> tuple[Rule, ...]:
    """Every `*.sql` rule in `rules_dir`, sorted by name."""
    paths = sorted(rules_dir.glob("*.sql"))
    if not paths:
        raise RuleFileError(rules_dir, "no rule files (*.sql)")
    return tuple(read_rule(path) for path in paths)


def read_rule(path: Path) -> Rule:
    lines = path.read_text(encoding="utf-8").splitlines()
    header_length = next((i for i, line in enumerate(lines) if not line.startswith("--")), len(lines))
    values: dict[str, str] = {}
    expectations = []
    for number, line in enumerate(lines[:header_length], start=1):
        match = _HEADER_LINE.fullmatch(line)
        if match is None:
            raise RuleFileError(path, f"line {number}: not a '-- key: value' header line: {line!r}")
        key, value = match["key"], match["value"]
        if key == "expect":
            expectations.append(_expectation_spec(path, number, value))
        elif key not in _SINGLE_KEYS:
            raise RuleFileError(path, f"line {number}: unknown header key {key!r}")
        elif key in values:
            raise RuleFileError(path, f"line {number}: header {key!r} given twice")
        elif not value:
            raise RuleFileError(path, f"line {number}: header {key!r} is empty")
        else:
            values[key] = value
    missing = [key for key in _SINGLE_KEYS if key not in values] + ([] if expectations else ["expect"])
    if missing:
        raise RuleFileError(path, f"missing header {', '.join(missing)}")
    if values["rule"] != path.stem:
        raise RuleFileError(path, f"rule {values['rule']!r} is not the file's name {path.stem!r}")
    if values["severity"] not in SEVERITIES:
        raise RuleFileError(path, f"severity {values['severity']!r} is not one of {', '.join(SEVERITIES)}")
    sql = "\n".join(lines[header_length:]).strip()
    if not sql:
        raise RuleFileError(path, "no query after the header")
    return Rule(
        name=values["rule"],
        severity=values["severity"],
        description=values["description"],
        message=values["message"],
        expectations=tuple(expectations),
        sql=sql,
        path=path,
    )


def _expectation_spec(path: Path, number: int, text: str) -> ExpectationSpec:
    name, rest = text.split(" ", 1) if " " in text else (text, "")
    rest = " " + rest if rest.strip() else ""
    if not _EXPECTATION_NAME.fullmatch(name):
        raise RuleFileError(path, f"line {number}: {name!r} is not an expectation name (expect_...)")
    arguments: dict[str, Any] = {}
    rest, position = rest.rstrip(), 0
    while position < len(rest):
        match = _ARGUMENT.match(rest, position)
        if match is None:
            raise RuleFileError(path, f"line {number}: expected key=value at {rest[position:].strip()!r}")
        key = match["key"]
        if key in arguments:
            raise RuleFileError(path, f"line {number}: argument {key!r} given twice")
        arguments[key] = _argument_value(path, number, key, match["value"])
        position = match.end()
    return ExpectationSpec(name, arguments)


def _argument_value(path: Path, number: int, key: str, text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        if _BARE_WORD.fullmatch(text):
            return text
        raise RuleFileError(path, f"line {number}: {key}={text} is neither a word nor JSON") from None
