"""Integrity checks between extraction and load: a report is loaded right or rejected with a reason.

Two kinds, both run by `extract.report.read_report` (so `selfeval extract` prints what `build` loads):

- `file_checks`: the file's bytes, objects, streams and fonts, as the readers will read them;
- `records`: the records its pages yield (and the page numbers it prints) do not contradict themselves.
"""
