"""Data Docs that open offline: GX's pages load Bootstrap, jQuery, Vega and fonts from CDNs and
its logos from S3, which an intranet cannot reach (the pages stay blank). Those references are
taken out and a small local stylesheet put in their place; the content is plain HTML and shows.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

# Any script, stylesheet or image fetched from another host (GX's own files under static/ stay).
_REMOTE_SCRIPT = re.compile(r"<script\b[^>]*\bsrc=[\"']https?://[^>]*>\s*</script>", re.I)
_REMOTE_TAG = re.compile(r"<(?:link|img)\b[^>]*\b(?:href|src)=[\"']https?://[^>]*>", re.I)
_REMOTE_CSS_URL = re.compile(r"url\(\s*[\"']?https?://[^)]*\)", re.I)
# What Bootstrap gave the pages that they need to read well: tables with rules, hidden nothing.
_LOCAL_STYLE = """<style>
body { font-family: sans-serif; margin: 1rem 2rem; }
table { border-collapse: collapse; margin: 0.5rem 0; }
th, td { border: 1px solid #ccc; padding: 0.2rem 0.5rem; text-align: left; vertical-align: top; }
.collapse { display: block; }
.alert-danger, .text-danger { color: #b00020; }
.text-success { color: #1b7f3b; }
</style>
"""


def make_offline(site_dir: Path, data_asset: str) -> int:
    """Rewrite every page and stylesheet under `site_dir` to load nothing remote; files changed.

    Validation pages also get `data_asset` where GX prints "Data asset: None" (its pandas
    DataFrame batches carry no asset name into the page).
    """
    changed = 0
    for path in sorted(site_dir.rglob("*")):
        if path.suffix not in (".html", ".css") or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8")
        new = _REMOTE_CSS_URL.sub("none", text)
        if path.suffix == ".html":
            new = _REMOTE_TAG.sub("", _REMOTE_SCRIPT.sub("", new))
            new = new.replace("Data asset: None<br>", f"Data asset: {html.escape(data_asset)}<br>")
            if _LOCAL_STYLE not in new:
                new = new.replace("</head>", _LOCAL_STYLE + "</head>", 1)
        if new != text:
            path.write_text(new, encoding="utf-8")
            changed += 1
    return changed
