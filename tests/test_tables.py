"""Tables for readers (analysis/figures/tables.py): display names, no index, thousands
separators, percentages, readable dates, a dash for every kind of missing value, escaping,
collapsing of long tables and the CSV link; on hand-written frames and on the real release."""

from __future__ import annotations

import datetime as dt
import html
import re

import numpy as np
import pandas as pd
import pytest

from analysis.data.overview import biggest_waves
from analysis.figures.tables import (
    MISSING,
    ReaderTable,
    csv_name,
    display_name,
    display_table,
    publish_table,
    reader_items,
)
from analysis.results import Publisher


def visible(table: ReaderTable) -> str:
    """The text a reader sees: no style block, no tags, entities resolved."""
    body = re.sub(r"<style.*?</style>", "", table.html, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


def cells(table: ReaderTable, tag: str = "td") -> list[str]:
    """The text of every ``tag`` cell, in order (both the shown and the collapsed rows)."""
    found = re.findall(rf"<{tag}[^>]*>(.*?)</{tag}>", table.html, flags=re.S)
    return [html.unescape(re.sub(r"<[^>]+>", "", c)) for c in found]


def column(table: ReaderTable, header: str) -> list[str]:
    """The cells under ``header`` (first table only when the table is collapsed)."""
    first = re.search(r"<table[^>]*>.*?</table>", table.html, flags=re.S)
    assert first is not None
    part = ReaderTable(first.group(0), 0, ())
    heads = cells(part, "th")
    n = len(heads)
    return cells(part)[heads.index(header) :: n]


def test_integers_get_thousands_separators_and_are_right_aligned():
    table = display_table(pd.DataFrame({"launched": [54702, 3, 1_234_567]}))
    assert column(table, "Launched") == ["54,702", "3", "1,234,567"]
    assert '<td class="num nowrap">54,702</td>' in table.html


def test_a_year_column_keeps_its_digits_together():
    table = display_table(pd.DataFrame({"year": [2025, 2026], "launched": [2025, 2026]}))
    assert column(table, "Year") == ["2025", "2026"]
    assert column(table, "Launched") == ["2,025", "2,026"]


def test_floats_get_one_decimal_unless_decimals_says_otherwise():
    frame = pd.DataFrame({"rate": [0.123456, -0.04], "ratio": [1.23456, 12345.678]})
    table = display_table(frame, decimals={"ratio": 3})
    assert column(table, "Rate") == ["0.1", "0.0"]  # no "-0.0"
    assert column(table, "Ratio") == ["1.235", "12,345.678"]


def test_percent_columns_hold_percentages_and_shares_columns_fractions():
    frame = pd.DataFrame(
        {"launched_pct": [92.16, 40.0], "share": [0.4337, 0.0], "vs": [-0.11, 0.2]}
    )
    table = display_table(frame, percent=["launched_pct"], shares=["share", "vs"], signed=["vs"])
    assert column(table, "Launched (%)") == ["92.2%", "40.0%"]
    assert column(table, "Share") == ["43.4%", "0.0%"]
    assert column(table, "Vs") == ["-11.0%", "+20.0%"]
    assert column(display_table(frame, shares=["share"], decimals={"share": 0}), "Share") == [
        "43%",
        "0%",
    ]


def test_dates_read_day_month_year_with_the_iso_date_kept_for_machines():
    frame = pd.DataFrame(
        {
            "date": pd.to_datetime(["2025-09-07", "2024-08-26"]),
            "as_object": [dt.date(2025, 9, 7), dt.date(2024, 8, 26)],
            "as_text": ["2025-09-07", "2024-08-26"],
        }
    )
    table = display_table(frame)
    for header in ("Date", "As object", "As text"):
        assert column(table, header) == ["7 Sep 2025", "26 Aug 2024"]
    assert '<time datetime="2025-09-07">7 Sep 2025</time>' in table.html


def test_month_starts_read_as_months_and_times_are_kept_when_not_midnight():
    frame = pd.DataFrame(
        {
            "month": pd.to_datetime(["2025-09-01", "2025-10-01"]),
            "period": pd.PeriodIndex(["2025-09", "2025-10"], freq="M"),
            "label": ["2025-09 (part)", "2025-10*"],
            "start": pd.to_datetime(["2025-09-06 17:00", "2025-10-01 00:00"]),
            "tz": pd.to_datetime(["2025-09-07", "2025-09-08"]).tz_localize("Europe/Kyiv"),
        }
    )
    table = display_table(frame)
    assert column(table, "Month") == ["Sep 2025", "Oct 2025"]
    assert column(table, "Period") == ["Sep 2025", "Oct 2025"]
    assert column(table, "Label") == ["Sep 2025 (part)", "Oct 2025*"]
    assert column(table, "Start") == ["6 Sep 2025 17:00", "1 Oct 2025 00:00"]
    assert column(table, "Tz") == ["7 Sep 2025", "8 Sep 2025"]
    ranges = display_table(pd.DataFrame({"interval": ["2025-01-06 to 2025-02-03"]}))
    assert column(ranges, "Interval") == ["6 Jan 2025 to 3 Feb 2025"]


def test_text_that_only_looks_like_a_date_stays_text():
    table = display_table(pd.DataFrame({"note": ["2025-13", "season 2023-24"]}))
    assert column(table, "Note") == ["2025-13", "season 2023-24"]


def test_every_kind_of_missing_value_reads_as_a_dash():
    frame = pd.DataFrame(
        {
            "float": [np.nan, 1.0, 2.0, 3.0, 4.0, 5.0],
            "nullable": pd.array([pd.NA, 1, 2, 3, 4, 5], dtype="Int64"),
            "object": [None, "a", "nan", "<NA>", "NaT", "n/a"],
            "date": pd.to_datetime([None, "2025-01-02", None, None, None, None]),
            "mixed": [pd.NaT, dt.date(2025, 1, 2), None, np.nan, pd.NA, dt.date(2025, 1, 3)],
            "flag": pd.array([pd.NA, True, False, True, False, True], dtype="boolean"),
        }
    )
    table = display_table(frame)
    assert [column(table, h)[0] for h in ("Float", "Nullable", "Object", "Date", "Mixed")] == [
        MISSING
    ] * 5
    assert column(table, "Object") == ["a" if i == 1 else MISSING for i in range(6)]
    assert column(table, "Mixed")[1] == "2 Jan 2025"
    assert column(table, "Flag") == [MISSING, "yes", "no", "yes", "no", "yes"]
    text = visible(table)
    for word in ("nan", "NaN", "NaT", "<NA>", "None", "n/a"):
        assert not re.search(rf"(?<![\w<]){re.escape(word)}(?![\w>])", text), word


def test_booleans_read_yes_and_no():
    table = display_table(pd.DataFrame({"time_known": [True, False], "np": np.array([1, 0]) > 0}))
    assert column(table, "Time known") == ["yes", "no"]
    assert column(table, "Np") == ["yes", "no"]


def test_text_headers_and_caption_are_escaped():
    frame = pd.DataFrame({"<b>name</b>": ["<script>alert(1)</script>", "a & b"]})
    table = display_table(frame, caption="Caption <img src=x onerror=alert(1)>")
    assert "<script>" not in table.html and "<img" not in table.html and "<b>" not in table.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in table.html
    assert "a &amp; b" in table.html
    assert "&lt;b&gt;name&lt;/b&gt;" in table.html
    assert "Caption &lt;img src=x onerror=alert(1)&gt;" in table.html


def test_snake_case_headers_become_sentence_case_and_readable_ones_stay():
    assert display_name("launched_pct") == "Launched (%)"
    assert display_name("growth_low_model") == "Growth low model"
    assert display_name("ci_low") == "CI low"
    assert display_name("event_id") == "Event ID"
    assert display_name("shot down") == "Shot down"
    assert display_name("Iranian-design share") == "Iranian-design share"
    assert display_name("95% CI low") == "95% CI low"
    assert display_name("p (Poisson vs NB)") == "p (Poisson vs NB)"
    table = display_table(
        pd.DataFrame({"flagged_rows": [1], "total": [2]}), columns={"total": "All rows"}
    )
    assert cells(table, "th") == ["Flagged rows", "All rows"]


def test_a_cell_of_snake_case_identifiers_is_written_in_words_and_labels_come_first():
    frame = pd.DataFrame({"class": ["strike_drone", "cruise_missile", "a_b, c_d", "KN-23"]})
    assert column(display_table(frame), "Class") == [
        "Strike drone",
        "Cruise missile",
        "a b, c d",
        "KN-23",
    ]
    labelled = display_table(frame, labels={"class": {"strike_drone": "Shahed-type drones"}})
    assert column(labelled, "Class")[0] == "Shahed-type drones"


def test_a_meaningful_index_becomes_the_first_column_and_a_default_one_is_dropped():
    ranked = pd.DataFrame({"drones": [810, 728]}, index=pd.RangeIndex(1, 3, name="rank"))
    assert cells(display_table(ranked), "th") == ["Rank", "Drones"]
    assert cells(display_table(ranked)) == ["1", "810", "2", "728"]
    labelled = pd.DataFrame({"value": ["2026-04-05"]}, index=pd.Index(["release"], name="item"))
    assert cells(display_table(labelled)) == ["release", "5 Apr 2026"]
    plain = pd.DataFrame({"drones": [810, 728]})
    assert cells(display_table(plain), "th") == ["Drones"]
    assert cells(display_table(ranked, index=False), "th") == ["Drones"]
    unnamed = pd.DataFrame({"n": [1]}, index=["a"])
    assert cells(display_table(unnamed), "th") == ["", "n"]
    assert "<th" not in display_table(plain).html.split("<tbody>")[1]  # no row headers


def test_a_long_table_shows_its_first_rows_and_collapses_the_rest_with_the_row_count():
    frame = pd.DataFrame({"n": range(30)})
    table = display_table(frame, max_rows=12)
    shown, rest = table.html.split("<details", 1)
    assert cells(ReaderTable(shown, 0, ())) == [str(i) for i in range(12)]
    assert "<summary>Show all 30 rows</summary>" in rest
    assert cells(ReaderTable(rest, 0, ())) == [str(i) for i in range(12, 30)]
    assert cells(ReaderTable(rest, 0, ()), "th") == ["n"]  # the header repeated
    assert table.rows == 30
    assert "<details" not in display_table(frame, max_rows=30).html
    assert "<details" not in display_table(frame, max_rows=None).html


def test_the_csv_link_points_at_the_file_the_publisher_writes(tmp_path):
    pub = Publisher(tmp_path, "03_salvo_and_interception")
    frame = pd.DataFrame({"measure": ["drones"], "per_year": [39.81]})
    table = publish_table(pub, frame, "salvo_slopes", "Salvo growth per year")
    name = csv_name(pub, "salvo_slopes")
    assert name == "03_salvo_and_interception__salvo_slopes.csv"
    assert (tmp_path / name).is_file()
    assert pd.read_csv(tmp_path / name).columns.tolist() == ["measure", "per_year"]  # as saved
    assert f'<a href="{name}" download>Download CSV</a>' in table.html
    assert table.csv == name
    assert "<figcaption>Salvo growth per year</figcaption>" in table.html
    assert table.html.index("figcaption") < table.html.index("<table ")
    assert "Download CSV" not in display_table(frame).html


def test_the_table_scrolls_in_its_own_box_and_shows_as_html_in_jupyter():
    table = display_table(pd.DataFrame({"launched": [1], "month": ["2025-09"]}))
    assert 'style="overflow-x:auto;max-width:100%;"' in table.html
    assert table._repr_html_() == table.html
    assert str(table) == "table of 1 row: Launched, Month"
    assert "<table" not in repr(table)


def test_links_are_made_from_escaped_parts_and_only_to_web_addresses():
    frame = pd.DataFrame(
        {
            "source": ["Kyiv <Independent>", "Somewhere", None],
            "url": ["https://example.org/a?b=1&c=2", "javascript:alert(1)", "https://x.org"],
        }
    )
    table = display_table(frame, links={"source": "url"})
    assert cells(table, "th") == ["Source"]
    assert (
        '<a href="https://example.org/a?b=1&amp;c=2" target="_blank" '
        'rel="noopener noreferrer">Kyiv &lt;Independent&gt;</a>'
    ) in table.html
    assert "javascript" not in table.html
    assert column(table, "Source") == ["Kyiv <Independent>", "Somewhere", MISSING]


def test_hidden_columns_and_shaded_rows():
    frame = pd.DataFrame({"event_id": ["a-b"], "event": ["First use"], "checked": [False]})
    table = display_table(frame, hide=["event_id", "not there"], shade=[True])
    assert cells(table, "th") == ["Event", "Checked"]
    assert '<tr class="shaded"' in table.html
    with pytest.raises(ValueError, match="2 flags for 1 rows"):
        display_table(frame, shade=[True, False])


def test_reader_items_show_each_table_with_its_csv_in_order():
    first, second = pd.DataFrame({"a": [1]}), pd.DataFrame({"b": [2]})
    items = reader_items(["heading", first, second], ["x.csv"])
    assert items[0] == "heading"
    assert isinstance(items[1], ReaderTable) and items[1].csv == "x.csv"
    assert isinstance(items[2], ReaderTable) and items[2].csv is None


def test_the_largest_real_waves_read_plainly(real_waves):
    top = biggest_waves(real_waves, n=10, by="drones_launched")
    table = display_table(top, csv="01_data_overview__top_waves_drones.csv")
    assert cells(table, "th")[:5] == ["Rank", "Date", "Start", "End", "Time known"]
    first = cells(table)[: len(cells(table, "th"))]
    assert first[:5] == ["1", "7 Sep 2025", "6 Sep 2025 17:00", "7 Sep 2025 09:30", "yes"]
    assert "810" in first and "747" in first
    assert "<details" not in table.html  # ten rows: nothing collapsed
    text = visible(table)
    assert not re.search(r"\b(nan|NaT|None)\b|<NA>|_", text)


def test_one_number_of_decimals_serves_every_float_column_but_percentages():
    frame = pd.DataFrame({"mase": [1.23456], "score": [0.5], "share": [0.9356], "n": [388]})
    table = display_table(frame, decimals=2, shares=["share"])
    assert cells(table) == ["1.23", "0.50", "93.6%", "388"]


def test_a_caption_recorded_with_the_csv_need_not_be_shown(tmp_path):
    pub = Publisher(tmp_path, "01_data_overview")
    table = publish_table(pub, pd.DataFrame({"n": [1]}), "n", "Counts", show_caption=False)
    assert "<figcaption>" not in table.html and "Download CSV" in table.html
    assert pub.numbers["_captions"]["01_data_overview__n.csv"]["caption"] == "Counts"


def test_an_empty_table_shows_its_headers_only():
    table = display_table(pd.DataFrame({"launched": pd.Series([], dtype="int64")}))
    assert cells(table, "th") == ["Launched"] and cells(table) == []
    assert table.rows == 0 and "<details" not in table.html
