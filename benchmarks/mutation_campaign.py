"""Mutation campaign: damaged copies of the sample reports are loaded right or rejected, never wrong.

    uv run python benchmarks/mutation_campaign.py [--seed 1] [--count 200] [--keep DIR] [--verbose]

Each mutant is one sample PDF damaged once — truncated, a bit or byte flipped, an object deleted, a
stream zeroed, or its page tree edited in place: a page deleted (its object left behind),
duplicated (listed twice) or two pages swapped; /Count follows — and read exactly as `selfeval build`
reads a file (extract.guarded: worker process, limits, integrity checks). Outcomes:

- rejected: a one-line reason, nothing loaded;
- loaded-and-equal: records equal to the original's;
- loaded-and-flagged: records equal, with an integrity warning (a repaired cross-reference table);
- loaded-and-wrong: records differ from the original's. Must be 0 (exit 1 otherwise).

"Records" are what the warehouse loads from a report: department, year, title, city, the facts of
section 四 and every row of the three tables in order. Provenance (page, bbox) is compared too,
except for page-level mutants, where a row legitimately moves to another page of the new file.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from extract import ReportError
from tests.lib.mutation import KINDS, OUTCOMES, SAMPLES_DIR, run_campaign


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--keep", metavar="DIR", help="write the mutants here and keep them")
    parser.add_argument("--verbose", action="store_true", help="one line per mutant")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="mutants-") as scratch:
        work = Path(args.keep) if args.keep else Path(scratch)
        work.mkdir(parents=True, exist_ok=True)
        outcomes = run_campaign(args.seed, args.count, work)
    by_kind: dict[str, Counter] = {kind: Counter() for kind in KINDS}
    for outcome, items in outcomes.items():
        for mutant, result in items:
            by_kind[mutant.kind][outcome] += 1
            if args.verbose or outcome == "loaded-and-wrong":
                detail = f": {result}" if isinstance(result, ReportError) else ""
                print(f"{outcome}: {mutant.name}{detail}")
    print(f"seed {args.seed}, {args.count} mutants of {len(list(SAMPLES_DIR.glob('*.pdf')))} sample reports")
    print(f"| kind | {' | '.join(OUTCOMES)} |")
    print(f"|---|{'---:|' * len(OUTCOMES)}")
    for kind, counts in by_kind.items():
        print(f"| {kind} | {' | '.join(str(counts[o]) for o in OUTCOMES)} |")
    print(f"| **all** | {' | '.join(str(len(outcomes[o])) for o in OUTCOMES)} |")
    return 1 if outcomes["loaded-and-wrong"] else 0


if __name__ == "__main__":
    sys.exit(main())
