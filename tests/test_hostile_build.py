"""One build over a hostile, mixed inbox: every file accounted for, no generated HTML page runs what a
document printed or a file name carried, and every link of the evidence report resolves, for every
kind of report (department-wide reports, files of project tables)."""

import os
import shutil
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote_to_bytes, urlsplit

import duckdb
import pytest

from tests.fixtures.generator.hostile import DEPARTMENT, INDICATOR, PROJECT
from tests.lib.browser import BrowserError, Chromium, chromium_executable
from tests.truth import PDF_DIR

pytestmark = pytest.mark.slow  # a whole build, then a browser over every page it wrote

HOSTILE_PDF = PDF_DIR.parent / "hostile" / "hostile_markup_2023.pdf"
PROJECTS = PDF_DIR.parent / "projects"
SVG_NAME = "<svg onload=alert(1)>.pdf"
IMG_NAME = "<img src=x onerror=alert(1)>.pdf"
GBK_NAME = "报告".encode("gbk") + b".pdf"
GBK_STORED = "\\xb1\\xa8\\xb8\\xe6.pdf"
INBOX = {
    SVG_NAME.encode(): HOSTILE_PDF,  # printed names and its file name carry markup
    GBK_NAME: PDF_DIR / "suzhou_education_2021.pdf",  # named in GBK, not UTF-8
    b"seed.pdf": PDF_DIR / "seed_suzhou_police_2022.pdf",
    b"national_calc_compilation.pdf": PROJECTS / "national_calc_compilation.pdf",  # many tables, a finding
    b"sichuan_word_single.pdf": PROJECTS / "sichuan_word_single.pdf",
    IMG_NAME.encode(): PDF_DIR.parent / "bad" / "not_a_report.pdf",  # rejected, its name shown
}
# Counts calls of alert/confirm/prompt from the first script a page runs; an injected element would
# call alert as the page is parsed (svg onload) or once its image fails (img onerror).
HOOK = """window.__calls = 0;
for (const name of ["alert", "confirm", "prompt", "print"]) {
    window[name] = () => { window.__calls += 1; };
}"""
INJECTED = """Array.from(document.querySelectorAll("*")).filter(el =>
    (el.tagName === "SCRIPT" && !/json/.test(el.type) && /alert\\(/.test(el.textContent)) ||
    Array.from(el.attributes).some(a => /^on/i.test(a.name) && /alert/.test(a.value))
).map(el => el.outerHTML.slice(0, 120))"""


@pytest.fixture(scope="session")
def hostile_build(tmp_path_factory):
    """(exit code, output, tmp folder) of `selfeval build` over INBOX, in a process of its own."""
    root = tmp_path_factory.mktemp("hostile")
    inbox = root / "inbox"
    inbox.mkdir()
    for name, src in INBOX.items():
        shutil.copyfile(src, os.path.join(os.fsencode(inbox), name))
    env = {**os.environ, "SELFEVAL_DATA_DIR": str(root / "data")}
    cmd = [sys.executable, "-m", "orchestration.cli", "build", "--reports", str(inbox)]
    cmd += ["--warehouse", str(root / "warehouse.duckdb")]
    result = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=900)
    return result.returncode, result.stdout + result.stderr, root


