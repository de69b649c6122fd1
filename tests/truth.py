"""Ground truth of the committed fixture corpus, in the shape `Report.to_json_dict()` produces."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import get_args

from extract.models import READ_FLAGS, BudgetLine, Indicator, KeyTask, value_fields

FIXTURES = Path(__file__).resolve().parent / "fixtures"
PDF_DIR = FIXTURES / "pdfs"
TRUTH_DIR = FIXTURES / "truth"

# The fields extraction compares against the truth: each record's own values (extract/models.py).
BUDGET_FIELDS = tuple(k for k in value_fields(BudgetLine) if k not in READ_FLAGS)
TASK_FIELDS = tuple(k for k in value_fields(KeyTask) if k not in READ_FLAGS)
INDICATOR_FIELDS = tuple(k for k in value_fields(Indicator) if k not in READ_FLAGS)
AMOUNT_FIELDS = tuple(name for name, hint in value_fields(BudgetLine).items() if Decimal in get_args(hint))


def fixture_names() -> list[str]:
    return sorted(p.stem for p in TRUTH_DIR.glob("*.json") if (PDF_DIR / f"{p.stem}.pdf").exists())


def load_layout(name: str) -> dict:
    """How the fixture was printed (the generator's Layout), from the committed manifest."""
    return json.loads((PDF_DIR / "manifest.json").read_text(encoding="utf-8"))[name]


def load_truth(name: str) -> dict:
    return json.loads((TRUTH_DIR / f"{name}.json").read_text(encoding="utf-8"))


def expected_records(truth: dict) -> dict[str, list[dict]]:
    """Truth rows restricted to the extracted fields, amounts as Decimal."""

    def dec(v):
        return None if v is None else Decimal(v)

    budget = [
        {k: (dec(line[k]) if k in AMOUNT_FIELDS else line[k]) for k in BUDGET_FIELDS}
        for line in truth["budget_lines"]
    ]
    tasks = [{k: (list(t[k]) if k == "projects" else t[k]) for k in TASK_FIELDS} for t in truth["key_tasks"]]
    inds = [{k: i[k] for k in INDICATOR_FIELDS} for i in truth["indicators"]]
    return {"budget_lines": budget, "key_tasks": tasks, "indicators": inds}


def actual_records(report) -> dict[str, list[dict]]:
    out = {
        "budget_lines": [{k: getattr(b, k) for k in BUDGET_FIELDS} for b in report.budget_lines],
        "key_tasks": [
            {k: (list(t.projects) if k == "projects" else getattr(t, k)) for k in TASK_FIELDS}
            for t in report.key_tasks
        ],
        "indicators": [{k: getattr(i, k) for k in INDICATOR_FIELDS} for i in report.indicators],
    }
    return out


def field_diffs(expected: list[dict], actual: list[dict], limit: int = 20) -> list[str]:
    """Readable differences, row by row, field by field (for assertion messages and the accuracy table)."""
    diffs = []
    if len(expected) != len(actual):
        diffs.append(f"row count: expected {len(expected)}, got {len(actual)}")
    for n, (e, a) in enumerate(zip(expected, actual, strict=False)):
        for k in e:
            if e[k] != a[k]:
                diffs.append(f"row {n} {k}: expected {e[k]!r}, got {a[k]!r}")
    return diffs[:limit]


def field_accuracy(expected: list[dict], actual: list[dict]) -> tuple[int, int]:
    """(fields equal, fields expected); a missing or extra row counts all its fields as wrong."""
    total = sum(len(e) for e in expected)
    right = sum(1 for e, a in zip(expected, actual, strict=False) for k in e if e[k] == a[k])
    return right, max(total, sum(len(a) for a in actual))


# --- project tables (issue 16): tests/fixtures/projects, truth one object per table ---------------

PROJECTS_DIR = FIXTURES / "projects"
PROJECT_TRUTH_DIR = PROJECTS_DIR / "truth"
# What the truth files leave out: the file's hash and the records' boxes (reader-dependent).
_NOT_IN_PROJECT_TRUTH = ("sha256", "bbox")


def project_fixture_names() -> list[str]:
    return sorted(
        p.stem for p in PROJECT_TRUTH_DIR.glob("*.json") if (PROJECTS_DIR / f"{p.stem}.pdf").exists()
    )


def load_project_truth(name: str) -> list[dict]:
    """One object per table, numbers as Decimal (as printed: `100.00`, `22.5`)."""
    return table_truth("projects", name)


def project_fields(tables: list[dict]) -> dict[str, object]:
    """Every field of every table flattened to `table N.key` / `table N.funding_lines[i].key`.

    Numbers as Decimal: `100.00` and `100` are one value."""
    out: dict[str, object] = {"tables count": len(tables)}
    for n, table in enumerate(tables):
        for key, value in table.items():
            if key in _NOT_IN_PROJECT_TRUTH:
                continue
            if key in ("funding_lines", "key_tasks", "indicators"):
                out[f"table {n}.{key} count"] = len(value)
                for i, record in enumerate(value):
                    for field, v in record.items():
                        if field not in _NOT_IN_PROJECT_TRUTH:
                            out[f"table {n}.{key}[{i}].{field}"] = _number(v)
            else:
                out[f"table {n}.{key}"] = _number(value)
    return out


def _number(value):
    return Decimal(str(value)) if isinstance(value, (int, float)) and not isinstance(value, bool) else value


def project_field_accuracy(expected: list[dict], actual: list[dict]) -> tuple[int, int, list[str]]:
    """(fields right, fields expected, the differences) of one file's tables. Extra tables or rows
    show as a wrong count; fields the truth does not state (a form's unprinted ones) are not scored."""
    want, got = project_fields(expected), project_fields(actual)
    diffs = [
        f"{k}: expected {want[k]!r}, got {got.get(k, '<missing>')!r}" for k in want if got.get(k) != want[k]
    ]
    return len(want) - len(diffs), len(want), diffs


def table_truth(kind: str, stem: str) -> list[dict]:
    """The truth of `tests/fixtures/<kind>/<stem>.pdf` (projects or departments), numbers as Decimal."""
    return json.loads((FIXTURES / kind / "truth" / f"{stem}.json").read_text("utf-8"), parse_float=Decimal)


def as_read(result, source_file: str) -> list[dict]:
    """A file of tables as its JSON prints them, numbers as Decimal, each table named `source_file`
    (a copy's own file name is not a reading: compared with the truth of the file it was made from)."""
    tables = json.loads(json.dumps(result.to_json_dicts(), default=str), parse_float=Decimal)
    for table in tables:
        table["source_file"] = source_file
    return tables


def record_of(result, field: str):
    """The record a field (`table N.funding_lines[i].key`, or a difference naming one) belongs to: the
    table for a table's own fields, and for a row that was not read; None for a table not read."""
    where = field.split(":")[0].split(".")
    tables = result.tables_in_order()  # as its JSON prints them, and `project_fields` numbers them
    n = int(where[0].split()[1])
    if n >= len(tables):
        return None
    table = tables[n]
    if len(where) == 1 or "[" not in where[1]:
        return table
    kind, index = where[1].split("[")
    records = getattr(table, kind)
    i = int(index.split("]")[0])
    return records[i] if i < len(records) else table
