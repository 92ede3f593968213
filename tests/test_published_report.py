"""The whole default report: every notebook executed, the landing page, and a real browser."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

from analysis.paths import PROJECT_ROOT, ProjectPaths
from analysis.publish.landing import write_landing_page
from analysis.publish.pdf import CHROMIUM_FLAGS, chromium_path
from analysis.publish.report import notebook_paths, run_report
from analysis.results import Publisher

ARTIFACTS = PROJECT_ROOT / "test-artifacts"


def test_landing_page_escapes_text_from_data(tmp_path):
    pub = Publisher(tmp_path, "01_demo", title="Demo <b>title</b>")
    pub.finding("evil", "**Event** <script>alert(1)</script> & 'quotes'", value=1, low=0, high=2)
    index = write_landing_page(
        tmp_path,
        [("01_demo", "01_demo.html", {})],
        {"release": "2026-04-05", "parameters": {"start": "<x>"}, "inputs": {}},
    )
    page = index.read_text()
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<strong>Event</strong>" in page
    assert "Demo &lt;b&gt;title&lt;/b&gt;" in page and "start=&lt;x&gt;" in page
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["headline_findings"][0]["key"] == "evil"


@pytest.fixture(scope="module")
def report(tmp_path_factory, real_processed: Path) -> Path:
    root = tmp_path_factory.mktemp("project")
    (root / "data").mkdir()
    (root / "notebooks").symlink_to(PROJECT_ROOT / "notebooks", target_is_directory=True)
    (root / "data" / "processed").symlink_to(real_processed, target_is_directory=True)
    (root / "data" / "raw").symlink_to(PROJECT_ROOT / "data" / "raw", target_is_directory=True)
    return run_report(ProjectPaths(root=root), release="2026-04-05", jobs=2)  # as `make report`


@pytest.mark.real_data
def test_default_report_publishes_every_notebook_with_findings_and_provenance(report):
    folder = report.parent
    stems = [p.stem for p in notebook_paths(ProjectPaths())]
    report_json = json.loads((folder / "report.json").read_text())
    for stem in stems:
        assert (folder / f"{stem}.html").is_file() and (folder / f"{stem}.ipynb").is_file()
        record = report_json["notebooks"][stem]
        assert record["findings"], f"{stem} recorded no findings"
        for name in record["files"]:
            assert (folder / name).is_file()
    assert list(folder.glob("*.png")) and list(folder.glob("*.csv"))
    provenance = report_json["provenance"]
    assert provenance["release"] == "2026-04-05"
    assert provenance["inputs"]["missile_attacks_daily.csv"]["sha256"].startswith("367cd624")
    assert re.fullmatch(r"[0-9a-f]{40}(\+changes)?|unknown", provenance["git_commit"])
    page = report.read_text()
    text = html.unescape(re.sub(r"<[^>]+>", "", page))  # as a reader sees it
    for finding in report_json["headline_findings"]:
        assert finding["text"].replace("**", "") in text
    assert "not proof" in page
    assert provenance["inputs"]["missile_attacks_daily.csv"]["sha256"] in page


@pytest.mark.real_data
def test_report_opens_in_headless_chromium_without_errors(report):
    chromium = chromium_path()
    if chromium is None:
        pytest.skip("no Chromium found (Debian: apt-get install chromium; or set CHROMIUM)")
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        console, failed = [], []
        page.on(
            "console",
            lambda m: (
                console.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None
            ),
        )
        page.on("pageerror", lambda e: console.append(f"pageerror: {e}"))
        page.on("requestfailed", lambda r: failed.append(r.url))
        page.goto(report.as_uri())
        page.wait_for_load_state("load")
        images = page.evaluate(
            "Array.from(document.images).map(i => [i.getAttribute('src'), i.complete,"
            " i.naturalWidth])"
        )
        links = page.evaluate("Array.from(document.querySelectorAll('a[href]')).map(a => a.href)")
        page.screenshot(path=str(ARTIFACTS / "report-index.png"), full_page=True)
        for target in sorted({u for u in links if u.endswith(".html")}):
            page.goto(target)
            page.wait_for_load_state("load")
        browser.close()
    assert console == [] and failed == []
    assert images and all(done and width > 0 for _, done, width in images), images
    for url in links:
        parsed = urlparse(url)
        if parsed.scheme != "file":
            continue
        assert Path(unquote(parsed.path)).is_file(), f"broken link {url}"
        if parsed.fragment:
            anchor = f'id="{parsed.fragment}"'
            assert anchor in Path(unquote(parsed.path)).read_text(), f"missing anchor {url}"
    print(f"screenshot: {ARTIFACTS / 'report-index.png'}")


#: Widths a reader uses: a desktop browser and a phone held upright.
VIEWPORTS = ({"width": 1400, "height": 900}, {"width": 400, "height": 860})
_PAGE_CHECKS = """() => ({
  overflow: document.documentElement.scrollWidth > window.innerWidth + 1,
  noAlt: Array.from(document.images).filter(i => !(i.getAttribute('alt') || '').trim())
    .map(i => (i.getAttribute('src') || '').slice(0, 60)),
  nav: Array.from(document.querySelectorAll('nav.pages a')).map(a => a.href),
  firstImage: document.images.length
    ? document.images[0].getBoundingClientRect().top + window.scrollY : null,
})"""


def _visible_text(page: str) -> str:
    """A page's text as a reader sees it: no styles, scripts or tags."""
    page = re.sub(r"<(style|script)\b.*?</\1>", " ", page, flags=re.S | re.I)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def _page_problems(seen: dict, where: str) -> list[str]:
    """What a reader would trip over on one page: sideways scrolling, images without alt text,
    a missing nav bar or a nav link to nowhere."""
    problems = []
    if seen["overflow"]:
        problems.append(f"{where}: the page scrolls sideways")
    if seen["noAlt"]:
        problems.append(f"{where}: images without alt text {seen['noAlt']}")
    if not seen["nav"]:
        problems.append(f"{where}: no nav bar")
    problems += [
        f"{where}: nav link {url} does not resolve"
        for url in seen["nav"]
        if not Path(unquote(urlparse(url).path)).is_file()
    ]
    return problems


