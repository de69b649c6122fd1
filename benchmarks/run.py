"""Extraction and end-to-end benchmark: one run, ratios against a baseline measured in the same run.

    uv run python benchmarks/run.py [--sizes 10,50,200] [--pairs 1] [--seed 1] [--out benchmarks/RESULTS.md]
    uv run python benchmarks/run.py --extraction-only [--files DIR] [--repeat 3]   # section 2 alone

`--files DIR` measures the extraction on the PDFs under DIR (held-out files, no ground truth; the
files either side cannot read are listed). Run it with the system's fonts hidden too: a user's
machine may have no CJK fonts.

1. Inboxes of N reports are made from the committed fixtures: copies under new names, each with a
   unique trailing comment after %%EOF, so every copy is distinct content (no dedupe) yet reads the same.
2. Extraction of the N=10 inbox: ours (selfeval's extractor with its worker pool) against the naive
   baseline, pdfplumber `page.extract_tables()` on every page in one process. Wall and CPU time (CPU
   includes worker processes), 3 runs each in turns, the best wall and best CPU of each kept; plus
   our accuracy on the fixture corpus.
3. `selfeval build` end to end for each N (fresh data folder): wall time and peak memory of the whole
   process tree (PSS, sampled every 0.2 s: shared pages counted once); then, for the largest N,
   rebuilds with nothing changed alternating with test rebuilds (u x u x u ...), with the seconds
   per build phase the build's summary prints. Each test rebuild is compared with the mean of the
   unchanged ones on either side. --pairs K gives K test rebuilds of each kind, in random order
   (--seed): "added" after one new report was put in the inbox, and "placebo" after the same side
   work (a new report written outside the inbox) with nothing changed, whose differences are the
   machine's noise alone, measured in the same run. The add-one cost counts what the added pairs
   measure in the phases that handle new files (scan, extract) and, for the rest of the build
   (start-up, load, dbt, audit, publish, exit), one report's share of its growth between the two
   largest fresh builds: the rest rebuilds and audits every report whatever is new. It is also
   counted against the placebo pairs' scan + extract instead of zero. The added pairs' end-to-end
   difference is printed beside it, with the placebo's, per phase too. Each test slot's
   file is extracted alone just before its rebuild, at the machine's speed of the moment; every
   unchanged rebuild follows the same work on a spare copy, so all builds start alike.
Writes Markdown tables (docs/performance.md sums them up; benchmarks/HISTORY.md keeps
each run's).
"""

from __future__ import annotations

import argparse
import itertools
import math
import os
import platform
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

import pypdfium2

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_SIZES = "10,50,200"
FIXTURES = sorted((ROOT / "tests" / "fixtures" / "pdfs").glob("*.pdf"))
# A compilation of project tables, one table a page (LibreOffice Calc's PDF of the national form).
COMPILATION = ROOT / "tests" / "fixtures" / "projects" / "national_calc_compilation.pdf"
COMPILATION_TABLES = 1000
ONE_REPORT_BUILDS = 3


def make_inbox(folder: Path, n: int, start: int = 0) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(start, start + n):
        src = FIXTURES[i % len(FIXTURES)]
        dst = folder / f"report_{i:04d}.pdf"
        dst.write_bytes(src.read_bytes() + f"\n% benchmark copy {i}\n".encode())
        out.append(dst)
    return out


def make_compilation(folder: Path, tables: int = COMPILATION_TABLES) -> Path:
    """One PDF of `tables` project tables: the compilation fixture's pages (a table each) over and
    over, as a department's compilation of all its project tables prints them."""
    folder.mkdir(parents=True, exist_ok=True)
    source = pypdfium2.PdfDocument(str(COMPILATION))
    per_copy = len(source)
    out = pypdfium2.PdfDocument.new()
    for _ in range(math.ceil(tables / per_copy)):
        out.import_pages(source)
    path = folder / f"compilation_{tables}_tables.pdf"
    out.save(str(path))
    return path


