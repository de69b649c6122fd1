"""Extraction and end-to-end benchmark: one run, ratios against a baseline measured in the same run.

    uv run python benchmarks/run.py [--sizes 10,50,200] [--pairs 1] [--out benchmarks/RESULTS.md]

1. Inboxes of N reports are made from the committed fixtures: copies under new names, each with a
   unique trailing comment after %%EOF, so every copy is distinct content (no dedupe) yet reads the same.
2. Extraction of the N=10 inbox: ours (selfeval's extractor with its worker pool) against the naive
   baseline, pdfplumber `page.extract_tables()` on every page in one process. Wall and CPU time (CPU
   includes worker processes), best of 3 runs each; plus our accuracy on the fixture corpus.
3. `selfeval build` end to end for each N (fresh data folder): wall time and peak memory of the whole
   process tree (PSS, sampled every 0.2 s: shared pages counted once); then, for the largest N,
   rebuilds with nothing changed alternating with rebuilds after adding one new report (--pairs,
   default 1: unchanged, added, unchanged), with the seconds per build phase the build's summary
   prints. Each added rebuild is compared with the mean of the unchanged ones on either side. The
   add-one cost counts what the pair measures in the phases that handle new files (scan, extract)
   and, for the rest of the build (start-up, load, dbt, audit, publish, exit), one report's share of
   its growth between the two largest fresh builds: a pair's end-to-end difference is mostly the
   machine's run-to-run noise, so it is printed but not used.
Writes a Markdown table (the README's "Performance" section reproduces it).
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pypdfium2

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
FIXTURES = sorted((ROOT / "tests" / "fixtures" / "pdfs").glob("*.pdf"))


def make_inbox(folder: Path, n: int, start: int = 0) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(start, start + n):
        src = FIXTURES[i % len(FIXTURES)]
        dst = folder / f"report_{i:04d}.pdf"
        dst.write_bytes(src.read_bytes() + f"\n% benchmark copy {i}\n".encode())
        out.append(dst)
    return out


def cpu_seconds() -> float:
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def timed(fn) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), cpu_seconds()
    fn()
    return time.perf_counter() - wall, cpu_seconds() - cpu


def naive(files: list[Path]) -> None:
    import pdfplumber

    for f in files:
        with pdfplumber.open(f) as pdf:
            for page in pdf.pages:
                page.extract_tables()


def ours(files: list[Path], backend: str = "pdfium") -> None:
    from extract.guarded import read_reports
    from extract.settings import ExtractSettings

    for path, result in read_reports(files, settings=ExtractSettings(backend=backend)):
        if not hasattr(result, "budget_lines"):
            raise SystemExit(f"{path}: {result}")


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


def build(inbox: Path, data: Path) -> tuple[float, float, dict[str, float]]:
    """`selfeval build` in a subprocess: wall seconds, peak memory MB of its process tree, and the
    seconds per phase its summary prints (`seconds: 41.9 (load 3.12, scan 0.08, extract 1.21, ...)`)."""
    env = {
        **os.environ,
        "SELFEVAL_DATA_DIR": str(data),
        "SELFEVAL_REPORTS_DIR": str(inbox),
        "SELFEVAL_WAREHOUSE": str(data / "warehouse.duckdb"),
    }
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "orchestration.cli", "build"],
        env=env,
        cwd=ROOT,
        stdout=(data.parent / f"{data.name}.out").open("w"),
        stderr=subprocess.DEVNULL,
    )
    peak = 0
    while proc.poll() is None:
        peak = max(peak, tree_rss_kb(proc.pid))
        time.sleep(0.2)
    wall = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        raise SystemExit(f"selfeval build failed with exit code {proc.returncode}")
    summary = (data.parent / f"{data.name}.out").read_text(encoding="utf-8")
    found = re.search(r"^seconds: [\d.]+ \((.*)\)$", summary, re.MULTILINE)
    phases = {k: float(v) for k, v in (p.rsplit(" ", 1) for p in found.group(1).split(", "))} if found else {}
    return wall, peak / 1024, phases


def _new_file_seconds(result: tuple[float, float, dict[str, float]]) -> float:
    """Seconds of the build phases whose work depends on which files are new: scan and extract."""
    return result[2].get("scan", 0) + result[2].get("extract", 0)


def _per_report_seconds(results: dict[int, tuple[float, float, dict[str, float]]]) -> float | None:
    """What one more report costs a build outside scan and extract (start-up, load, dbt, audit,
    publish, exit): the slope of that time between the two largest fresh builds. Over a step of
    many reports the machine's run-to-run noise (a second or more per build) shrinks to a few
    hundredths of a second per report; a single add-one pair cannot resolve it. Never below zero:
    a slope that noise made negative would credit the added report with a saving."""
    if len(results) < 2:
        return None
    small, big = sorted(results)[-2:]
    rest = {n: results[n][0] - _new_file_seconds(results[n]) for n in (small, big)}
    return max(0.0, (rest[big] - rest[small]) / (big - small))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10,50,200")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "RESULTS.md"))
    parser.add_argument(
        "--pairs",
        type=int,
        default=1,
        help="add-one rebuilds, each followed by an unchanged one (≈ 45 s a pair)",
    )
    args = parser.parse_args()
    if args.pairs < 1:
        parser.error("--pairs must be at least 1")
    sizes = [int(s) for s in args.sizes.split(",")]
    lines = [
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"`{' '.join(['uv run python benchmarks/run.py', *sys.argv[1:]])}` ({time.strftime('%Y-%m-%d')}).",
        "",
    ]
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        files = make_inbox(tmp / "extract10", 10)
        pages = sum(len(pypdfium2.PdfDocument(str(f))) for f in files)
        ours(files[:1])  # warm imports outside the measurement
        base = min((timed(lambda: naive(files)) for _ in range(3)), key=lambda t: t[0])
        mine = min((timed(lambda: ours(files)) for _ in range(3)), key=lambda t: t[0])
        lines += [
            f"**Extraction**, {len(files)} reports / {pages} pages, best of 3:",
            "",
            "| extractor | wall s | CPU s | pages/s (wall) | wall ratio | CPU ratio | corpus accuracy |",
            "|---|---:|---:|---:|---:|---:|---:|",
            f"| naive pdfplumber `extract_tables()`, 1 process | {base[0]:.2f} | {base[1]:.2f} | "
            f"{pages / base[0]:.1f} | 1.00 | 1.00 | (tables only) |",
            row("**selfeval (default: PDFium reader), worker pool**", mine, base, pages, accuracy("pdfium")),
            "",
            "**End to end** (`selfeval build`, fresh data folder):",
            "",
            "| reports | wall s | s / report | peak memory MB (PSS, whole process tree) |",
            "|---:|---:|---:|---:|",
        ]
        results = {}
        for n in sizes:
            inbox, data = tmp / f"inbox{n}", tmp / f"data{n}"
            make_inbox(inbox, n)
            results[n] = build(inbox, data)
            lines.append(f"| {n} | {results[n][0]:.1f} | {results[n][0] / n:.2f} | {results[n][1]:.0f} |")
            print(lines[-1], flush=True)
        big = max(sizes)
        inbox, data = tmp / f"inbox{big}", tmp / f"data{big}"
        # Unchanged and add-one rebuilds alternate, each added one between two unchanged ones
        # (u a u a u ...), so slow drift of the machine cancels out of every pair.
        rebuilds = [("rebuild, nothing changed", build(inbox, data))]
        for k in range(args.pairs):
            make_inbox(inbox, 1, start=big + k)
            rebuilds.append((f"rebuild after adding report_{big + k:04d}", build(inbox, data)))
            rebuilds.append(("rebuild, nothing changed", build(inbox, data)))
        added_files = [inbox / f"report_{big + k:04d}.pdf" for k in range(args.pairs)]
        alone = [min(timed(lambda f=f: ours([f]))[0] for _ in range(3)) for f in added_files]
        # Per pair: the added rebuild minus the mean of its two neighbours, end to end and in the
        # phases that handle new files; the rest of the build grows by one report's share (slope).
        per_report = _per_report_seconds(results)
        end_to_end, new_file = [], []
        for k in range(args.pairs):
            before, added, after = (rebuilds[j][1] for j in (2 * k, 2 * k + 1, 2 * k + 2))
            end_to_end.append(added[0] - (before[0] + after[0]) / 2)
            new_file.append(
                _new_file_seconds(added) - (_new_file_seconds(before) + _new_file_seconds(after)) / 2
            )
        cost = statistics.mean(new_file) + (per_report or 0)
        new_file_se = statistics.stdev(new_file) / len(new_file) ** 0.5 if len(new_file) > 1 else None
        unchanged = [r[0] for label, r in rebuilds if label.endswith("nothing changed")]
        spread = max(unchanged) - min(unchanged)
        phase_names = list(dict.fromkeys(p for _, r in rebuilds for p in r[2]))
        lines += [
            "",
            f"| N = {big} | wall s | peak memory MB | " + " | ".join(f"{p} s" for p in phase_names) + " |",
            "|---|---:|---:|" + "---:|" * len(phase_names),
        ]
        lines += [
            f"| {label} | {r[0]:.1f} | {r[1]:.0f} | "
            + " | ".join(f"{r[2].get(p, 0):.2f}" for p in phase_names)
            + " |"
            for label, r in rebuilds
        ]
        lines += [
            "",
            f"Scaling: N={big} / N={min(sizes)} end-to-end = {results[big][0] / results[min(sizes)][0]:.1f}× "
            "(target ≤ 22×).",
            "",
            f"Adding one report to {big} ({args.pairs} pair(s): each added rebuild against the mean of "
            "the unchanged rebuilds before and after it): "
            f"**{cost / statistics.mean(alone):.1f}×** that file's extraction alone (target ≤ 3×): "
            f"{cost:+.2f} s against {statistics.mean(alone):.2f} s"
            + (
                ""
                if new_file_se is None
                else f" (mean of the pairs; with two standard errors "
                f"{(cost + 2 * new_file_se) / statistics.mean(alone):.1f}×)"
            )
            + ". Of that, scan + extract, measured in the pairs: "
            + ", ".join(f"{d:+.2f} s" for d in new_file)
            + ("" if new_file_se is None else f" (SE {new_file_se:.2f} s)")
            + "; the rest of the build (start-up, load, dbt, audit, publish, exit): "
            + (
                f"{per_report:+.3f} s, one report's share of its growth between the fresh "
                f"N={sorted(results)[-2]} and N={big} builds"
                if per_report is not None
                else "not counted (needs two sizes)"
            )
            + f"; the added files' extraction alone: {', '.join(f'{a:.2f} s' for a in alone)}. "
            f"The pairs' end-to-end differences, {', '.join(f'{d:+.1f} s' for d in end_to_end)}"
            + (
                f" (mean {statistics.mean(end_to_end):+.2f} s, SE "
                f"{statistics.stdev(end_to_end) / len(end_to_end) ** 0.5:.2f} s)"
                if len(end_to_end) > 1
                else ""
            )
            + f", are mostly noise: the unchanged rebuilds alone spread over {spread:.1f} s "
            "(load, dbt, audit and publish redo the whole warehouse whatever changed).",
            "",
            f"Extraction vs naive: wall {mine[0] / base[0]:.2f}× (target ≤ 0.5×), "
            f"CPU {mine[1] / base[1]:.2f}× (target ≤ 0.8×). Peak memory over every build: "
            f"{max(r[1] for r in [*results.values(), *(r for _, r in rebuilds)]):.0f} MB "
            "(target < 500 MB, flat). "
            f"This benchmark ran in {time.perf_counter() - started:.0f} s (target < 300 s).",
        ]
    text = "\n".join(lines) + "\n"
    Path(args.out).write_text(text, encoding="utf-8")
    print(text)
    shutil.rmtree(ROOT / "benchmarks" / "__pycache__", ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
