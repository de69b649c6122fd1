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
import random
import re
import sys
import tempfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from extract import Report, ReportError
from extract.guarded import Limits, read_reports

SAMPLES_DIR = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "pdfs"
KINDS = (
    "truncate",
    "flip_bit",
    "flip_byte",
    "delete_object",
    "zero_stream",
    "delete_page",
    "duplicate_page",
    "swap_pages",
)
PAGE_KINDS = frozenset({"delete_page", "duplicate_page", "swap_pages"})
OUTCOMES = ("loaded-and-equal", "loaded-and-flagged", "rejected", "loaded-and-wrong")

_OBJECT = re.compile(rb"\d+ \d+ obj\b.*?endobj", re.DOTALL)
_STREAM = re.compile(rb"stream\r?\n(.*?)endstream", re.DOTALL)
_KIDS = re.compile(rb"/Kids\s*\[([^\]]*)\]")
_REF = re.compile(rb"\d+\s+\d+\s+R")
_COUNT = re.compile(rb"/Count\s+\d+")


@dataclass(frozen=True)
class Mutant:
    name: str  # file name: <sample>__<kind>_<detail>.pdf
    sample: str
    kind: str
    data: bytes


def _with_pages(data: bytes, order: list[int]) -> bytes:
    """The page tree edited in place to list the pages in `order` (indices may repeat or be left out),
    its /Count kept consistent: every other byte of the file stays as it was."""
    kids = _KIDS.search(data)
    refs = _REF.findall(kids.group(1))
    new_kids = b" " + b" ".join(refs[i] for i in order) + b" "
    start = data.rfind(b" obj", 0, kids.start())
    end = data.find(b"endobj", kids.end())
    tree = data[start : kids.start(1)] + new_kids + data[kids.end(1) : end]
    tree = _COUNT.sub(b"/Count %d" % len(order), tree, count=1)
    return data[:start] + tree + data[end:]


def _mutate(kind: str, data: bytes, rng: random.Random) -> tuple[str, bytes]:
    """(detail for the name, damaged bytes)."""
    if kind == "truncate":
        at = rng.randrange(1, len(data))
        return f"at{at}", data[:at]
    if kind == "flip_bit":
        at, bit = rng.randrange(len(data)), rng.randrange(8)
        out = bytearray(data)
        out[at] ^= 1 << bit
        return f"byte{at}bit{bit}", bytes(out)
    if kind == "flip_byte":
        at = rng.randrange(len(data))
        out = bytearray(data)
        out[at] = (out[at] + rng.randrange(1, 256)) % 256
        return f"byte{at}", bytes(out)
    if kind == "delete_object":
        match = rng.choice(list(_OBJECT.finditer(data)))
        return f"obj{match.start()}", data[: match.start()] + data[match.end() :]
    if kind == "zero_stream":
        match = rng.choice(list(_STREAM.finditer(data)))
        start, end = match.span(1)
        return f"stream{start}", data[:start] + bytes(end - start) + data[end:]
    count = len(_REF.findall(_KIDS.search(data).group(1)))
    pages = list(range(count))
    if kind == "delete_page":
        gone = rng.randrange(count)
        return f"page{gone + 1}", _with_pages(data, [p for p in pages if p != gone])
    if kind == "duplicate_page":
        twice = rng.randrange(count)
        return f"page{twice + 1}", _with_pages(data, pages[: twice + 1] + pages[twice:])
    first, second = sorted(rng.sample(pages, 2))
    pages[first], pages[second] = pages[second], pages[first]
    return f"pages{first + 1}and{second + 1}", _with_pages(data, pages)


def mutants(seed: int, count: int, samples_dir: Path = SAMPLES_DIR) -> Iterator[Mutant]:
    """`count` mutants, the kinds in turn, each of a sample chosen at random: the same for one seed."""
    rng = random.Random(seed)
    samples = sorted(samples_dir.glob("*.pdf"))
    for i in range(count):
        kind = KINDS[i % len(KINDS)]
        sample = rng.choice(samples)
        detail, data = _mutate(kind, sample.read_bytes(), rng)
        yield Mutant(f"{i:03d}_{sample.stem}__{kind}_{detail}.pdf", sample.stem, kind, data)


def records(report: Report, with_provenance: bool = True) -> dict:
    """What the warehouse loads from a report, minus the file's identity (name, hash, page count)."""
    doc = asdict(report)
    for key in ("source_file", "sha256", "page_count", "integrity_warnings"):
        doc.pop(key)
    if not with_provenance:
        for table in ("budget_lines", "key_tasks", "indicators"):
            for row in doc[table]:
                row.pop("provenance")
    return doc


def classify(mutant: Mutant, result, original: Report) -> str:
    if isinstance(result, ReportError):
        return "rejected"
    with_provenance = mutant.kind not in PAGE_KINDS
    if records(result, with_provenance) != records(original, with_provenance):
        return "loaded-and-wrong"
    return "loaded-and-flagged" if result.integrity_warnings else "loaded-and-equal"


def run_campaign(seed: int, count: int, work_dir: Path, limits: Limits | None = None) -> dict[str, list]:
    """{outcome: [(mutant, result)]} for `count` mutants of the seed, written under `work_dir`."""
    limits = limits or Limits(seconds=60, memory_mb=1024)
    samples = sorted(SAMPLES_DIR.glob("*.pdf"))
    originals = {path.stem: report for path, report in read_reports(samples, limits=limits)}
    by_path: dict[Path, Mutant] = {}
    for mutant in mutants(seed, count):
        path = work_dir / mutant.name
        path.write_bytes(mutant.data)
        by_path[path] = mutant
    outcomes: dict[str, list] = {name: [] for name in OUTCOMES}
    for path, result in read_reports(list(by_path), limits=limits):
        mutant = by_path[path]
        outcomes[classify(mutant, result, originals[mutant.sample])].append((mutant, result))
    return outcomes


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
