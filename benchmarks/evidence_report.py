"""Evidence report benchmark: `selfeval report` for a warehouse of N reports (default 200).

    uv run python benchmarks/evidence_report.py [--reports 200] [--screenshots docs]

Makes the inbox as benchmarks/run.py does (copies of the committed fixtures, each distinct content:
for the warehouse, later copies are re-issues of the same department and year, so the audit's
findings are those of the current reports), builds the warehouse with `selfeval build` (which writes
the report once itself), then times `selfeval report` alone in a subprocess: wall time, peak memory of
its process tree (PSS), and the site's size. Targets: under 30 s and under 50 MB, images only for
findings. Then the same on a copy of the warehouse whose audit.findings has one finding per printed
row of every current report (every budget line, indicator and key-task project), the worst case for
images: printed for scale, not held to the targets. Exits 1 when the warehouse as built misses one.
--screenshots DIR also opens the first site in headless Chromium and saves the overview and the first
finding card as PNGs there (docs/evidence_report.md's pictures). --work DIR keeps the inbox and
warehouse there and reuses them on the next run.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

from run import build, make_inbox, measured_selfeval

TARGET_SECONDS = 30
TARGET_SIZE_MB = 50
OVERVIEW_HEIGHT_PX = 760
SCREENSHOT_COLOURS = 128


def timed_report(warehouse: Path, site: Path, inbox: Path) -> tuple[float, float, str]:
    """Wall seconds, peak PSS MB and the output of `selfeval report`."""
    args = ["report", "--warehouse", str(warehouse), "--out", str(site), "--reports", str(inbox)]
    out = site.parent / "report.out"
    returncode, wall, peak = measured_selfeval(args, out, every_seconds=0.05)
    printed = out.read_text(encoding="utf-8")
    if returncode != 0:
        raise SystemExit(f"selfeval report exited {returncode}:\n{printed}")
    return wall, peak / 1024, printed


# One finding per printed row: the most images a report of this warehouse can need.
_EVERY_ROW_A_FINDING = """
delete from audit.findings;
insert into audit.findings (rule, severity, fiscal_year, department_name, subject, source_file, source_page,
    expected_value, actual_value, message, finding_key)
select 'execution_rate', 'warn', fiscal_year, null, line_name, source_file, source_page, '', '', 'stress',
    spend_id from marts.fct_spend
union all
select 'deviation', 'warn', fiscal_year, null, indicator_name, source_file, source_page, '', '', 'stress',
    indicator_id from marts.fct_indicator
union all
select 'key_task_project_resolves', 'warn', fiscal_year, null, project_name_raw, source_file, source_page,
    '', '', 'stress', key_task_project_id from marts.fct_key_task where project_name_raw is not null;
"""


def every_row_a_finding(warehouse: Path, copy: Path) -> int:
    import duckdb

    shutil.copyfile(warehouse, copy)
    with duckdb.connect(str(copy)) as con:
        con.execute(_EVERY_ROW_A_FINDING).fetchall()
        return con.execute("select count(*) from audit.findings").fetchall()[0][0]


def measured(warehouse: Path, site: Path, inbox: Path) -> tuple[float, float, float]:
    """`selfeval report` measured and printed: wall s, peak MB, site MB."""
    wall, peak_mb, printed = timed_report(warehouse, site, inbox)
    files = [p for p in site.rglob("*") if p.is_file()]
    size_mb = sum(p.stat().st_size for p in files) / 1e6
    images = [p for p in files if p.suffix == ".png"]
    image_mb = sum(p.stat().st_size for p in images) / 1e6
    print(printed.strip())
    print(
        f"selfeval report: {wall:.1f} s wall (target < {TARGET_SECONDS} s), peak memory {peak_mb:.0f} MB, "
        f"site {size_mb:.1f} MB (target < {TARGET_SIZE_MB} MB): {len(images)} finding images "
        f"{image_mb:.1f} MB ({1000 * image_mb / max(1, len(images)):.0f} kB each), "
        f"{len(list((site / 'reports').glob('*.html')))} report pages"
    )
    return wall, peak_mb, size_mb


def screenshots(site: Path, out_dir: Path) -> list[Path]:
    from PIL import Image

    from tests.lib.browser import Chromium

    out_dir.mkdir(parents=True, exist_ok=True)
    shots = [out_dir / "evidence_overview.png", out_dir / "evidence_finding_card.png"]
    with Chromium(width_px=1100, height_px=900) as browser:
        browser.open((site / "index.html").resolve().as_uri())
        browser.wait_until("document.querySelectorAll('.chart .main-svg').length > 0")
        browser.screenshot("#overview", shots[0], max_height_px=OVERVIEW_HEIGHT_PX)
        browser.visible_box("#finding-1")  # scrolled to: its image loads lazily
        browser.wait_until("document.querySelector('#finding-1 img.crop').naturalWidth > 0")
        browser.screenshot("#finding-1", shots[1])
    for shot in shots:  # a palette keeps each picture small enough to commit
        with Image.open(shot) as image:
            image.convert("RGB").quantize(colors=SCREENSHOT_COLOURS).save(shot, optimize=True)
    return shots


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=200, help="reports in the warehouse")
    parser.add_argument("--screenshots", metavar="DIR", type=Path, help="save the docs' pictures here")
    parser.add_argument("--work", metavar="DIR", type=Path, help="keep (and reuse) inbox and warehouse here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="selfeval-evidence-") as tmp_name:
        tmp = Path(tmp_name)
        work = args.work or tmp
        inbox, warehouse = work / "inbox", work / "data" / "warehouse.duckdb"
        if not warehouse.exists():
            make_inbox(inbox, args.reports)
            fresh = build(inbox, work / "data")
            print(f"warehouse of {fresh.loaded} reports built in {fresh.wall:.1f} s")
        print(f"machine: {os.cpu_count()} cores; {len(list(inbox.glob('*.pdf')))} report files")
        print("\n== the warehouse as built")
        results = [measured(warehouse, tmp / "site", inbox)]
        stress = tmp / "every_row.duckdb"
        print(f"\n== every printed row a finding ({every_row_a_finding(warehouse, stress)} findings)")
        results.append(measured(stress, tmp / "site_every_row", inbox))
        if args.screenshots:
            for shot in screenshots(tmp / "site", args.screenshots):
                print(f"screenshot: {shot} ({shot.stat().st_size / 1000:.0f} kB)")
        wall, _, size_mb = results[0]
        return 0 if wall < TARGET_SECONDS and size_mb < TARGET_SIZE_MB else 1


if __name__ == "__main__":
    sys.exit(main())
