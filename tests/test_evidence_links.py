"""The evidence report's links are valid URL paths whatever the report id or the file's name."""

import os
from pathlib import Path
from urllib.parse import unquote_to_bytes, urlsplit

from orchestration.evidence.site import relative_href, report_page_name

PROJECT_TABLE_ID = "4f0c6a1f5f2a8cf5d1e0c2b7a9e3d4c5b6a7f8e9d0c1b2a3f4e5d6c7b8a9f0e1#3"


def test_project_table_page_name_is_a_url_path_naming_its_file():
    name = report_page_name(PROJECT_TABLE_ID)
    assert urlsplit(name).fragment == ""  # `#` would make the table number a fragment
    assert urlsplit(name).path == name == f"reports/{PROJECT_TABLE_ID.replace('#', '-')}.html"


def test_link_to_a_pdf_named_in_gbk_percent_encodes_the_names_bytes(tmp_path):
    name = "报告".encode("gbk") + b" #1.pdf"
    pdf = Path(os.fsdecode(os.path.join(os.fsencode(tmp_path), name)))
    pdf.write_bytes(b"%PDF-1.7")
    href = relative_href(pdf, tmp_path / "site")
    assert href == "../%B1%A8%B8%E6%20%231.pdf"
    assert unquote_to_bytes(href).endswith(name)
