"""OCR accuracy on held-out-like copies of every table fixture, scored as issue 28 states its bar.

    uv run python benchmarks/ocr_accuracy.py [--only STEM ...] [--no-redistilled]

Every project and department-wide table fixture (tests/fixtures/{projects,departments}/*.pdf with a
truth file) is scanned as a held-out scan is made: 200 dpi, rotated by up to 1° either way, grey
noise, a red seal over some cells, JPEG at quality 45 (tests/fixtures/generator/scans.py; angle and
seal drawn per file from a seeded generator, so every run makes the same copies). A re-distilled
copy of each (every font's ToUnicode map removed with qpdf: its text layer reads as glyph ids) and
a Ghostscript re-distilled copy (`gs -sDEVICE=pdfwrite`: a new file from another producer, read from
its text layer where it kept one) are read too, where qpdf and gs are installed.
Each copy is read by `extract.read_report` (the worker pool) and compared with its source's truth:

- numbers (every field whose truth is a number, or empty where the field holds numbers elsewhere):
  exact, at least 99%;
- short labels (text of at most 20 characters): exact, at least 95%;
- long texts (more than 20 characters): characters right (1 - edit distance / length), at least 97%;
- no wrong number without `needs_review` on its record (the table, for a table's own fields).

Files the tests already scan (SCAN_SET) are marked "tuned": the OCR was developed against them.
Prints a Markdown table; exits 1 when any bar is missed.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import extract  # noqa: E402
from extract.guarded import read_reports  # noqa: E402
from tests.fixtures.generator.scans import (  # noqa: E402
    SCAN_SET,
    Scan,
    make_ghostscript,
    make_redistilled,
    make_scan,
)
from tests.truth import as_read, project_fields, record_of, table_truth  # noqa: E402

KINDS = ("projects", "departments")
LONG_TEXT_CHARS = 20  # a text longer than this is scored by characters, not as a whole
BARS = {"numbers": 0.99, "short labels": 0.95, "long texts": 0.97}


@dataclass
class Score:
    numbers: list[int] = field(default_factory=lambda: [0, 0])  # right, scored
    short: list[int] = field(default_factory=lambda: [0, 0])
    long_chars: list[int] = field(default_factory=lambda: [0, 0])  # characters right, characters
    wrong_numbers_unflagged: list[str] = field(default_factory=list)
    wrong_unflagged: list[str] = field(default_factory=list)
    right_flagged: list[int] = field(default_factory=lambda: [0, 0])  # records read right: flagged, all

    def add(self, other: Score) -> None:
        for name in ("numbers", "short", "long_chars", "right_flagged"):
            mine, theirs = getattr(self, name), getattr(other, name)
            mine[0] += theirs[0]
            mine[1] += theirs[1]
        self.wrong_numbers_unflagged += other.wrong_numbers_unflagged
        self.wrong_unflagged += other.wrong_unflagged


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance: insertions, deletions and substitutions of one character each."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def _flagged(result: extract.ProjectFile, key: str) -> bool:
    """Whether the record of a field key needs review (the table's flag for a row not read; a table
    not read is not flagged)."""
    return bool(getattr(record_of(result, key), "needs_review", False))


def _number_fields() -> set[str]:
    """The fields that hold a number in any table fixture's truth (all of them, whichever are scored:
    an empty one is scored as a number, the same in a run of one fixture as in a run of all)."""
    return {
        key.rsplit(".", 1)[-1]
        for kind in KINDS
        for path in (ROOT / "tests/fixtures" / kind / "truth").glob("*.json")
        for key, value in project_fields(table_truth(kind, path.stem)).items()
        if isinstance(value, Decimal | int) and not isinstance(value, bool)
    }


def score(truth: list[dict], result: extract.ProjectFile, source_file: str, number_fields: set[str]) -> Score:
    want, got = project_fields(truth), project_fields(as_read(result, source_file))
    out = Score()
    records: dict[str, list[str]] = {}  # record (`table N` or `table N.indicators[i]`) -> its field keys
    for key, expected in want.items():
        actual = got.get(key, "<missing>")
        name = key.rsplit(".", 1)[-1]
        is_number = (isinstance(expected, Decimal | int) and not isinstance(expected, bool)) or (
            expected is None and name in number_fields
        )
        right = actual == expected
        record = key.split("]", 1)[0] + "]" if "[" in key.split(".", 1)[-1] else key.split(".", 1)[0]
        if key != "tables count":  # the file's own field, no table's
            records.setdefault(record, []).append(key if right else "")
        if is_number or key.endswith(" count"):
            out.numbers[0] += right
            out.numbers[1] += 1
        elif isinstance(expected, str) and len(expected) > LONG_TEXT_CHARS:
            text = actual if isinstance(actual, str) else ""
            out.long_chars[0] += max(0, len(expected) - edit_distance(expected, text))
            out.long_chars[1] += len(expected)
        else:
            out.short[0] += right
            out.short[1] += 1
        if not right and not _flagged(result, key):
            line = f"{key}: expected {expected!r}, got {actual!r}"
            out.wrong_unflagged.append(line)
            if is_number:
                out.wrong_numbers_unflagged.append(line)
    for keys in records.values():
        if all(keys):  # every field of the record read right
            out.right_flagged[0] += _flagged(result, keys[0])
            out.right_flagged[1] += 1
    return out


def _copies(folder: Path, only: list[str], redistilled: bool) -> dict[Path, tuple[str, str, Path]]:
    """{copy: (kind of copy, source stem, truth file)} for every table fixture."""
    tuned = {scan.source.stem for scan in SCAN_SET}
    out = {}
    for kind in KINDS:
        for truth in sorted((ROOT / "tests/fixtures" / kind / "truth").glob("*.json")):
            source = truth.parent.parent / f"{truth.stem}.pdf"
            if not source.exists() or (only and truth.stem not in only):
                continue
            label = f"{kind}/{truth.stem}" + (" (tuned)" if truth.stem in tuned else "")
            rng = np.random.default_rng(sum(truth.stem.encode()))
            scan = Scan(
                f"{kind}_{truth.stem}_scan",
                source,
                200,
                round(float(rng.uniform(-1.0, 1.0)), 2),
                (float(rng.uniform(0.2, 0.8)), float(rng.uniform(0.2, 0.8))),
                quality=45,
                seed=int(rng.integers(1 << 16)),
            )
            out[make_scan(scan, folder)] = ("scan", label, truth)
            if redistilled:
                copy = make_redistilled(f"{kind}_{truth.stem}_redistilled", source, folder)
                out[copy] = ("re-distilled", label, truth)
            if redistilled and shutil.which("gs"):
                copy = make_ghostscript(f"{kind}_{truth.stem}_gs", source, folder)
                out[copy] = ("Ghostscript", label, truth)
    return out


def _pct(pair: list[int]) -> str:
    return f"{pair[0]}/{pair[1]} ({100 * pair[0] / pair[1]:.1f}%)" if pair[1] else "-"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", default=[], help="fixture stems to score (default: all)")
    parser.add_argument("--no-redistilled", action="store_true", help="scans only (no qpdf or gs needed)")
    args = parser.parse_args()
    redistilled = not args.no_redistilled and shutil.which("qpdf") is not None
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        copies = _copies(Path(tmp), args.only, redistilled)
        truths = {p: table_truth(t.parent.parent.name, t.stem) for p, (_, _, t) in copies.items()}
        number_fields = _number_fields()
        rows, total, failed = [], Score(), []
        for path, result in sorted(read_reports(list(copies)), key=lambda item: str(item[0])):
            kind, label, truth_file = copies[path]
            if not isinstance(result, extract.ProjectFile):
                failed.append(f"{label} {kind}: {result}")
                continue
            s = score(truths[path], result, f"{truth_file.stem}.pdf", number_fields)
            s.wrong_unflagged = [f"{label} {kind}: {line}" for line in s.wrong_unflagged]
            s.wrong_numbers_unflagged = [f"{label} {kind}: {line}" for line in s.wrong_numbers_unflagged]
            total.add(s)
            rows.append(
                f"| {label} | {kind} | {len(result.ocr_pages)} | {_pct(s.numbers)} | {_pct(s.short)} | "
                f"{_pct(s.long_chars)} | {len(s.wrong_numbers_unflagged)} | {len(s.wrong_unflagged)} |"
            )
    print(
        "| fixture | copy | OCR pages | numbers exact | short labels exact | long-text characters "
        "| wrong numbers unflagged | wrong fields unflagged |"
    )
    print("|---|---|---|---|---|---|---|---|")
    print("\n".join(rows))
    print(
        f"| **all** | | | {_pct(total.numbers)} | {_pct(total.short)} | {_pct(total.long_chars)} | "
        f"{len(total.wrong_numbers_unflagged)} | {len(total.wrong_unflagged)} |"
    )
    print(f"\nrecords read right but flagged (needs_review): {_pct(total.right_flagged)}")
    for line in failed:
        print(f"\nnot read as a table file: {line}")
    for line in total.wrong_unflagged:
        print(f"- unflagged: {line}")
    missed = [
        f"{name} {pair[0] / pair[1]:.3f} < {BARS[name]}"
        for name, pair in (
            ("numbers", total.numbers),
            ("short labels", total.short),
            ("long texts", total.long_chars),
        )
        if pair[1] and pair[0] / pair[1] < BARS[name]
    ]
    if total.wrong_numbers_unflagged:
        missed.append(f"{len(total.wrong_numbers_unflagged)} wrong numbers without needs_review")
    missed += [f"not read: {line}" for line in failed]
    print(
        f"\n{len(copies)} copies in {time.perf_counter() - started:.0f} s; "
        + ("bars met" if not missed else "MISSED: " + "; ".join(missed))
    )
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
