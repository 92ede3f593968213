"""The project's HTML pages (a report's landing page, a batch's index) come from jinja2
templates that escape every value, share one skeleton and refuse a missing value; the batch
index reads each set's outcome from JSON."""

from __future__ import annotations

import ast
import html
import json
import re
from pathlib import Path

import jinja2
import pytest

from analysis.publish import batch_index, landing, nav, pages
from analysis.publish.batch_index import write_batch_index
from analysis.publish.grid import Grid, ParameterSet
from analysis.publish.landing import write_landing_page
from analysis.publish.pages import environment, render_page
from analysis.publish.runs import COMPLETE, mark, new_run, promote, write_state
from analysis.publish.scheduler import SetSpec
from analysis.publish.sets import PlannedSet
from analysis.results import Publisher

EVIL = '<script>alert(1)</script> "q" & co'
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt; &#34;q&#34; &amp; co"


def _landing(folder: Path) -> str:
    pub = Publisher(folder, "01_demo", title=f"Demo {EVIL}")
    pub.finding("evil", f"**Bold** {EVIL}", value=1, low=0, high=2)
    index = write_landing_page(
        folder,
        [("01_demo", "01_demo.html", {})],
        {
            "release": "2026-04-05",
            "parameters": {"start": EVIL},
            "inputs": {"daily.csv": {"sha256": EVIL}},
            "git_commit": "abc123",
        },
    )
    return index.read_text(encoding="utf-8")


def _planned(container: Path, name: str, parameters: dict, run: bool = True) -> PlannedSet:
    spec = SetSpec(container, name, parameters, (), "key", container, container)
    return PlannedSet(spec, run, "inputs changed" if run else "up to date")


def _publish(container: Path, name: str, headline_text: str) -> None:
    """A complete published run of set ``name`` with one headline finding in report.json."""
    run = new_run(container, name)
    finding = {"key": "k", "text": headline_text, "value": 4, "low": 3, "high": 5, "unit": "u"}
    report = {"headline_findings": [finding], "notebooks": {}}
    (run / "report.json").write_text(json.dumps(report), encoding="utf-8")
    mark(run, COMPLETE, {"key": "key"})
    promote(container, name, run)
    write_state(
        container, name, {"status": "ok", "run": run.name, "finished_utc": "2026-05-01T10:20:30"}
    )


def _batch(container: Path) -> str:
    """A batch of three sets: ``good`` (published), ``broken`` (failed), ``later`` (not run)."""
    container.mkdir(parents=True)
    _publish(container, "good", f"Twice x is 4 {EVIL}")
    write_state(
        container,
        "broken",
        {
            "status": "failed",
            "run": "broken.20260501T000000-abcdef",
            "finished_utc": "2026-05-01T11:00:00",
            "seconds": 2.5,
            "errors": ["notebook 01_alpha.ipynb failed: ValueError: bad; and a long tail"],
            "error_summary": f"ValueError in 01_alpha: {EVIL}",
            "failed_pages": ["01_alpha.html"],
        },
    )
    grid = Grid(f"trial {EVIL}", Path("/grids/trial.yaml"), (ParameterSet("good"),))
    planned = [
        _planned(container, "good", {"x": 1}),
        _planned(container, "broken", {"x": EVIL}),
        _planned(container, "later", {"x": 3}),
    ]
    made = {"good": object(), "broken": object()}  # handed out in this batch; outcome from JSON
    return write_batch_index(container, grid, planned, made).read_text(encoding="utf-8")


def test_the_landing_page_escapes_findings_titles_parameters_and_provenance(tmp_path):
    page = _landing(tmp_path)
    assert "<script>" not in page and '"q"' not in page
    assert f"<strong>Bold</strong> {ESCAPED}</li>" in page  # the finding, its markup kept
    assert f"Demo {ESCAPED}</h2>" in page  # the notebook's title
    assert f"<td>parameters</td><td>start={ESCAPED}</td>" in page
    assert f"<td>daily.csv sha256</td><td>{ESCAPED}</td>" in page
    assert f"period: from {ESCAPED} to the end of the data" in page
    assert "Data release of 5 Apr 2026;" in page  # a release named by its date, readably
    provenance = page[page.index('<details id="provenance">') :]
    assert f"<td>daily.csv sha256</td><td>{ESCAPED}</td>" in provenance  # behind the fold


