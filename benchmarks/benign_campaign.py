"""Benign campaign: good reports passed through publishing tools load with the same records, never rejected.

    uv run python benchmarks/benign_campaign.py [--seed 1] [--count 200] [--keep DIR] [--verbose]

The counterpart of mutation_campaign.py (same size, same outcomes): each variant is one committed
fixture (tests/fixtures/pdfs, tests/fixtures/projects) passed through one tool of
tests/lib/benign_variants.py — rewritten by qpdf, mutool, pdftk or pikepdf, merged by pypdf or pdftk,
encrypted with an owner password, sealed (pypdf incremental stamp) or signed (pyHanko), bytes after
%%EOF, cross-reference offsets a few bytes off — the kinds in turn, the fixture at random. Kinds
whose tool is not installed are skipped (listed). Each is read as `selfeval build` reads a file.
Outcomes as in mutation_campaign.py; `rejected` and `loaded-and-wrong` must both be 0 (exit 1
otherwise), except for Ghostscript's re-distilled files, whose text layer may break (OCR's case),
reported on their own row and not counted.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
from collections import Counter
from dataclasses import asdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from extract import ReportError
from extract.guarded import Limits, read_reports
from tests.lib import benign_variants

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures"
OUTCOMES = ("loaded-and-equal", "loaded-and-flagged", "rejected", "loaded-and-wrong")


# A rewriter may re-express coordinates (Ghostscript moves a row's box by 0.004 pt): boxes are
# compared to the nearest point, everything else exactly.


def records(result) -> dict:
    """What the warehouse loads from a file, minus its identity; provenance's pages exactly, its
    boxes to the nearest point."""
    doc = asdict(result)
    for key in ("source_file", "sha256", "page_count", "integrity_warnings"):
        doc.pop(key, None)
    pending: list = [doc]
    while pending:
        value = pending.pop()
        if isinstance(value, dict):
            if isinstance(value.get("bbox"), tuple):
                value["bbox"] = tuple(round(v) for v in value["bbox"])
            pending.extend(value.values())
        elif isinstance(value, list | tuple):
            pending.extend(value)
    return doc


def classify(result, original) -> str:
    if isinstance(result, ReportError):
        return "rejected"
    if records(result) != records(original):
        return "loaded-and-wrong"
    return "loaded-and-flagged" if result.integrity_warnings else "loaded-and-equal"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--keep", metavar="DIR", help="write the variants here and keep them")
    parser.add_argument("--verbose", action="store_true", help="one line per variant")
    args = parser.parse_args(argv)
    kinds = [kind for kind in benign_variants.KINDS if benign_variants.missing_tool(kind) is None]
    skipped = sorted(set(benign_variants.KINDS) - set(kinds))
    sources = sorted([*FIXTURES.glob("pdfs/*.pdf"), *FIXTURES.glob("projects/*.pdf")])
    rng = random.Random(args.seed)
    limits = Limits(seconds=120, memory_mb=2048)
    originals = dict(read_reports(sources, limits=limits))
    by_kind: dict[str, Counter] = {kind: Counter() for kind in kinds}
    failures = 0
    with tempfile.TemporaryDirectory(prefix="benign-") as scratch:
        work = Path(args.keep) if args.keep else Path(scratch)
        work.mkdir(parents=True, exist_ok=True)
        made: dict[Path, tuple[str, Path]] = {}
        for i in range(args.count):
            kind, source = kinds[i % len(kinds)], rng.choice(sources)
            target = work / f"{i:03d}_{source.stem}__{kind}.pdf"
            try:
                benign_variants.make(kind, source, target)
            except Exception as exc:  # the tool could not make this variant: said, not counted
                print(f"not made: {target.name}: {type(exc).__name__}: {str(exc)[:120]}")
                continue
            made[target] = (kind, source)
        for path, result in read_reports(list(made), limits=limits):
            kind, source = made[path]
            outcome = classify(result, originals[source])
            by_kind[kind][outcome] += 1
            counted = kind not in benign_variants.REDISTILLED
            failures += counted and outcome in ("rejected", "loaded-and-wrong")
            if args.verbose or outcome in ("rejected", "loaded-and-wrong"):
                detail = f": {result}" if isinstance(result, ReportError) else ""
                print(f"{outcome}{'' if counted else ' (re-distilled)'}: {path.name}{detail}")
    print(
        f"seed {args.seed}, {sum(map(sum, (c.values() for c in by_kind.values())))} benign variants "
        f"of {len(sources)} fixture PDFs; tools missing: {', '.join(skipped) or 'none'}"
    )
    print(f"| kind | {' | '.join(OUTCOMES)} |")
    print(f"|---|{'---:|' * len(OUTCOMES)}")
    for kind, counts in by_kind.items():
        note = " (re-distilled: OCR's case, not counted)" if kind in benign_variants.REDISTILLED else ""
        print(f"| {kind}{note} | {' | '.join(str(counts[o]) for o in OUTCOMES)} |")
    counted = [c for k, c in by_kind.items() if k not in benign_variants.REDISTILLED]
    print(f"| **all counted** | {' | '.join(str(sum(c[o] for c in counted)) for o in OUTCOMES)} |")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