def pages_in(folder: Path) -> int:
    return sum(len(pypdfium2.PdfDocument(str(f))) for f in sorted(folder.glob("*.pdf")))


def scale_row(label: str, pages: int, b: Build) -> str:
    return (
        f"| {label} | {pages} | {b.wall:.1f} | {pages / b.wall:.1f} | {b.cpu:.1f} | "
        f"{1000 * b.cpu / pages:.0f} | {b.peak_mb:.0f} |"
    )


def one_report_builds(tmp: Path) -> list[str]:
    """Fresh one-report builds (a new data folder each): wall and phases, median of a few."""
    inbox = tmp / "inbox_one"
    make_inbox(inbox, 1)
    runs = [build(inbox, tmp / f"data_one_{i}") for i in range(ONE_REPORT_BUILDS)]
    median = sorted(runs, key=lambda r: r.wall)[len(runs) // 2]
    phases = ", ".join(f"{p} {t:.2f}" for p, t in median.phases.items())
    rest = median.wall - sum(median.phases.values())
    return [
        f"**One report, fresh data folder**, {ONE_REPORT_BUILDS} builds: wall "
        f"{', '.join(f'{r.wall:.1f}' for r in runs)} s, CPU {', '.join(f'{r.cpu:.1f}' for r in runs)} s; "
        f"median **{median.wall:.1f} s** (target ≤ 12 s): {phases}, start-up and exit {rest:.2f} "
        f"(seconds); peak memory {max(r.peak_mb for r in runs):.0f} MB.",
        "",
    ]


def add_one_ratio(slots: list[Slot]) -> str:
    """Each added rebuild's wall against the mean of the unchanged rebuilds on either side."""
    ratios = [
        slots[i].build.wall / ((slots[i - 1].build.wall + slots[i + 1].build.wall) / 2)
        for i in range(1, len(slots) - 1, 2)
        if slots[i].kind == "added"
    ]
    placebo = [
        slots[i].build.wall / ((slots[i - 1].build.wall + slots[i + 1].build.wall) / 2)
        for i in range(1, len(slots) - 1, 2)
        if slots[i].kind == "placebo"
    ]
    return (
        f"Adding one report against a no-change rebuild (wall, each added rebuild over the mean of its "
        f"unchanged neighbours): **{', '.join(f'{r:.2f}×' for r in ratios)}** (target ≤ 1.2×); "
        f"placebo rebuilds, nothing added: {', '.join(f'{r:.2f}×' for r in placebo)}."
    )


def cpu_seconds() -> float:
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def timed(fn) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), cpu_seconds()
    fn()
    return time.perf_counter() - wall, cpu_seconds() - cpu


def naive(files: list[Path]) -> list[str]:
    """pdfplumber's `extract_tables()` on every page; the files it cannot read, one line each."""
    import pdfplumber

    failed = []
    for f in files:
        try:
            with pdfplumber.open(f) as pdf:
                for page in pdf.pages:
                    page.extract_tables()
        except Exception as exc:  # a damaged held-out file: pdfminer raises many types
            failed.append(f"{f.name}: {type(exc).__name__}")
    return failed


def ours(
    files: list[Path], backend: str = "pdfium", strict: bool = True, ocr_pages: dict[Path, int] | None = None
) -> list[str]:
    """selfeval's extraction of the files (its worker pool). Strict: every file must be a report
    (the benchmark's own inboxes); otherwise the files it rejects, one line each (held-out files).
    `ocr_pages`, if given, gets each read file's number of pages read by OCR."""
    from extract.guarded import read_reports
    from extract.settings import ExtractSettings

    rejected = []
    for path, result in read_reports(files, settings=ExtractSettings(backend=backend)):
        if isinstance(result, Exception):  # a ReportError: the file rejected, with its reason
            if strict:
                raise SystemExit(f"{path}: {result}")
            rejected.append(f"{path.name}: {result}")
        elif ocr_pages is not None:
            ocr_pages[path] = len(result.ocr_pages)
    return sorted(rejected)


