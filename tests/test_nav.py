"""Every page of a report shares one frame: a nav bar of the pages the report holds, in a fixed
order with the current page marked, human page titles, and a footer with the data release, the
raw file's sha256 and when the report was made."""

from __future__ import annotations

import datetime as dt

from analysis.publish.nav import (
    FOOTER_MARK,
    NAV_MARK,
    NavEntry,
    document_title,
    footer_context,
    frame_notebook_pages,
    frame_page,
    mark_current,
    nav_entries,
    page_title,
    report_pages,
)

ALL_PAGES = [
    "index.html",
    "01_data_overview.html",
    "02_escalation_trends.html",
    "03_salvo_and_interception.html",
    "04_supply_partnerships.html",
    "05_forecast.html",
]
PROVENANCE = {
    "release": "2026-04-05",
    "inputs": {
        "missiles_and_uavs.csv": {"sha256": "d85bdf56"},
        "missile_attacks_daily.csv": {"sha256": "367cd624"},
    },
    "started_utc": "2026-12-03T13:25:01+00:00",
    "run_seconds": 60.0,
}


def test_the_nav_bar_lists_the_reports_pages_in_the_readers_order():
    entries = nav_entries(ALL_PAGES)
    assert [(e.label, e.href) for e in entries] == [
        ("Overview", "index.html"),
        ("Trends", "02_escalation_trends.html"),
        ("Attacks and defences", "03_salvo_and_interception.html"),
        ("Partnerships", "04_supply_partnerships.html"),
        ("Forecast", "05_forecast.html"),
        ("Data and method", "01_data_overview.html"),
        ("Downloads", "index.html#downloads"),
    ]
    assert not any(e.current for e in entries)


def test_only_the_current_page_is_marked():
    on_forecast = nav_entries(ALL_PAGES, "05_forecast.html")
    assert [e.label for e in on_forecast if e.current] == ["Forecast"]
    on_landing = nav_entries(ALL_PAGES, "index.html")
    assert [e.label for e in on_landing if e.current] == ["Overview"]  # not the downloads too
    entries = (NavEntry("A", "a.html", current=True), NavEntry("B", "b.html"))
    assert mark_current(entries, "b.html") == (
        NavEntry("A", "a.html"),
        NavEntry("B", "b.html", current=True),
    )
    assert not any(e.current for e in mark_current(entries, None))


def test_a_page_missing_from_the_report_is_not_linked():
    without_forecast = [p for p in ALL_PAGES if p != "05_forecast.html"]
    hrefs = [e.href for e in nav_entries(without_forecast)]
    assert "05_forecast.html" not in hrefs and len(hrefs) == 6
    no_landing = [e.label for e in nav_entries(["02_escalation_trends.html"])]
    assert no_landing == ["Trends"]  # no Overview and no Downloads without the landing page


def test_a_notebook_the_table_does_not_know_is_linked_by_its_name_in_words():
    entries = nav_entries(["index.html", "06_air_defence_load.html", "05_forecast.html"])
    assert [e.label for e in entries] == ["Overview", "Forecast", "Air defence load", "Downloads"]
    assert page_title("06_air_defence_load") == "Air defence load"


def test_page_titles_are_plain_words_and_name_the_release():
    assert page_title("02_escalation_trends") == "Escalation trends"
    assert page_title("04_supply_partnerships") == "Supply partnerships"
    title = document_title("03_salvo_and_interception", "2026-04-05")
    assert title == "Attacks and air defences – Russia's strikes on Ukraine, release 2026-04-05"
    assert "_" not in title
    assert document_title("05_forecast") == "Forecast – Russia's strikes on Ukraine"


def test_report_pages_are_the_landing_page_and_each_rendered_notebook_page():
    sections = [("01_a", "01_a.html", {}), ("02_b", None, {}), ("03_c", "03_c.html", {})]
    assert report_pages(sections) == ["index.html", "01_a.html", "03_c.html"]


def test_the_footer_states_the_release_the_daily_files_sha256_and_when_the_report_was_made():
    footer = footer_context(PROVENANCE)
    assert footer.release == "2026-04-05"
    assert (footer.data_file, footer.sha256) == ("missile_attacks_daily.csv", "367cd624")
    assert footer.generated == "3 Dec 2026, 13:26 UTC"  # start plus the 60 s run


def test_without_a_recorded_start_the_footer_takes_the_clock_and_says_what_is_missing():
    now = dt.datetime(2026, 5, 7, 8, 9, tzinfo=dt.UTC)
    footer = footer_context({}, now=now)
    assert footer.generated == "7 May 2026, 08:09 UTC"
    assert (footer.release, footer.sha256) == ("", "")
    naive = footer_context({"started_utc": "2026-01-02T03:04:05"})
    assert naive.generated == "2 Jan 2026, 03:04 UTC"  # read as UTC


def test_framing_a_page_puts_the_nav_bar_and_footer_in_place_of_their_markers():
    page = f"<body>{NAV_MARK}<main>{FOOTER_MARK} in the text</main>{FOOTER_MARK}</body>"
    evil = {**PROVENANCE, "release": "<script>x</script>"}
    framed = frame_page(
        page, nav_entries(ALL_PAGES, "02_escalation_trends.html"), footer_context(evil)
    )
    assert NAV_MARK not in framed and framed.count(FOOTER_MARK) == 1  # only the last one
    assert framed.startswith('<body><nav class="pages" aria-label="Report pages">')
    assert '<a href="02_escalation_trends.html" aria-current="page">Trends</a>' in framed
    assert framed.count('aria-current="page"') == 1
    assert "Data release &lt;script&gt;x&lt;/script&gt;;" in framed and "<script>" not in framed
    assert "missile_attacks_daily.csv sha256 <code>367cd624</code>" in framed
    assert "Report generated 3 Dec 2026, 13:26 UTC." in framed
    assert framed.index("</main>") < framed.index('<footer class="page">')


def test_framing_the_notebook_pages_rewrites_those_present_and_skips_the_rest(tmp_path):
    (tmp_path / "02_escalation_trends.html").write_text(f"{NAV_MARK}x{FOOTER_MARK}", "utf-8")
    sections = [
        ("02_escalation_trends", "02_escalation_trends.html", {}),
        ("05_forecast", "05_forecast.html", {}),  # listed, but its page is not there
    ]
    framed = frame_notebook_pages(tmp_path, sections, PROVENANCE)
    assert framed == [tmp_path / "02_escalation_trends.html"]
    text = framed[0].read_text(encoding="utf-8")
    assert 'href="05_forecast.html"' in text and 'aria-current="page">Trends' in text
    assert not list(tmp_path.glob(".*.tmp"))
