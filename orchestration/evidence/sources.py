"""Find each report's source file (PDF, spreadsheet, Word) again, by the content hash the warehouse keeps
(`dim_report.sha256`; every table of a file of tables has it, under its own `report_id` `<sha256>#<n>`).

The warehouse records only the file's name: the same bytes may have moved or been renamed in the
inbox since the build, and a file with the same name may now hold other content (a re-issue). The
hash settles both: a PDF is a report's source only if its bytes hash to the report's id, so an image
is never cut from a different version of the file. Files whose name matches are hashed first; the
rest of the inbox only if some report is still unresolved.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from orchestration.build.inbox import find_pdfs, sha256_of


def resolve_sources(reports: Iterable[tuple[str, str]], reports_dir: Path | None) -> dict[str, Path]:
    """{sha256: path} for every (sha256, source_file) whose file is in `reports_dir` now."""
    wanted = dict(reports)
    if reports_dir is None or not reports_dir.is_dir() or not wanted:
        return {}
    pdfs = find_pdfs(reports_dir)
    names = set(wanted.values())
    found: dict[str, Path] = {}
    by_name_first = sorted(pdfs, key=lambda p: p.name not in names)
    for path in by_name_first:
        if len(found) == len(wanted):
            break
        try:
            digest = sha256_of(path)
        except OSError:
            continue  # vanished or unreadable since it was listed: as good as gone
        if digest in wanted and digest not in found:
            found[digest] = path
    return found