def accuracy(backend: str) -> str:
    """Fields equal to the committed ground truth, over the whole fixture corpus."""
    from extract import read_report
    from extract.settings import ExtractSettings
    from tests.truth import (
        PDF_DIR,
        actual_records,
        expected_records,
        field_accuracy,
        fixture_names,
        load_truth,
    )

    right = total = 0
    for name in fixture_names():
        got = actual_records(read_report(PDF_DIR / f"{name}.pdf", ExtractSettings(backend=backend)))
        want = expected_records(load_truth(name))
        for table in want:
            r, t = field_accuracy(want[table], got[table])
            right, total = right + r, total + t
    return f"{100 * right / total:.1f}%"


def extraction(files: list[Path], strict: bool = True, repeat: int = 3) -> tuple[list[str], tuple, tuple]:
    """Extraction of the files, ours against naive pdfplumber in this one run: the table's lines,
    naive's and our (wall, CPU) seconds. The two run in turns, `repeat` times each, so a change in
    the machine's load falls on both; each keeps its best wall and its best CPU time (the least
    disturbed). Not strict (held-out files): the files either side cannot read are listed, and there
    is no accuracy (no ground truth). Where some files have pages read by OCR (scans: naive
    pdfplumber reads nothing on them), the files read from their text layer alone are measured
    again, and their seconds are the ones returned: the ratio is then about the same work."""
    scanned: dict[Path, int] = {}
    # Imports warmed outside the measurement; held-out files all read once, for which have pages
    # read by OCR and which are rejected.
    rejected = ours(files, strict=False, ocr_pages=scanned) if not strict else ours(files[:1])
    base, mine = _turns(files, strict, repeat)
    pages = _pages(files)
    lines = [
        f"**Extraction**, {len(files)} reports / {pages} pages, best of {repeat}, in turns:",
        "",
        "| extractor | wall s | CPU s | pages/s (wall) | wall ratio | CPU ratio | corpus accuracy |",
        "|---|---:|---:|---:|---:|---:|---:|",
        *_rows(base, mine, pages, accuracy("pdfium") if strict else "(held-out files)"),
    ]
    with_ocr = sorted(f for f, n in scanned.items() if n)
    if with_ocr:
        text_layer = [f for f in files if f not in with_ocr]
        lines += [
            "",
            f"{len(with_ocr)} of the files have pages read by OCR, which naive pdfplumber does not read "
            f"(it finds no text on a scan): {', '.join(f'{f.name} ({scanned[f]} pages)' for f in with_ocr)}.",
        ]
        if text_layer:
            base, mine = _turns(text_layer, strict, repeat)
            pages = _pages(text_layer)
            lines += [
                f"The other {len(text_layer)} files, {pages} pages, read from their text layer alone, "
                f"best of {repeat}, in turns:",
                "",
                "| extractor | wall s | CPU s | pages/s (wall) | wall ratio | CPU ratio | corpus accuracy |",
                "|---|---:|---:|---:|---:|---:|---:|",
                *_rows(base, mine, pages, "(held-out files)"),
            ]
        else:
            lines.append("Every file has pages read by OCR: there is no text-layer measure to compare.")
    if not strict:
        unread = [f"naive cannot read {r}" for r in naive(files)]
        unread += [f"selfeval rejects {r}" for r in rejected]
        lines += ["", *(f"- {u}" for u in unread)]
    return lines, base, mine


def _turns(files: list[Path], strict: bool, repeat: int) -> tuple[tuple[float, float], tuple[float, float]]:
    """Naive's and our best (wall, CPU) seconds over `repeat` runs in turns."""
    runs = [(timed(lambda: naive(files)), timed(lambda: ours(files, strict=strict))) for _ in range(repeat)]
    base = (min(n[0] for n, _ in runs), min(n[1] for n, _ in runs))
    mine = (min(o[0] for _, o in runs), min(o[1] for _, o in runs))
    return base, mine


