"""The evidence report, rendered from the sample warehouse: what its pages say and what a browser shows."""

from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import duckdb
import pdfplumber
import pytest
from PIL import Image

from extract.lib.text import unify_ideographs
from orchestration.cli import main
from orchestration.evidence import write_site
from orchestration.evidence.crops import RENDER_SCALE
from tests.lib.browser import BrowserError, Chromium, chromium_executable
from tests.truth import PDF_DIR

pytestmark = pytest.mark.slow  # the site of an audited warehouse, opened in a browser

# The audit findings of the committed corpus (tests/test_audit.py), with the text of the printed
# cell each one is about.
CORPUS_FINDINGS = {
    ("execution_rate", "suzhou_education_2022.pdf", 2, "普惠性民办幼儿园生均补助"),
    ("key_task_project_resolves", "wuxi_health_2024.pdf", 6, "生活饮用水卫生监测"),
    ("key_task_project_resolves", "seed_suzhou_police_2022.pdf", 7, "刑事侦查检验设备"),
    ("key_task_project_resolves", "nantong_culture_2023.pdf", 3, "非物质文化遗产保护专项"),
    ("key_task_project_resolves", "suzhou_transport_2022.pdf", 4, "公路桥梁健康监测系统建设"),
    ("key_task_project_resolves", "changzhou_civil_2024.pdf", 5, "康复辅具租赁服务"),
    ("key_task_project_resolves", "changzhou_health_2023.pdf", 4, "无偿献血宣传及采供血保障"),
    ("key_task_project_resolves", "wuxi_transport_2023.pdf", 3, "新能源公交车购置补贴"),
}
EDUCATION_2022_ID = "525ca795be1a46d93b293091b83abb3a7bdbf0e80dd4b52823eef2090b65ded0"


