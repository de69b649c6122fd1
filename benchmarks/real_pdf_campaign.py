"""False-rejection campaign: real, undamaged PDFs from many producers must pass `check_file`.

    uv run python benchmarks/real_pdf_campaign.py CORPUS_DIR [--timeout 60]

Runs `extract.integrity.file_checks.check_file` (page count from PDFium, as `selfeval build` does) over every
`*.pdf` under CORPUS_DIR and prints each rejection with its reason and the file's /Producer, then a
summary: files, distinct producers, rejected, loaded with a warning. Files PDFium itself cannot open
are listed apart (no reader would load them). The corpus is not committed; to fetch it into /tmp:

    mkdir -p /tmp/corpus && cd /tmp/corpus
    pip download --no-binary :all: --no-deps pdfplumber pdfminer.six pypdf camelot-py
    for f in *.tar.gz; do tar xzf "$f"; done          # pypdf's sdist ships its real-world test PDFs
    apt-get download camlidl-doc docbook-xsl-doc-pdf erlang-doc gnuplot-doc texlive-latex-base-doc
    for f in *.deb; do dpkg -x "$f" deb; done        # unpacked here, never installed
    gunzip -k deb/usr/share/doc/docbook-xsl-doc-pdf/doc/reference.pdf.gz
    npm pack pdf-parse@1.1.1 && tar xzf pdf-parse-1.1.1.tgz   # its test/data PDFs
"""

from __future__ import annotations

import argparse
import re
import signal
import sys
from collections import Counter
from pathlib import Path

import pypdfium2 as pdfium

from extract import errors
from extract.integrity import file_checks

_PRODUCER = re.compile(rb"/Producer\s*\(((?:[^()\\]|\\.){0,80})")


def producer_of(data: bytes) -> str:
    """The /Producer string of the file's info dictionary (as written, not decoded), or '?'."""
    found = _PRODUCER.findall(data)
    if not found:
        return "?"
    text = found[-1].decode("latin-1")
    return re.sub(r"\s+", " ", text).strip()[:40] or "?"


class _Timeout(Exception):
    pass


def _on_alarm(signum, frame):
    raise _Timeout


def check_one(path: Path, timeout_s: int) -> tuple[str, str]:
    """('ok' | 'warned' | 'rejected' | 'unreadable' | 'timeout', detail) for one file."""
    data = path.read_bytes()
    try:
        page_count = len(pdfium.PdfDocument(data))
    except pdfium.PdfiumError as exc:
        return "unreadable", f"PDFium: {exc}"
    signal.alarm(timeout_s)
    try:
        warnings = file_checks.check_file(path, data, page_count)
    except errors.ReportError as exc:
        return "rejected", str(exc)
    except _Timeout:
        return "timeout", f"over {timeout_s} s"
    finally:
        signal.alarm(0)
    return ("warned", "; ".join(warnings)) if warnings else ("ok", "")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--timeout", type=int, default=60, help="seconds per file")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGALRM, _on_alarm)
    files = sorted(p for p in args.corpus.rglob("*") if p.suffix.lower() == ".pdf" and p.is_file())
    outcomes: Counter[str] = Counter()
    producers: Counter[str] = Counter()
    for path in files:
        producer = producer_of(path.read_bytes())
        outcome, detail = check_one(path, args.timeout)
        outcomes[outcome] += 1
        if outcome != "unreadable":
            producers[producer] += 1
        if outcome != "ok":
            print(f"{outcome}\t{path.relative_to(args.corpus)}\t{producer}\t{detail}")
    print(
        f"files {len(files)}, producers {len(producers)}, "
        + ", ".join(
            f"{name} {outcomes[name]}" for name in ("ok", "warned", "rejected", "timeout", "unreadable")
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