def _pages(files: list[Path]) -> int:
    pages = 0
    for f in files:
        with pypdfium2.PdfDocument(str(f)) as pdf:
            pages += len(pdf)
    return pages


def _rows(base: tuple[float, float], mine: tuple[float, float], pages: int, accuracy: str) -> list[str]:
    return [
        f"| naive pdfplumber `extract_tables()`, 1 process | {base[0]:.2f} | {base[1]:.2f} | "
        f"{pages / base[0]:.1f} | 1.00 | 1.00 | (tables only) |",
        row("**selfeval (default: PDFium reader), worker pool**", mine, base, pages, accuracy),
    ]


def row(label: str, t: tuple[float, float], base: tuple[float, float], pages: int, acc: str) -> str:
    return (
        f"| {label} | {t[0]:.2f} | {t[1]:.2f} | {pages / t[0]:.1f} | {t[0] / base[0]:.2f} | "
        f"{t[1] / base[1]:.2f} | {acc} |"
    )


def tree_rss_kb(pid: int) -> int:
    """Proportional resident memory (PSS: shared pages split between sharers) of a process tree."""
    children: dict[int, list[int]] = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                ppid = int((d / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(d.name))
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
        except OSError:
            pass
        todo.extend(children.get(p, []))
    return total


class Build(NamedTuple):
    wall: float  # seconds
    peak_mb: float  # PSS of the whole process tree
    phases: dict[str, float]  # seconds per phase, as the build's summary prints them
    loaded: int  # reports in the warehouse after the build
    cpu: float = 0.0  # seconds of CPU, the whole process tree

    @property
    def new_file_seconds(self) -> float:
        """The phases whose work depends on which files are new: scan and extract."""
        return self.phases["scan"] + self.phases["extract"]

    @property
    def rest_seconds(self) -> float:
        """Everything else: start-up, load, dbt, audit, publish, exit."""
        return self.wall - self.new_file_seconds


def measured_selfeval(
    args: list[str], out: Path, env: dict | None = None, stderr=subprocess.STDOUT, every_seconds: float = 0.2
) -> tuple[int, float, int]:
    """`selfeval ARGS` in a subprocess, its output to `out`: exit code, wall seconds, and the peak
    PSS of its process tree in kB (sampled every `every_seconds`)."""
    start = time.perf_counter()
    with out.open("w") as fh:
        proc = subprocess.Popen(
            [sys.executable, "-m", "orchestration.cli", *args], env=env, cwd=ROOT, stdout=fh, stderr=stderr
        )
        peak = 0
        while proc.poll() is None:
            peak = max(peak, tree_rss_kb(proc.pid))
            time.sleep(every_seconds)
    return proc.returncode, time.perf_counter() - start, peak


def build(inbox: Path, data: Path, settings: dict[str, str] | None = None) -> Build:
    """`selfeval build` in a subprocess, measured: wall, peak memory, and what its summary prints
    (`reports loaded: 200 ...`, `seconds: 41.9 (load 3.12, scan 0.08, extract 1.21, ...)`)."""
    env = {
        **os.environ,
        "SELFEVAL_DATA_DIR": str(data),
        "SELFEVAL_REPORTS_DIR": str(inbox),
        "SELFEVAL_WAREHOUSE": str(data / "warehouse.duckdb"),
        **(settings or {}),
    }
    out = data.parent / f"{data.name}.out"
    cpu = cpu_seconds()  # the build's process tree is waited for: its CPU is this one's children's
    returncode, wall, peak = measured_selfeval(["build"], out, env=env, stderr=subprocess.DEVNULL)
    cpu = cpu_seconds() - cpu
    summary = out.read_text(encoding="utf-8")
    # Every benchmark file is a good report: anything but a clean build is a failure here.
    seconds = re.search(r"^seconds: [\d.]+ \((.*)\)$", summary, re.MULTILINE)
    loaded = re.search(r"^reports loaded: (\d+)", summary, re.MULTILINE)
    if returncode != 0 or not seconds or not loaded:
        raise SystemExit(f"selfeval build exited {returncode}; its summary:\n{summary}")
    phases = {k: float(v) for k, v in (p.rsplit(" ", 1) for p in seconds.group(1).split(", "))}
    return Build(wall, peak / 1024, phases, int(loaded.group(1)), cpu)


def mean_se(values: list[float]) -> tuple[float, float | None]:
    """Mean and standard error of pair differences d_k = x_k - (u_k + u_k+1) / 2. Neighbouring
    pairs may share an unchanged rebuild (u x u x u), so their differences can be correlated
    (covariance σ²/4 against a variance of 1.5 σ², σ² being one build's noise): with n pairs the
    mean's variance is at most σ² (1.5 n + 0.5 (n - 1)) / n², not Var(d) / n."""
    n = len(values)
    if n < 2:
        return statistics.mean(values), None
    sigma2 = statistics.variance(values) / 1.5
    return statistics.mean(values), (sigma2 * (1.5 * n + 0.5 * (n - 1))) ** 0.5 / n


class Slot(NamedTuple):
    kind: str  # "unchanged", "added" (one new report in the inbox) or "placebo" (nothing changed)
    build: Build
    file: str = ""  # the report written before the rebuild (into the inbox only when added)
    alone: float = 0.0  # seconds: that file extracted alone, right before the rebuild

    @property
    def label(self) -> str:
        if self.kind == "added":
            return f"rebuild after adding {self.file}"
        if self.kind == "placebo":
            return f"rebuild, nothing changed (placebo: {self.file} written outside the inbox)"
        return "rebuild, nothing changed"


def differences(slots: list[Slot], kind: str, measure) -> list[float]:
    """Per test rebuild of `kind` in u x u x u ...: it minus the mean of the ones on either side."""
    return [
        measure(slots[i].build) - (measure(slots[i - 1].build) + measure(slots[i + 1].build)) / 2
        for i in range(1, len(slots) - 1, 2)
        if slots[i].kind == kind
    ]


def phase_names(slots: list[Slot]) -> list[str]:
    return list(dict.fromkeys(p for s in slots for p in s.build.phases))


def phase_differences(slots: list[Slot], kind: str) -> str:
    """Mean (SE) of the pair differences of each phase, and of start-up and exit (the rest)."""
    parts = [
        f"{p} {signed(*mean_se(differences(slots, kind, lambda r, p=p: r.phases.get(p, 0.0))))}"
        for p in phase_names(slots)
    ]
    rest = mean_se(differences(slots, kind, lambda r: r.wall - sum(r.phases.values())))
    return ", ".join([*parts, f"start-up and exit {signed(*rest)}"])


def signed(value: float, se: float | None, digits: int = 2) -> str:
    return f"{value:+.{digits}f} s" + ("" if se is None else f" (SE {se:.{digits}f})")


def at_most(value: float, se: float | None, alone: float) -> str:
    """The upper end of a cost at two standard errors, in files' extraction alone (none from one pair)."""
    return "" if se is None else f", at most {(value + 2 * se) / alone:.1f}× at two standard errors"


def extracted_alone(path: Path) -> float:
    """Seconds to extract one file with nothing else running: best of 3."""
    return min(timed(lambda: ours([path]))[0] for _ in range(3))


def rebuilds(tmp: Path, inbox: Path, data: Path, fresh: Build, pairs: int, seed: int) -> list[Slot]:
    """u x u x u ...: each test rebuild x between two unchanged ones, so slow drift of the machine
    cancels out of every pair; added and placebo slots in random order, so a periodic load on the
    machine cannot line up with one kind. Every build, whatever its kind, follows the same side
    work: one file extracted alone (the new one before a test rebuild, a spare copy before an
    unchanged one), so no kind of slot starts on a quieter machine than another."""
    order = random.Random(seed)
    kinds = [kind for _ in range(pairs) for kind in order.sample(["added", "placebo"], 2)]
    first = fresh.loaded  # new reports are numbered on from the inbox's
    [spare] = make_inbox(tmp / "spare", 1, start=first + len(kinds))
    extracted_alone(spare)
    slots = [Slot("unchanged", build(inbox, data))]
    for n, kind in enumerate(kinds, start=first):
        [written] = make_inbox(inbox if kind == "added" else tmp / "outside", 1, start=n)
        alone = extracted_alone(written)
        slots.append(Slot(kind, build(inbox, data), written.name, alone))
        extracted_alone(spare)
        slots.append(Slot("unchanged", build(inbox, data)))
    for before, after in itertools.pairwise([Slot("fresh", fresh), *slots]):
        if after.build.loaded != before.build.loaded + (after.kind == "added"):
            raise SystemExit(
                f"{after.label}: {after.build.loaded} reports loaded after {before.build.loaded}"
            )
    return slots


def rebuild_table(slots: list[Slot], big: int) -> list[str]:
    names = phase_names(slots)
    return [
        f"| N = {big} | wall s | peak memory MB | " + " | ".join(f"{p} s" for p in names) + " |",
        "|---|---:|---:|" + "---:|" * len(names),
        *(
            f"| {s.label} | {s.build.wall:.1f} | {s.build.peak_mb:.0f} | "
            + " | ".join(f"{s.build.phases.get(p, 0):.2f}" for p in names)
            + " |"
            for s in slots
        ),
    ]


def add_one(
    slots: list[Slot], fresh_small: Build, fresh_big: Build, small: int, big: int, pairs: int
) -> list[str]:
    """The add-one cost, in files' extraction alone: what scan + extract grew by in the added pairs,
    plus one report's share of the rest of the build's growth between the two largest fresh builds
    (clamped at zero: noise must not credit the added report with a saving). Also counted against
    the placebo pairs' scan + extract instead of zero, which cancels anything favouring test slots
    over unchanged ones (their position in the sequence) at the price of the placebo's noise too.
    Bounds leave out the error of the files' extraction alone (best of 3 per file: printed)."""
    new_file_pairs = differences(slots, "added", lambda r: r.new_file_seconds)
    new_file, new_file_se = mean_se(new_file_pairs)
    unchanged = [s.build for s in slots if s.kind == "unchanged"]
    slope = (fresh_big.rest_seconds - fresh_small.rest_seconds) / (big - small)
    per_report = max(0.0, slope)
    # The slope's error: two fresh builds, each with one build's noise (from the unchanged ones).
    per_report_se = statistics.stdev(r.rest_seconds for r in unchanged) * 2**0.5 / (big - small)
    alone = [s.alone for s in slots if s.kind == "added"]
    cost, mean_alone = new_file + per_report, statistics.mean(alone)
    placebo_new_file, placebo_new_file_se = mean_se(
        differences(slots, "placebo", lambda r: r.new_file_seconds)
    )
    against = cost - placebo_new_file
    # With one pair there is no SE at all; from two on, every term has one.
    cost_se = None if new_file_se is None else math.hypot(new_file_se, per_report_se)
    against_se = None if cost_se is None else math.hypot(cost_se, placebo_new_file_se)
    direct = mean_se(differences(slots, "added", lambda r: r.wall))
    placebo = mean_se(differences(slots, "placebo", lambda r: r.wall))
    spread = max(r.wall for r in unchanged) - min(r.wall for r in unchanged)
    return [
        f"Adding one report to {big} ({pairs} added rebuild(s), each against the mean of the "
        "unchanged rebuilds before and after it): "
        f"**{cost / mean_alone:.1f}×** that file's extraction alone (target ≤ 3×)"
        + (" — negative: noise; run more pairs" if cost < 0 else "")
        + f": {cost:+.2f} s against {mean_alone:.2f} s"
        + (", one pair: no error bound (--pairs 2 or more give one)" if cost_se is None else "")
        + at_most(cost, cost_se, mean_alone)
        + f". The cost is scan + extract, measured in the pairs: {signed(new_file, new_file_se)}"
        + ("" if pairs == 1 else f" (each: {', '.join(f'{d:+.2f}' for d in new_file_pairs)})")
        + f"; plus the rest of the build's growth per report: {signed(per_report, per_report_se, 3)} "
        f"(start-up, load, dbt, audit, publish and exit, fresh N={small} → N={big}"
        + ("" if slope >= 0 else f"; measured {slope:+.3f} s, counted as zero")
        + "). "
        f"The added files' extraction alone: {', '.join(f'{a:.2f} s' for a in alone)}. "
        "Counted against the placebo pairs' scan + extract "
        f"({signed(placebo_new_file, placebo_new_file_se)}) instead of zero: {against / mean_alone:.1f}×"
        + at_most(against, against_se, mean_alone)
        + ".",
        "",
        f"Measured directly, end to end: added rebuilds minus their neighbours {signed(*direct)} "
        f"({direct[0] / mean_alone:.1f}× the files' extraction{at_most(*direct, mean_alone)}); "
        f"placebo rebuilds, nothing added, minus theirs {signed(*placebo)}. "
        f"Per phase, added: {phase_differences(slots, 'added')}. "
        f"Placebo: {phase_differences(slots, 'placebo')}. "
        f"Unchanged rebuilds alone spread over {spread:.1f} s.",
        "",
    ]


def extraction_only(folder: Path | None, repeat: int) -> int:
    """Section 2 alone: on the PDFs under `folder` (any file ending .pdf, at any depth), or on the
    fixtures' 10-report inbox. Printed, not written: RESULTS.md keeps whole runs."""
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        if folder is None:
            files, strict = make_inbox(Path(tmp) / "extract10", 10), True
        else:
            files, strict = sorted(p for p in folder.rglob("*") if p.suffix.lower() == ".pdf"), False
            if not files:
                raise SystemExit(f"{folder}: no PDF files")
        table, base, mine = extraction(files, strict=strict, repeat=repeat)
    print(
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"`{' '.join(['uv run python benchmarks/run.py', *sys.argv[1:]])}` ({time.strftime('%Y-%m-%d')}).\n"
    )
    print("\n".join(table))
    print(
        f"\nExtraction vs naive, the last table's files: wall {mine[0] / base[0]:.2f}×, CPU "
        f"{mine[1] / base[1]:.2f}× (target ≤ 0.20×, guard 0.30×). This benchmark ran in "
        f"{time.perf_counter() - started:.0f} s."
    )
    shutil.rmtree(ROOT / "benchmarks" / "__pycache__", ignore_errors=True)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default=DEFAULT_SIZES)
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "RESULTS.md"))
    parser.add_argument(
        "--pairs",
        type=int,
        default=1,
        help="added and placebo rebuilds of each (≈ 35 s each, with the unchanged rebuild after it); "
        "2 or more give the add-one cost an error bound, 5 or more a useful one",
    )
    parser.add_argument("--seed", type=int, default=1, help="the order of added and placebo rebuilds")
    parser.add_argument(
        "--extraction-only", action="store_true", help="extraction against naive pdfplumber only, no builds"
    )
    parser.add_argument(
        "--files",
        metavar="DIR",
        help="with --extraction-only: the PDFs under DIR (held-out files) instead of the fixtures' inbox",
    )
    parser.add_argument(
        "--repeat", type=int, default=3, help="with --extraction-only: runs of each extractor (best kept)"
    )
    args = parser.parse_args()
    if args.files and not args.extraction_only:
        parser.error("--files measures extraction only: add --extraction-only")
    if args.extraction_only:
        return extraction_only(Path(args.files) if args.files else None, max(1, args.repeat))
    if args.pairs < 1:
        parser.error("--pairs must be at least 1")
    sizes = sorted({int(s) for s in args.sizes.split(",")})
    if len(sizes) < 2 or sizes[0] < 1:
        parser.error(
            "--sizes needs two or more report counts of at least 1 (the add-one cost uses the "
            "growth of the build between the two largest)"
        )
    defaults = args.sizes == DEFAULT_SIZES and args.pairs == 1
    lines = [
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"`{' '.join(['uv run python benchmarks/run.py', *sys.argv[1:]])}` ({time.strftime('%Y-%m-%d')}; "
        f"order of added and placebo rebuilds: seed {args.seed}).",
        "",
    ]
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        files = make_inbox(tmp / "extract10", 10)
        table, base, mine = extraction(files)
        lines += [
            *table,
            "",
            "**End to end** (`selfeval build`, fresh data folder):",
            "",
            "| inbox | pages | wall s | pages/s | CPU s | CPU ms / page | peak MB (PSS, process tree) |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        results: dict[int, Build] = {}
        pages_of: dict[int, int] = {}
        for n in sizes:
            inbox, data = tmp / f"inbox{n}", tmp / f"data{n}"
            make_inbox(inbox, n)
            results[n] = build(inbox, data)
            pages_of[n] = pages_in(inbox)
            lines.append(scale_row(f"{n} reports", pages_of[n], results[n]))
            print(lines[-1], flush=True)
        compilation = make_compilation(tmp / "inbox_compilation")
        compiled_pages = pages_in(compilation.parent)
        # By default a file of more than 300 pages is refused, and each file gets 120 s.
        limits = {"SELFEVAL_MAX_PAGES": str(compiled_pages), "SELFEVAL_FILE_TIMEOUT_SECONDS": "3600"}
        compiled = build(compilation.parent, tmp / "data_compilation", limits)
        label = f"1 compilation file, {COMPILATION_TABLES:,} tables (limits raised to take it)"
        lines.append(scale_row(label, compiled_pages, compiled))
        print(lines[-1], flush=True)
        slopes = [
            (results[b].cpu - results[a].cpu) / (pages_of[b] - pages_of[a])
            for a, b in itertools.pairwise(sizes)
        ]
        lines += [
            "",
            "Growth: CPU per added page between successive sizes "
            + ", ".join(f"{1000 * x:.0f} ms" for x in slopes)
            + f"; the {COMPILATION_TABLES:,}-table file {1000 * compiled.cpu / compiled_pages:.0f} ms a page "
            f"over its whole build. Peak memory: {max(r.peak_mb for r in results.values()):.0f} MB "
            f"over the report inboxes, {compiled.peak_mb:.0f} MB for the compilation (target < 500 MB).",
            "",
            *one_report_builds(tmp),
        ]
        print("\n".join(lines[-4:]), flush=True)
        small, big = sizes[-2:]
        slots = rebuilds(tmp, tmp / f"inbox{big}", tmp / f"data{big}", results[big], args.pairs, args.seed)

    lines += ["", *rebuild_table(slots, big), "", add_one_ratio(slots), ""]
    lines += [
        f"Scaling: N={big} / N={sizes[0]} end-to-end = {results[big].wall / results[sizes[0]].wall:.1f}×"
        + (" (target ≤ 22×)." if (sizes[0], big) == (10, 200) else "."),
        "",
        *add_one(slots, results[small], results[big], small, big, args.pairs),
        f"Extraction vs naive: wall {mine[0] / base[0]:.2f}× (target ≤ 0.5×), "
        f"CPU {mine[1] / base[1]:.2f}× (target ≤ 0.20×). Peak memory over every build: "
        f"{max(r.peak_mb for r in [*results.values(), *(s.build for s in slots)]):.0f} MB "
        "(target < 500 MB, flat). "
        f"This benchmark ran in {time.perf_counter() - started:.0f} s"
        + (" (target < 300 s)." if defaults else "."),
    ]
    text = "\n".join(lines) + "\n"
    Path(args.out).write_text(text, encoding="utf-8")
    print(text)
    shutil.rmtree(ROOT / "benchmarks" / "__pycache__", ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
