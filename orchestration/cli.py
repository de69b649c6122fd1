"""The `selfeval` command line. Subcommands import what they need lazily so `extract` starts fast."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence


def _cmd_extract(args: argparse.Namespace) -> int:
    from extract import ReportError, read_report

    failed = 0
    for path in args.files:
        try:
            report = read_report(path)
        except ReportError as exc:
            print(f"{path}: {exc}", file=sys.stderr)
            failed += 1
            continue
        except OSError as exc:
            print(f"{path}: cannot read file: {exc.strerror or exc}", file=sys.stderr)
            failed += 1
            continue
        doc = report.to_json_dict()
        print(json.dumps(doc, ensure_ascii=False, indent=2 if args.pretty else None))
    return 1 if failed else 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="selfeval",
        description="Budget self-evaluation report PDFs -> a DuckDB warehouse.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser(
        "extract",
        help="extract one or more report PDFs and print JSON (one object per report, one per line)",
    )
    p.add_argument("files", nargs="+", metavar="FILE.pdf")
    p.add_argument("--pretty", action="store_true", help="indent the JSON")
    p.set_defaults(func=_cmd_extract)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