@pytest.mark.parametrize(
    ("start", "end", "words"),
    [
        (None, None, "the whole record"),
        ("2025-01-01", None, "from 1 Jan 2025 to the end of the data"),
        (None, "2025-06-30", "from the start of the data to 30 Jun 2025"),
        ("2025-01-01", "2025-06-30", "1 Jan 2025 to 30 Jun 2025"),
    ],
)
def test_the_landing_page_names_its_period_in_readable_dates(start, end, words):
    assert landing.period_text(start, end) == words
    assert landing.readable_day("2026-04-05") == "5 Apr 2026"
    assert landing.readable_day("release-7") == "release-7"


def test_cells_tagged_method_fold_into_one_collapsed_block_per_run(tmp_path):
    import nbformat

    from analysis.publish.execute import render_html
    from analysis.publish.plainwords import reader_text

    cell = nbformat.v4.new_markdown_cell
    method = {"tags": ["method"]}
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        cell("# Trends\n\nDrone launches are rising."),
        cell("The negative binomial fit, with its 95% CI.", metadata=method),
        cell("An AIC table.", metadata=method),
        cell("## Regimes\n\nThe level settled in Feb 2025."),
        cell("Breaks found by PELT.", metadata=method),
    ]
    nbformat.write(notebook, tmp_path / "page.ipynb")
    page = render_html(tmp_path / "page.ipynb", "Trends")
    folds = re.findall(r"<details class=\"method\">(.*?)</details>", page, flags=re.S)
    assert len(folds) == 2
    assert "negative binomial" in folds[0] and "AIC table" in folds[0] and "PELT" in folds[1]
    assert "<summary>Method and diagnostics</summary>" in folds[0]
    shown = reader_text(page)
    assert "Drone launches are rising." in shown and "The level settled in Feb 2025." in shown
    assert "binomial" not in shown and "PELT" not in shown and "Method and diagnostics" not in shown


def test_a_finding_sentence_marks_only_its_double_starred_parts_bold():
    assert landing.sentence("**Up** 5% <b> **x**") == [
        {"text": "Up", "bold": True},
        {"text": " 5% <b> ", "bold": False},
        {"text": "x", "bold": True},
    ]


def test_the_batch_index_escapes_set_parameters_key_figures_errors_and_the_batch_name(tmp_path):
    page = _batch(tmp_path / "trial")
    assert "<script>" not in page and '"q"' not in page
    assert f"<title>Batch trial {ESCAPED}</title>" in page
    assert f"<code>x={ESCAPED}</code>" in page
    assert f"<strong>4</strong> u (3 to 5)<small>Twice x is 4 {ESCAPED}</small>" in page
    assert f'<div class="err">ValueError in 01_alpha: {ESCAPED}</div>' in page


def test_the_batch_index_shows_each_sets_state_from_its_json(tmp_path):
    page = _batch(tmp_path / "trial")
    row = {m[0]: m[1] for m in re.findall(r'<tr id="(\w+)">(.*?)</tr>', page, flags=re.S)}
    assert set(row) == {"good", "broken", "later"}
    assert '<td class="status ok">made</td>' in row["good"]
    assert 'href="good/index.html"' in row["good"] and "2026-05-01 10:20" in row["good"]
    assert '<td class="status failed">failed</td>' in row["broken"]
    assert "2026-05-01 11:00<br>2.5 s" in row["broken"]
    assert 'href=".runs/broken.20260501T000000-abcdef/01_alpha.html"' in row["broken"]
    assert "a long tail" not in row["broken"]  # the recorded summary, not the error text
    assert '<td class="status stale">not run</td>' in row["later"]
    assert "1 failed, 1 made, 1 not run." in page


def test_without_a_recorded_summary_the_index_shows_the_first_error_whole(tmp_path):
    container = tmp_path / "trial"
    error = "notebook 01_alpha.ipynb failed: ValueError: bad; the executed copy with the error is x"
    write_state(container, "broken", {"status": "failed", "run": "r", "errors": [error]})
    grid = Grid("trial", Path("trial.yaml"), ())
    page = write_batch_index(container, grid, [_planned(container, "broken", {})], {})
    assert f'<div class="err">{error}</div>' in page.read_text(encoding="utf-8")


def test_both_pages_extend_one_skeleton_with_the_same_head_and_css(tmp_path):
    skeleton = render_page("base.html.j2")
    head, _, rest = skeleton.partition("<title></title>")
    css = rest[rest.index("<style>") : rest.index("</style>")].strip()
    tail = skeleton[skeleton.index("</body>") :]  # a report's page adds its footer before
    assert head.startswith('<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">')
    assert 'name="viewport"' in head and "font-family:system-ui" in css
    for page in (_landing(tmp_path / "report"), _batch(tmp_path / "trial")):
        assert page.startswith(head) and css in page and page.endswith(tail)
    for name in ("landing.html.j2", "batch_index.html.j2"):
        source = environment().loader.get_source(environment(), name)[0]
        extends = list(environment().parse(source).find_all(jinja2.nodes.Extends))
        assert [e.template.value for e in extends] == ["base.html.j2"]