@pytest.mark.real_data
def test_every_page_reads_at_desktop_and_phone_width_in_headless_chromium(report):
    chromium = chromium_path()
    if chromium is None:
        pytest.skip("no Chromium found (Debian: apt-get install chromium; or set CHROMIUM)")
    from playwright.sync_api import sync_playwright

    folder = report.parent
    pages = [report, *sorted(folder.glob("[0-9][0-9]_*.html"))]
    problems: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
        for viewport in VIEWPORTS:
            tab = browser.new_page(viewport=viewport)
            errors: list[str] = []
            tab.on("console", lambda m, e=errors: e.append(m.text) if m.type == "error" else None)
            tab.on("pageerror", lambda x, e=errors: e.append(str(x)))
            for path in pages:
                tab.goto(path.as_uri())
                tab.wait_for_load_state("load")
                seen = tab.evaluate(_PAGE_CHECKS)
                problems += _page_problems(seen, f"{path.name} at {viewport['width']} px")
                first = seen["firstImage"]
                if path == report and (first is None or first > 1.5 * viewport["height"]):
                    problems.append(f"{path.name}: the first chart starts at {first} px")
            if errors:
                problems.append(f"console errors at {viewport['width']} px: {errors}")
            tab.close()
        browser.close()
    assert problems == []