class _Elements(HTMLParser):
    """Attributes of the cards, their images and every link of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.cards: list[dict] = []
        self.images: list[dict] = []
        self.links: list[str] = []
        self.sources: list[str] = []
        self._in_missing = False
        self.missing_texts: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "article" and "card" in a.get("class", ""):
            self.cards.append(a)
        if tag == "img" and "crop" in a.get("class", ""):
            self.images.append(a)
        if tag == "a" and "href" in a:
            self.links.append(a["href"])
        if tag in ("script", "img", "link") and ("src" in a or "href" in a):
            self.sources.append(a.get("src") or a.get("href"))
        self._in_missing = tag == "p" and a.get("class") == "missing"

    def handle_data(self, data):
        if self._in_missing:
            self.missing_texts.append(data.strip())
            self._in_missing = False


def _parse(page: Path) -> _Elements:
    parser = _Elements()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser


def _squeezed(text: str) -> str:
    # Browser-printed PDFs print radical code points for some ideographs; the extractor unifies them.
    return unify_ideographs(re.sub(r"\s+", "", text))


@pytest.fixture(scope="module")
def audited(audited_warehouse) -> Path:
    """The sample warehouse with its audit tables (conftest: audited once per session)."""
    return audited_warehouse


@pytest.fixture(scope="module")
def site(audited, tmp_path_factory):
    out = tmp_path_factory.mktemp("evidence_site") / "report"
    return write_site(audited, out, PDF_DIR)


def test_every_finding_has_a_card_with_an_image(site, audited):
    with duckdb.connect(str(audited), read_only=True) as con:
        n_findings = con.execute("select count(*) from audit.findings").fetchall()[0][0]
    page = _parse(site.index_path)
    got = {
        (img["data-rule"], img["data-source-file"], int(img["data-page"]), img["data-cell-text"])
        for img in (
            {**image, "data-rule": card["data-rule"]}
            for card, image in zip(page.cards, page.images, strict=True)
        )
    }
    assert n_findings == len(page.cards) == len(page.images) == site.finding_images == 8
    assert got == CORPUS_FINDINGS
    for image in page.images:
        assert (site.index_path.parent / image["src"]).stat().st_size > 0


def test_each_card_image_shows_the_printed_row(site):
    """A table cell PDF-extracted from inside each crop's box holds the record's cell text.

    Cells, not the crop's plain text: plain text runs across the columns line by line, and a wrapped
    cell's text is then interleaved with its neighbours'.
    """
    for image in _parse(site.index_path).images:
        x0, top, x1, bottom = (float(v) for v in image["data-crop-bbox"].split(","))
        with pdfplumber.open(PDF_DIR / image["data-source-file"]) as pdf:
            page = pdf.pages[int(image["data-page"]) - 1]
            tables = page.crop((x0, top, x1, bottom)).extract_tables()
        cells = [_squeezed(cell or "") for table in tables for row in table for cell in row]
        wanted = _squeezed(image["data-cell-text"])
        assert any(wanted in cell for cell in cells), (image["data-source-file"], cells)
        with Image.open(site.index_path.parent / image["src"]) as png:
            # the picture is that box (PDFium rounds each edge of the crop to whole pixels)
            width_px, height_px = png.size
            assert abs(width_px - (x1 - x0) * RENDER_SCALE) <= 2
            assert abs(height_px - (bottom - top) * RENDER_SCALE) <= 2


def test_card_says_so_when_the_source_pdf_is_gone(audited, tmp_path):
    empty_inbox = tmp_path / "inbox"
    empty_inbox.mkdir()
    result = write_site(audited, tmp_path / "report", empty_inbox)
    page = _parse(result.index_path)
    assert len(page.cards) == 8 and page.images == []
    assert result.finding_images == 0 and not (tmp_path / "report" / "findings").exists()
    assert page.missing_texts[0] == (
        f"source PDF not found: suzhou_education_2022.pdf is no longer in the inbox ({empty_inbox}) "
        "with the content it was read from; values only"
    )
    assert len(result.missing_sources) == 10


def test_source_pdf_is_found_by_content_after_a_rename(audited, tmp_path):
    inbox = tmp_path / "inbox" / "2022"
    inbox.mkdir(parents=True)
    shutil.copyfile(PDF_DIR / "suzhou_education_2022.pdf", inbox / "renamed.pdf")
    result = write_site(audited, tmp_path / "report", tmp_path / "inbox")
    image = _parse(result.index_path).images[0]
    assert result.finding_images == 1
    assert image["data-source-file"] == "suzhou_education_2022.pdf" and image["data-page"] == "2"


def test_report_page_links_each_row_to_its_pdf_page(site):
    page_path = site.index_path.parent / "reports" / f"{EDUCATION_2022_ID}.html"
    html = page_path.read_text(encoding="utf-8")
    row = re.search(r"<tr><td>普惠性民办幼儿园生均补助</td>.*?</tr>", html).group(0)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row)
    assert cells[:8] == [
        "普惠性民办幼儿园生均补助",
        "project",
        "0.00",
        "1984.10",
        "1984.10",
        "1725.57",
        "68.97",
        "86.97",
    ]
    href = re.search(r'href="([^"]+)"', cells[8]).group(1)
    target, fragment = href.split("#")
    assert fragment == "page=2"
    assert (page_path.parent / unquote(target)).resolve() == (PDF_DIR / "suzhou_education_2022.pdf").resolve()
    assert '<a href="../index.html#finding-1">#1 execution_rate: 普惠性民办幼儿园生均补助</a>' in html


def test_site_references_no_network_url(site):
    pages = [site.index_path, *sorted((site.index_path.parent / "reports").glob("*.html"))]
    for page in pages:
        for url in _parse(page).sources:
            assert urlsplit(url).scheme == "", f"{page.name}: {url}"
    assert (site.index_path.parent / "assets" / "plotly.min.js").stat().st_size > 1_000_000


def test_report_command_writes_the_site_and_prints_its_path(audited, tmp_path, capsys):
    out = tmp_path / "site"
    code = main(["report", "--warehouse", str(audited), "--out", str(out), "--reports", str(PDF_DIR)])
    printed = capsys.readouterr().out.splitlines()
    assert code == 0
    assert printed[-1] == f"report: {out / 'index.html'}"
    assert printed[0].startswith("10 report pages, 8 finding cards (8 with images), ")


def test_report_command_names_a_missing_warehouse_in_one_line(tmp_path, capsys):
    missing = tmp_path / "nowhere.duckdb"
    code = main(["report", "--warehouse", str(missing), "--out", str(tmp_path / "site")])
    assert code == 2
    assert capsys.readouterr().err == (
        f"selfeval report: {missing}: no warehouse file there (run `selfeval build` first)\n"
    )


def test_report_command_names_a_file_that_is_not_a_warehouse(tmp_path, capsys):
    not_warehouse = tmp_path / "empty.duckdb"
    duckdb.connect(str(not_warehouse)).close()
    code = main(["report", "--warehouse", str(not_warehouse), "--out", str(tmp_path / "site")])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith(f"selfeval report: {not_warehouse}: not a published selfeval warehouse (")
    assert err.count("\n") == 1


@pytest.fixture(scope="module")
def browser_view(site):
    """The overview opened in headless Chromium: what it requested, and the boxes of what it shows."""
    try:
        chromium_executable()
    except BrowserError as missing:
        pytest.skip(str(missing))
    with Chromium() as browser:
        browser.open(site.index_path.resolve().as_uri())
        browser.wait_until("document.querySelectorAll('#chart-underspent .main-svg').length > 0")
        boxes = {"overview": browser.visible_box("#overview")}
        boxes["chart"] = browser.visible_box("#chart-underspent .main-svg")
        boxes["chart_bars"] = browser.evaluate(
            "document.querySelectorAll('#chart-underspent .bars path').length"
        )
        boxes["card"] = browser.visible_box("#finding-1")
        boxes["card_image"] = browser.visible_box("#finding-1 img.crop")
        boxes["card_image_pixels"] = browser.wait_until(
            "(() => { const i = document.querySelector('#finding-1 img.crop');"
            " return i.complete && i.naturalWidth > 0 && [i.naturalWidth, i.naturalHeight]; })()"
        )
        return boxes, browser.requests()


@pytest.mark.e2e
def test_browser_shows_overview_chart_and_finding_card(browser_view, site):
    boxes, _ = browser_view
    for name in ("overview", "chart", "card", "card_image"):
        box = boxes[name]
        assert box["shown"] and box["in_viewport"] and box["width"] > 0 and box["height"] > 0, name
    assert boxes["chart_bars"] == 40  # the 40 worst of the corpus's 47 projects under 80%
    with Image.open(site.index_path.parent / "findings" / "finding-1.png") as png:
        assert boxes["card_image_pixels"] == list(png.size)


@pytest.mark.e2e
def test_browser_loads_nothing_from_the_network(browser_view):
    _, urls = browser_view
    schemes = {urlsplit(u).scheme for u in urls}
    assert schemes <= {"file", "data"} and "file" in schemes, urls  # plotly.js makes data: images inline
    assert any(u.endswith("/assets/plotly.min.js") for u in urls)


def test_report_command_refuses_to_replace_a_folder_that_is_not_a_report(audited, tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    code = main(["report", "--warehouse", str(audited), "--out", str(tmp_path)])
    assert code == 2
    assert capsys.readouterr().err == (
        f"selfeval report: {tmp_path}: exists and is not an evidence report; choose another folder\n"
    )
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_dagster_asset_reports_path_counts_and_overview_as_metadata(audited, tmp_path):
    import dagster as dg

    from orchestration.defs.evidence import evidence_report
    from orchestration.defs.resources import SelfevalPaths

    paths = SelfevalPaths(reports_dir=str(PDF_DIR), warehouse=str(audited), data_dir=str(tmp_path))
    # Entered, the instance is the one whose storage resolving definitions consults (not a stale one an
    # earlier test in this process left behind).
    with dg.DagsterInstance.ephemeral() as instance:
        result = dg.materialize([evidence_report], resources={"paths": paths}, instance=instance)
        logged = [record.user_message for record in instance.all_logs(result.run_id)]
    [materialization] = result.asset_materializations_for_node("evidence_report")
    metadata = {k: v.value for k, v in materialization.metadata.items()}
    index = tmp_path / "report" / "index.html"
    assert metadata["path"] == str(index) and index.exists()
    assert metadata["url"] == index.resolve().as_uri()
    counts = ("reports", "departments", "fiscal_years", "findings", "finding_images", "files_rejected")
    assert {k: metadata[k] for k in counts} == {
        "reports": 10,
        "departments": 8,
        "fiscal_years": 4,
        "findings": 8,
        "finding_images": 8,
        "files_rejected": 0,
    }
    assert (metadata["projects_under_80_pct"], metadata["indicators_missed"]) == (47, 36)
    assert f"evidence report: {index.resolve().as_uri()}" in logged