@pytest.mark.parametrize(
    ("template", "context_of"),
    [
        (
            "landing.html.j2",
            lambda: landing.landing_context({}, [("01_a", "01_a.html", {})], {"release": "r"}),
        ),
        (
            "batch_index.html.j2",
            lambda: batch_index.index_context(Grid("b", Path("b.yaml"), ()), []),
        ),
    ],
)
def test_a_value_missing_from_the_context_is_an_error_not_an_empty_cell(template, context_of):
    context = context_of()
    assert render_page(template, **context).startswith("<!DOCTYPE html>")
    for key in context:
        with pytest.raises(jinja2.UndefinedError, match=key):
            render_page(template, **{k: v for k, v in context.items() if k != key})


HTML_TAG = re.compile(r"<(td|tr|th|a\s|li|p>|p\s|h[1-6]|table|div|ul|span|strong|code|img)")


@pytest.mark.parametrize("module", [landing, batch_index, pages, nav])
def test_the_page_modules_hold_no_html_and_no_hand_written_escaping(module):
    source = Path(module.__file__).read_text(encoding="utf-8")
    assert "html.escape" not in source and "import html" not in source
    literals = [
        node.value
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    ]
    assert [text for text in literals if HTML_TAG.search(text)] == []


def test_the_landing_page_states_whose_counts_the_report_uses(tmp_path):
    page = _landing(tmp_path)  # parameters without a scope: the notebooks' default
    assert "counts of the Air Force&#39;s national summary." in page
    every = write_landing_page(
        tmp_path / "all",
        [],
        {"release": "2026-04-05", "parameters": {"scope": "all"}},
    ).read_text(encoding="utf-8")
    assert "counts of every reporter (national summary, air commands and others" in every


def test_the_landing_page_carries_the_calibration_table_behind_a_method_fold(tmp_path):
    from analysis.publish.landing import copy_calibration

    source = tmp_path / "calibration"
    source.mkdir()
    (source / "calibration.csv").write_text(
        "estimator,label,process,rho,level,replicates,coverage,band_low,band_high,meets_target\n"
        "growth,Growth <rate>,ar1_0.5,0.5,0.95,200,0.935,0.89,0.96,True\n"
        "growth,Growth <rate>,iid,0,0.95,200,0.95,0.91,0.97,True\n"
        "salvo,Salvo trend,ar1_0.5,0.5,0.95,200,0.82,0.76,0.87,False\n",
        encoding="utf-8",
    )
    (source / "calibration.png").write_bytes(b"png")
    (source / "calibration.json").write_text("{}", encoding="utf-8")
    report = tmp_path / "report"
    assert copy_calibration(source, report)
    assert (report / "calibration" / "calibration.png").read_bytes() == b"png"
    page = write_landing_page(report, [], {"release": "2026-04-05"}).read_text(encoding="utf-8")
    assert "Method: how far the intervals hold" in page
    assert "<td>Growth &lt;rate&gt;</td><td>94%</td><td>89% to 96%</td>" in page
    assert (
        "<td>Salvo trend</td><td>82%</td><td>76% to 87%</td><td>200</td><td>too narrow</td>" in page
    )
    assert page.count("<td>Growth &lt;rate&gt;</td>") == 1  # only the rho 0.5, 95% rows
    assert not copy_calibration(tmp_path / "none", tmp_path / "other")
    bare = write_landing_page(tmp_path / "other", [], {}).read_text(encoding="utf-8")
    assert "No calibration run was found" in bare


# --- the report's frame on the landing page and the notebook pages -------------------------

PROVENANCE = {
    "release": "2026-04-05",
    "inputs": {"missile_attacks_daily.csv": {"sha256": "367cd624" * 8}},
    "parameters": {},
    "started_utc": "2026-12-03T13:25:01+00:00",
    "run_seconds": 60.0,
}