@pytest.mark.real_data
def test_pages_show_no_missing_value_codes_and_the_landing_page_opens_briefly(report):
    folder = report.parent
    for path in [report, *sorted(folder.glob("[0-9][0-9]_*.html"))]:
        text = _visible_text(path.read_text(encoding="utf-8"))
        found = re.findall(r"\b(NaT|nan|NaN)\b|<NA>", text)
        assert not found, f"{path.name}: {found[:5]}"
    page = report.read_text(encoding="utf-8")
    body = page[page.index("<body") :]
    words = _visible_text(body[: body.index("<img")]).split()
    assert len(words) <= 150, len(words)


@pytest.mark.real_data
def test_every_page_speaks_plainly_outside_its_method_folds(report):
    """No statistical term, model name, code identifier or ISO date in what a reader sees
    without opening a fold (analysis/publish/plainwords.py holds the list)."""
    from analysis.publish.plainwords import page_jargon

    folder = report.parent
    problems = {
        path.name: found
        for path in [report, *sorted(folder.glob("[0-9][0-9]_*.html"))]
        if (found := page_jargon(path))
    }
    assert problems == {}, "\n".join(
        f"{name}: {len(found)}\n  " + "\n  ".join(found[:15]) for name, found in problems.items()
    )


@pytest.mark.real_data
def test_each_card_reads_the_same_on_the_page_that_made_it(report):
    """One verdict per quantity: a landing card's verdict and range appear in the same words in
    the reader text of the page behind it."""
    from analysis.findings.cards import cards_from, growth_verdict
    from analysis.publish.plainwords import reader_text

    folder = report.parent
    results = {
        p.name.removesuffix(".results.json"): json.loads(p.read_text())
        for p in folder.glob("*.results.json")
    }
    cards = {c["key"]: c for c in cards_from(results)}

    def page(card: dict) -> str:
        return " ".join(reader_text((folder / f"{card['page']}.html").read_text()).split())

    growth = cards["growth"]["numbers"]
    verdict = growth_verdict(growth["pct_year"], growth["low"], growth["high"])
    assert verdict in page(cards["growth"])
    stopped = cards["defeated"]["numbers"]
    share, low, high = (round(100 * stopped[k]) for k in ("share", "low", "high"))
    assert f"{share}%" in page(cards["defeated"])
    assert f"plausibly {low}% to {high}%" in page(cards["defeated"])
    ahead = cards["forecast"]["numbers"]
    text = page(cards["forecast"])
    assert f"{ahead['point']:,.0f}" in text
    assert f"likely {ahead['low']:,.0f} to {ahead['high']:,.0f}" in text


@pytest.mark.real_data
def test_warm_and_fresh_kernels_publish_the_same_results_and_tables(
    report, tmp_path, real_processed
):
    """The default report (kept warm kernels) and the same report with a fresh kernel per
    notebook record the same findings and numbers and write byte-identical CSV tables."""
    root = tmp_path / "fresh"
    (root / "data").mkdir(parents=True)
    (root / "notebooks").symlink_to(PROJECT_ROOT / "notebooks", target_is_directory=True)
    (root / "data" / "processed").symlink_to(real_processed, target_is_directory=True)
    (root / "data" / "raw").symlink_to(PROJECT_ROOT / "data" / "raw", target_is_directory=True)
    fresh = run_report(ProjectPaths(root=root), release="2026-04-05", jobs=2, fresh_kernels=True)
    warm_folder, fresh_folder = report.parent, fresh.parent
    records = sorted(p.name for p in warm_folder.glob("*.results.json"))
    assert records == sorted(p.name for p in fresh_folder.glob("*.results.json"))
    for name in records:
        warm_record = json.loads((warm_folder / name).read_text())
        fresh_record = json.loads((fresh_folder / name).read_text())
        for part in ("findings", "numbers", "files"):
            assert warm_record[part] == fresh_record[part], f"{name}: {part} differ"
    tables = sorted(p.name for p in warm_folder.glob("*.csv"))
    assert tables and tables == sorted(p.name for p in fresh_folder.glob("*.csv"))
    for name in tables:
        assert (warm_folder / name).read_bytes() == (fresh_folder / name).read_bytes(), name
