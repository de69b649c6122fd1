"""Damaged copies of the sample reports, read as `selfeval build` reads a file, and their outcome.

Shared by the tests (tests/test_integrity.py, tests/test_quarantine.py) and the mutation-campaign
benchmark (benchmarks/mutation_campaign.py says what each kind of damage is and what the outcomes mean).
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from extract import Report, ReportError
from extract.guarded import Limits, read_reports

SAMPLES_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "pdfs"
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


def with_pages(data: bytes, order: list[int]) -> bytes:
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
        return f"page{gone + 1}", with_pages(data, [p for p in pages if p != gone])
    if kind == "duplicate_page":
        twice = rng.randrange(count)
        return f"page{twice + 1}", with_pages(data, pages[: twice + 1] + pages[twice:])
    first, second = sorted(rng.sample(pages, 2))
    pages[first], pages[second] = pages[second], pages[first]
    return f"pages{first + 1}and{second + 1}", with_pages(data, pages)


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
