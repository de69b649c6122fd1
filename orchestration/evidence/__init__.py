"""The evidence report: a static, offline site drawn from a published warehouse.

Overview, charts, one card per audit finding with the printed row cut out of its source PDF, and one
page per report. `write_site` is the whole job; the CLI (`selfeval report`) and the Dagster asset
`evidence_report` call it.
"""

from .site import EvidenceReportError, SiteResult, write_site

__all__ = ["EvidenceReportError", "SiteResult", "write_site"]
