"""Write the evidence report: index.html (overview, charts, finding cards) and one page per report.

The site is plain files that open from disk with no network: plotly.js is copied in from the plotly
package, styles and the chart loader are local files, images are PNGs beside the pages. It is
written into a new folder and swapped in by rename, so a reader never sees half a report.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import duckdb

from extract import ReportError

from . import charts
from .crops import Crop, render_row
from .sheet_snippet import SheetSnippet, sheet_snippet
from .sources import resolve_sources
from .warehouse_data import UNDERSPENT_BELOW_PCT, Finding, WarehouseData, read_warehouse

_STATIC = Path(__file__).with_name("static")


class EvidenceReportError(RuntimeError):
    """The report cannot be written; the message says why in one line, naming the file or folder."""


@dataclass(frozen=True)
class Card:
    finding: Finding
    image: str | None = None  # path relative to the site root
    crop: Crop | None = None
    pdf_href: str | None = None  # from the site root
    missing_reason: str | None = None  # why there is no image
    snippet: SheetSnippet | None = None  # a spreadsheet's or Word table's cells, in place of an image


@dataclass(frozen=True)
class SiteResult:
    index_path: Path
    report_pages: int
    findings: int
    finding_images: int
    missing_sources: list[str]
    size_bytes: int
    seconds: float
    overview: dict[str, int] = field(default_factory=dict)


def write_site(warehouse: Path, out_dir: Path, reports_dir: Path | None) -> SiteResult:
    """Render the report of `warehouse` into `out_dir` (replaced whole), PDFs found in `reports_dir`."""
    start = time.perf_counter()
    warehouse, out_dir = Path(warehouse), Path(out_dir)
    if not warehouse.is_file():
        raise EvidenceReportError(f"{warehouse}: no warehouse file there (run `selfeval build` first)")
    try:
        data = read_warehouse(warehouse)
    except duckdb.Error as exc:
        reason = str(exc).splitlines()[0]
        raise EvidenceReportError(f"{warehouse}: not a published selfeval warehouse ({reason})") from exc
    if out_dir.exists() and any(out_dir.iterdir()) and not (out_dir / "assets" / "site.js").exists():
        # The folder is replaced whole: never a folder that holds something else.
        raise EvidenceReportError(f"{out_dir}: exists and is not an evidence report; choose another folder")
    sources = _sources_by_report(data, reports_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    _remove_leftovers(out_dir)
    staging = out_dir.parent / f".{out_dir.name}.{uuid.uuid4().hex}.tmp"
    staging.mkdir()
    try:
        cards = _render_cards(data, sources, staging, reports_dir)
        overview = _overview(data, cards)
        _write_pages(data, cards, sources, overview, staging)
        _copy_assets(staging)
        size_bytes = sum(p.stat().st_size for p in staging.rglob("*") if p.is_file())
        _swap_in(staging, out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    missing = sorted({r.facts["source_file"] for r in data.reports if r.report_id not in sources})
    return SiteResult(
        index_path=out_dir / "index.html",
        report_pages=len(data.reports),
        findings=len(cards),
        finding_images=overview["finding_images"],
        missing_sources=missing,
        size_bytes=size_bytes,
        seconds=time.perf_counter() - start,
        overview=overview,
    )


def _sources_by_report(data: WarehouseData, reports_dir: Path | None) -> dict[str, Path]:
    """{report_id: source PDF}: found by the file's content hash (`sha256`), which every report
    read from one file shares (a file of project tables holds reports `<sha256>#0`, `#1`, ...)."""
    by_hash = resolve_sources(
        ((r.facts["sha256"], r.facts["source_file"]) for r in data.reports), reports_dir
    )
    return {r.report_id: by_hash[r.facts["sha256"]] for r in data.reports if r.facts["sha256"] in by_hash}


def _remove_leftovers(out_dir: Path) -> None:
    """The staging and swapped-out folders of a report whose writer was killed (builds take turns)."""
    for stale in [
        *out_dir.parent.glob(f".{out_dir.name}.*.tmp"),
        *out_dir.parent.glob(f".{out_dir.name}.*.old"),
    ]:
        shutil.rmtree(stale, ignore_errors=True)


def relative_href(target: Path, from_dir: Path) -> str:
    # The name's bytes, percent-encoded: a file name in another encoding (GBK) links as it is named.
    return quote(os.fsencode(os.path.relpath(target.resolve(), from_dir.resolve())))


def _render_cards(
    data: WarehouseData, sources: dict[str, Path], site: Path, reports_dir: Path | None
) -> list[Card]:
    import pypdfium2 as pdfium

    cards: dict[int, Card] = {}
    by_report: dict[str, list[Finding]] = {}
    for f in data.findings:
        if not f.has_printed_row:
            cards[f.finding_number] = Card(
                f, missing_reason="a finding about the whole report: no single printed row"
            )
        elif f.report_id not in sources:
            cards[f.finding_number] = Card(
                f,
                missing_reason=f"source PDF not found: {f.source_file} is no longer in the inbox "
                f"({reports_dir}) with the content it was read from; values only",
            )
        elif f.cell_range:
            cards[f.finding_number] = _snippet_card(f, sources[f.report_id], site)
        else:
            by_report.setdefault(f.report_id, []).append(f)
    # Each source PDF is opened once, however many findings it has.
    for report_id, findings in by_report.items():
        path = sources[report_id]
        pdf_href = relative_href(path, site)
        try:
            pdf = pdfium.PdfDocument(str(path))
        except pdfium.PdfiumError as exc:
            for f in findings:
                cards[f.finding_number] = Card(f, missing_reason=f"{path.name}: cannot open the PDF ({exc})")
            continue
        try:
            for f in findings:
                image = f"findings/{f.anchor}.png"
                try:
                    crop = render_row(pdf, f.source_page, f.bbox_pt, site / image)
                except (pdfium.PdfiumError, IndexError) as exc:
                    cards[f.finding_number] = Card(
                        f,
                        pdf_href=pdf_href,
                        missing_reason=f"{path.name} page {f.source_page}: cannot render ({exc})",
                    )
                    continue
                cards[f.finding_number] = Card(f, image=image, crop=crop, pdf_href=pdf_href)
        finally:
            pdf.close()
    return [cards[n] for n in sorted(cards)]


def _snippet_card(f: Finding, path: Path, site: Path) -> Card:
    """A finding read from a spreadsheet or Word file: the cells of its range, drawn as a table."""
    href = relative_href(path, site)
    try:
        return Card(f, snippet=sheet_snippet(path, f.cell_range or ""), pdf_href=href)
    except (ReportError, ValueError) as exc:
        return Card(
            f, pdf_href=href, missing_reason=f"{path.name} {f.cell_range}: cannot show the cells ({exc})"
        )


def _overview(data: WarehouseData, cards: list[Card]) -> dict[str, int]:
    """The key numbers: shown at the top of the overview and given to Dagster as metadata."""
    current = [r for r in data.reports if r.facts["is_current"]]
    return {
        "reports": len(current),
        "report_files": len(data.reports),
        "departments": len({r.facts["department_id"] for r in current}),
        "fiscal_years": len({r.facts["fiscal_year"] for r in current}),
        "files_rejected": len(data.rejected_files),
        "findings": len(cards),
        "findings_error": sum(c.finding.severity == "error" for c in cards),
        "findings_warn": sum(c.finding.severity == "warn" for c in cards),
        "finding_images": sum(c.image is not None for c in cards),
        "projects_under_80_pct": sum(
            1
            for line in data.project_lines
            if line["execution_rate_calc_pct"] is not None
            and line["execution_rate_calc_pct"] < UNDERSPENT_BELOW_PCT
        ),
        "indicators_missed": len(data.indicators_missed),
    }


def template_environment():
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("orchestration.evidence", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["blank"] = lambda v: "" if v is None else v
    return env


def report_page_name(report_id: str) -> str:
    """The report's page, a valid URL path: a project table's id `<sha256>#<n>` is written
    `<sha256>-<n>` (`#` would start the link's fragment)."""
    return f"reports/{quote(report_id.replace('#', '-'), safe='')}.html"


def _write_pages(
    data: WarehouseData, cards: list[Card], sources: dict[str, Path], overview: dict[str, int], site: Path
) -> None:
    env = template_environment()
    built_at = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    common = {"built_at": built_at, "warehouse": data.warehouse, "underspent_below_pct": UNDERSPENT_BELOW_PCT}
    cards_by_report: dict[str, list[Card]] = {}
    for card in cards:
        cards_by_report.setdefault(card.finding.report_id, []).append(card)
    reports_dir = site / "reports"
    reports_dir.mkdir()
    page = env.get_template("report.html")
    for report in data.reports:
        path = sources.get(report.report_id)
        (site / report_page_name(report.report_id)).write_text(
            page.render(
                root="../",
                report=report,
                cards=cards_by_report.get(report.report_id, []),
                pdf_href=relative_href(path, reports_dir) if path else None,
                **common,
            ),
            encoding="utf-8",
        )
    (site / "index.html").write_text(
        env.get_template("index.html").render(
            root="",
            overview=overview,
            data=data,
            cards=cards,
            charts=charts.all_charts(data),
            report_page_name=report_page_name,
            **common,
        ),
        encoding="utf-8",
    )


def _plotly_js() -> Path:
    # Located, not imported: the plotly package's own import is not needed for its bundled script.
    spec = importlib.util.find_spec("plotly")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the plotly package is not installed (uv sync)")
    return Path(next(iter(spec.submodule_search_locations))) / "package_data" / "plotly.min.js"


def _copy_assets(site: Path) -> None:
    assets = site / "assets"
    assets.mkdir()
    shutil.copyfile(_plotly_js(), assets / "plotly.min.js")
    for name in ("site.css", "site.js"):
        shutil.copyfile(_STATIC / name, assets / name)


def _swap_in(staging: Path, out_dir: Path) -> None:
    old = None
    if out_dir.exists():
        old = out_dir.parent / f".{out_dir.name}.{uuid.uuid4().hex}.old"
        out_dir.rename(old)
    staging.rename(out_dir)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
