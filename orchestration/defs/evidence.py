"""The evidence report, rebuilt from the published warehouse after every publish."""

import dagster as dg

from orchestration.build.forked import run_forked
from orchestration.defs.resources import SelfevalPaths


@dg.asset(
    deps=[dg.AssetKey("published_warehouse")],
    group_name="publish",
    kinds={"html"},
    description="Static offline site: overview, charts, one card per audit finding with the printed row "
    "cut from its PDF, one page per report (data/report/index.html).",
)
def evidence_report(context: dg.AssetExecutionContext, paths: SelfevalPaths) -> dg.MaterializeResult:
    from orchestration.evidence import write_site

    p = paths.paths()
    # Forked: PDFium, Pillow and the templates it loads leave with the child, not stay in the build.
    result = run_forked(write_site, p.warehouse, p.report_dir, p.reports_dir)
    context.log.info(f"evidence report: {result.index_path.resolve().as_uri()}")
    for name in result.missing_sources:
        context.log.warning(f"{name}: source PDF not in the inbox any more; its findings show values only")
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(result.index_path)),
            "url": dg.MetadataValue.url(result.index_path.resolve().as_uri()),
            "report_pages": result.report_pages,
            "finding_images": result.finding_images,
            "missing_source_pdfs": len(result.missing_sources),
            "bytes": result.size_bytes,
            "seconds": round(result.seconds, 2),
            **result.overview,
        }
    )