def _notebook(path: Path, *markdown: str, output: str | None = None) -> Path:
    """An executed notebook as a kernel leaves it: markdown cells, one code cell whose output
    is ``output`` (markdown), a parameters cell that the page drops."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    parameters = nbformat.v4.new_code_cell("release = 'x'")
    parameters.metadata["tags"] = ["parameters"]
    nb.cells = [parameters, *(nbformat.v4.new_markdown_cell(text) for text in markdown)]
    if output is not None:
        data = {"text/markdown": output, "text/plain": output}
        nb.cells.append(
            nbformat.v4.new_code_cell(
                "show()", outputs=[nbformat.v4.new_output("display_data", data)]
            )
        )
    nbformat.write(nb, path)
    return path


def _rendered(folder: Path, stem: str, *markdown: str, output: str | None = None) -> Path:
    """The notebook's page as a report run renders it: its findings' key points, its title."""
    from analysis.publish.execute import key_points, read_record, render_html
    from analysis.publish.nav import document_title

    source = _notebook(folder / f"{stem}.ipynb", *markdown, output=output)
    points = key_points(read_record(folder, stem))
    page = render_html(source, document_title(stem, "2026-04-05"), points)
    target = folder / f"{stem}.html"
    target.write_text(page, encoding="utf-8")
    return target


def _framed_report(folder: Path) -> tuple[str, str]:
    """A report of two notebook pages and its landing page: (landing page, trends page)."""
    pub = Publisher(folder, "02_escalation_trends", title="Escalation trends")
    pub.finding("up", f"Drone launches are **rising** {EVIL}", value=1, low=0, high=2)
    pub.finding("aside", "Not a headline.", headline=False)
    Publisher(folder, "05_forecast", title="Forecast").write()
    trends = _rendered(folder, "02_escalation_trends", "# Escalation trends\n\n## Drones\n\ntext")
    _rendered(folder, "05_forecast", "# Forecast")
    sections = [
        ("02_escalation_trends", trends.name, {}),
        ("05_forecast", "05_forecast.html", {}),
    ]
    index = write_landing_page(folder, sections, PROVENANCE)
    return index.read_text(encoding="utf-8"), trends.read_text(encoding="utf-8")


def test_the_landing_page_and_the_notebook_pages_carry_one_nav_bar_footer_and_print_css(tmp_path):
    from analysis.publish.nav import FOOTER_MARK, NAV_MARK

    landing_page, trends = _framed_report(tmp_path)
    forecast = (tmp_path / "05_forecast.html").read_text(encoding="utf-8")
    links = [
        '<a href="index.html"{}>Overview</a>',
        '<a href="02_escalation_trends.html"{}>Trends</a>',
        '<a href="05_forecast.html"{}>Forecast</a>',
        '<a href="index.html#downloads"{}>Downloads</a>',
    ]
    for page, current in ((landing_page, 0), (trends, 1), (forecast, 2)):
        nav_bar = page[page.index('<nav class="pages"') : page.index("</nav>")]
        marked = [
            link.format(' aria-current="page"' if i == current else "")
            for i, link in enumerate(links)
        ]
        assert re.findall(r"<a [^>]*>[^<]*</a>", nav_bar) == marked
        assert page.index('<nav class="pages"') < page.index("<main>")
        assert "Data release 2026-04-05; missile_attacks_daily.csv sha256 " in page
        assert f"<code>{'367cd624' * 8}</code>" in page
        assert "Report generated 3 Dec 2026, 13:26 UTC." in page
        assert page.index("</main>") < page.index('<footer class="page">')
        assert "@media print{\nnav.pages,a.anchor-link{display:none!important}" in page
        assert "break-inside:avoid" in page and "details::details-content" in page
        assert NAV_MARK not in page and FOOTER_MARK not in page
    assert '<section id="downloads">' in landing_page
    assert "<title>Escalation trends – Russia's strikes on Ukraine, release 2026-04-05<" in trends


def test_the_key_points_box_shows_the_headline_findings_escaped_and_bold_only_by_markup(tmp_path):
    _, trends = _framed_report(tmp_path)
    box = trends[trends.index('class="key-points"') : trends.index("</section>")]
    items = re.findall(r"<li>(.*?)</li>", box, flags=re.S)
    assert len(items) == 1 and items[0].startswith("Drone launches are <strong>rising</strong> ")
    assert re.findall(r"<(\w+)", items[0]) == ["strong"]  # the one tag is the markup's
    assert html.unescape(items[0]) == f"Drone launches are <strong>rising</strong> {EVIL}"
    assert "Not a headline" not in box and "<script>" not in trends
    assert trends.index('class="key-points"') < trends.index('id="Escalation-trends"')
    forecast = (tmp_path / "05_forecast.html").read_text(encoding="utf-8")
    assert 'class="key-points"' not in forecast  # no findings at all: no empty box


def test_key_points_are_the_headline_findings_or_else_the_first_three():
    from analysis.publish.execute import key_points

    findings = [{"text": f"f{i}", "headline": i in (1, 3)} for i in range(5)]
    assert key_points({"findings": findings}) == ["f1", "f3"]
    plain = [{**f, "headline": False} for f in findings]
    assert key_points({"findings": plain}) == ["f0", "f1", "f2"]
    assert key_points(None) == [] and key_points({"findings": []}) == []


def test_repeated_headings_get_unique_ids_and_each_anchor_link_points_to_its_own(tmp_path):
    page = _rendered(
        tmp_path,
        "02_escalation_trends",
        "# Trends\n\n## Drones\n\nweekly\n\n## Missiles",
        "## Drones\n\nregimes\n\n## Drones-2\n\n## Drones",
        output="## Drones\n\nfrom an output",
    ).read_text(encoding="utf-8")
    headings = re.findall(r'<h2 id="([^"]*)">([^<]*)<a class="anchor-link" href="#([^"]*)"', page)
    assert [(i, text) for i, text, _ in headings] == [
        ("Drones", "Drones"),
        ("Missiles", "Missiles"),
        ("Drones-3", "Drones"),  # -2 is taken by the heading that reads "Drones-2"
        ("Drones-2", "Drones-2"),
        ("Drones-4", "Drones"),
        ("Drones-5", "Drones"),  # the output's heading too
    ]
    assert all(i == href for i, _, href in headings)
    ids = re.findall(r'\sid="([^"]*)"', page)
    assert len(ids) == len(set(ids))


def test_a_heading_id_that_is_unique_already_is_left_as_it_is():
    from analysis.publish.execute import unique_heading_ids

    page = '<h2 id="B">B<a class="anchor-link" href="#B">¶</a></h2><p id="B-2">b</p>'
    assert unique_heading_ids(page) == page
    twice = '<h3 id="B">B<a class="anchor-link" href="#B">¶</a></h3>'
    assert unique_heading_ids(page + twice) == page + twice.replace('"B"', '"B-3"').replace(
        '"#B"', '"#B-3"'
    )  # the paragraph's id is taken


# --- the report as one PDF -------------------------------------------------------------------


def test_the_report_prints_to_one_pdf_in_headless_chromium(tmp_path):
    from analysis.publish.pdf import PDF_NAME, chromium_path, print_report_pdf

    if chromium_path() is None:
        pytest.skip("no Chromium found (Debian: apt-get install chromium; or set CHROMIUM)")
    from pypdf import PdfReader

    _framed_report(tmp_path)
    pdf = print_report_pdf(tmp_path)
    assert pdf == tmp_path / PDF_NAME
    reader = PdfReader(str(pdf))
    html_pages = ["index.html", "02_escalation_trends.html", "05_forecast.html"]
    assert all((tmp_path / name).is_file() for name in html_pages)
    assert len(reader.pages) >= len(html_pages)
    assert [item.title for item in reader.outline] == [
        "Overview",
        "Escalation trends",
        "Forecast",
    ]
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Report generated 3 Dec 2026, 13:26 UTC." in text
    assert not re.search(r"^Trends$", text, flags=re.M), text  # no nav bar on paper
    assert not list(tmp_path.glob(".*.tmp"))


def test_without_chromium_the_pdf_says_what_to_install(tmp_path, monkeypatch):
    from analysis.publish import pdf

    (tmp_path / "index.html").write_text("<p>report</p>", encoding="utf-8")
    monkeypatch.setattr(pdf, "chromium_path", lambda: None)
    with pytest.raises(pdf.PdfError, match="apt-get install chromium.*CHROMIUM="):
        pdf.print_report_pdf(tmp_path)
    assert not (tmp_path / pdf.PDF_NAME).exists()


def test_a_folder_without_a_report_has_nothing_to_print(tmp_path):
    from analysis.publish.pdf import PdfError, report_html_pages

    with pytest.raises(PdfError, match="index.html is missing"):
        report_html_pages(tmp_path)
    for name in ("index.html", "05_forecast.html", "01_data_overview.html", "notes.html"):
        (tmp_path / name).write_text("x", encoding="utf-8")
    assert [p.name for p in report_html_pages(tmp_path)] == [
        "index.html",
        "01_data_overview.html",
        "05_forecast.html",
    ]


def test_the_report_command_prints_the_pdf_only_when_asked():
    from analysis.__main__ import parser

    assert parser().parse_args(["report", "--pdf"]).pdf is True
    assert parser().parse_args(["report"]).pdf is False