def _q(db: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_every_file_is_loaded_or_rejected_once(hostile_build):
    code, output, root = hostile_build
    db = root / "warehouse.duckdb"
    loaded = sorted(r[0] for r in _q(db, "select distinct source_file from marts.dim_report"))
    rejected = _q(db, "select source_file, reason from audit.rejected_files")
    assert code == 1, output[-3000:]
    assert loaded == sorted(
        [GBK_STORED, SVG_NAME, "national_calc_compilation.pdf", "seed.pdf", "sichuan_word_single.pdf"]
    )
    assert rejected == [
        (IMG_NAME, "not a budget self-evaluation report: no self-evaluation report title on the first page")
    ]


def test_hostile_printed_names_are_stored_as_printed(hostile_build):
    db = hostile_build[2] / "warehouse.duckdb"
    assert _q(db, "select department_name from marts.dim_department where department_name like '%<%'") == [
        (DEPARTMENT,)
    ]
    assert _q(db, f"select count(*) from marts.fct_spend where line_name = '{PROJECT}'") == [(1,)]
    assert _q(db, f"select count(*) from marts.fct_indicator where indicator_name = '{INDICATOR}'") == [(1,)]


def _html_pages(root: Path) -> list[Path]:
    return sorted(p for p in (root / "data").rglob("*.html") if p.is_file())


def test_every_generated_page_escapes_what_documents_print(hostile_build):
    """Each page in a real browser: no alert, no element an injected name made live."""
    root = hostile_build[2]
    pages = _html_pages(root)
    docs = [p for p in pages if "data_docs" in p.parts]
    try:
        chromium_executable()
    except BrowserError as exc:
        pytest.skip(str(exc))
    calls, injected, shown = {}, {}, set()
    with Chromium() as browser:
        browser.call("Page.enable")
        browser.call("Page.addScriptToEvaluateOnNewDocument", source=HOOK)
        for page in pages:
            browser.open(page.as_uri())
            time.sleep(0.2)  # an injected <img src=x onerror> fires once its load has failed
            calls[page] = browser.evaluate("window.__calls")
            injected[page] = browser.evaluate(INJECTED)
            # textContent, not innerText: innerText needs the text laid out, and with no fonts at all
            # (CI hides them) Chromium lays none out. An escaped name is a text node either way.
            text = browser.evaluate("document.body ? document.body.textContent : ''")
            shown |= {name for name in (DEPARTMENT, PROJECT, INDICATOR, SVG_NAME, IMG_NAME) if name in text}
    assert len(docs) >= 2 and len(pages) > len(docs)  # Data Docs and the evidence report were written
    assert {p: n for p, n in calls.items() if n} == {}
    assert {p: els for p, els in injected.items() if els} == {}
    # The pages did show the hostile names, as text: the test opened what it meant to.
    assert shown == {DEPARTMENT, PROJECT, INDICATOR, SVG_NAME, IMG_NAME}


def test_data_docs_show_the_hostile_names_as_text(hostile_build):
    pages = [p for p in _html_pages(hostile_build[2]) if "warehouse-execution_rate" in p.name]
    text = "".join(p.read_text(encoding="utf-8") for p in pages)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text and "<script>alert(1)</script>" not in text
    assert "&lt;svg onload=alert(1)&gt;" in text


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs) -> None:
        for name, value in attrs:
            if name == "id" and value:
                self.ids.add(value)
            if name in ("href", "src") and value:
                self.links.append(value)


def _parse(page: Path) -> _Links:
    parser = _Links()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser


def _resolves(target: Path, fragment: str) -> bool:
    """The file exists and, for a page, holds the element the link's fragment names."""
    if not target.exists():
        return False
    return not fragment or target.suffix != ".html" or fragment in _parse(target).ids


def test_every_evidence_report_link_resolves(hostile_build):
    site = hostile_build[2] / "data" / "report"
    pages = sorted(site.rglob("*.html"))
    broken, followed = [], 0
    for page in pages:
        for link in _parse(page).links:
            parts = urlsplit(link)
            assert parts.scheme == "", f"{page.name}: {link}"  # nothing remote, no javascript:
            target = (
                Path(os.fsdecode(os.path.join(os.fsencode(page.parent), unquote_to_bytes(parts.path))))
                if parts.path
                else page
            )
            followed += 1
            if not _resolves(target, parts.fragment):
                broken.append((page.relative_to(site), link))
    assert broken == [] and followed > 100


def test_project_table_pages_link_their_source_pdf(hostile_build):
    site = hostile_build[2] / "data" / "report"
    project_pages = [p for p in (site / "reports").glob("*.html") if "-" in p.stem]
    assert len(project_pages) >= 4  # the compilation's tables and the Sichuan table
    for page in project_pages:
        text = page.read_text(encoding="utf-8")
        assert "source PDF not found" not in text, page.name
        assert any(link.endswith(".pdf") for link in _parse(page).links), page.name


def test_project_table_findings_show_their_printed_row(hostile_build):
    index = hostile_build[2] / "data" / "report" / "index.html"
    cards = [
        c for c in index.read_text(encoding="utf-8").split("<article")[1:] if "national_calc_compilation" in c
    ]
    assert cards, "the compilation table's finding is on the overview"
    assert all("no longer in the inbox" not in c for c in cards)
    assert any('class="crop"' in c for c in cards)


def test_build_log_does_not_say_project_files_left_the_inbox(hostile_build):
    log = (hostile_build[2] / "data" / "logs" / "last_build.log").read_text(
        encoding="utf-8", errors="replace"
    )
    assert "source PDF not in the inbox any more" not in log
