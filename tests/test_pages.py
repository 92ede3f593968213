"""The project's HTML pages (a report's landing page, a batch's index) come from jinja2
templates that escape every value, share one skeleton and refuse a missing value; the batch
index reads each set's outcome from JSON."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import jinja2
import pytest

from analysis.publish import batch_index, landing, pages
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
    assert f"period {ESCAPED} to end of the data" in page


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
    tail = skeleton[skeleton.index("</main>") :]
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


@pytest.mark.parametrize("module", [landing, batch_index, pages])
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
