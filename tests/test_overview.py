"""The overview helpers behind notebooks/01_data_overview.ipynb."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pandas as pd
import pytest
from matplotlib.figure import Figure

import analysis.data.strikes
from analysis.data.overview import (
    FLAG_MEANINGS,
    NotBuiltError,
    Period,
    Processed,
    available_releases,
    biggest_waves,
    class_totals,
    data_span,
    filter_period,
    launches_pivot,
    load_processed,
    monthly_by_class,
    processed_folder,
    quality_table,
    validate_parameters,
)
from analysis.figures.overview import WAVE_COLUMNS, folded, monthly_caption, monthly_chart
from analysis.figures.style import INCOMPLETE_LEGEND, credit, footer_text, hatched_months
from analysis.paths import ProjectPaths
from analysis.vocabulary import WEAPON_CLASSES

RELEASES = ["2026-03-01", "2026-04-05"]


def strikes_frame(rows: list[tuple[str, str, float | None]]) -> pd.DataFrame:
    """A minimal strikes table from ``(end_date, weapon_class, launched)``."""
    return pd.DataFrame(
        {
            "end_date": [dt.date.fromisoformat(d) for d, _, _ in rows],
            "weapon_class": [c for _, c, _ in rows],
            "launched": pd.array([n for _, _, n in rows], dtype="Int64"),
        }
    )


# monthly_by_class ---------------------------------------------------------------------------


def test_monthly_by_class_fills_missing_months_and_classes_with_zeros():
    strikes = strikes_frame(
        [
            ("2025-01-03", "strike_drone", 100),
            ("2025-01-31", "strike_drone", 50),
            ("2025-01-20", "cruise_missile", 7),
            (
                "2025-03-01",
                "cruise_missile",
                None,
            ),  # launched missing: counted as a row, 0 launched
        ]
    )
    monthly = monthly_by_class(strikes)

    assert list(monthly.columns) == ["month", "weapon_class", "rows", "launched"]
    assert sorted(monthly["month"].unique()) == list(
        pd.to_datetime(["2025-01-01", "2025-02-01", "2025-03-01"])
    )
    assert len(monthly) == 3 * len(WEAPON_CLASSES)
    cell = monthly.set_index(["month", "weapon_class"])
    assert cell.loc[(pd.Timestamp("2025-01-01"), "strike_drone")].tolist() == [2, 150]
    assert cell.loc[(pd.Timestamp("2025-01-01"), "cruise_missile")].tolist() == [1, 7]
    assert cell.loc[(pd.Timestamp("2025-03-01"), "cruise_missile")].tolist() == [1, 0]
    february = monthly[monthly["month"] == pd.Timestamp("2025-02-01")]
    assert (february[["rows", "launched"]] == 0).all().all()
    assert cell.loc[(pd.Timestamp("2025-01-01"), "ballistic_missile")].tolist() == [0, 0]


def test_monthly_by_class_of_no_rows_is_empty():
    monthly = monthly_by_class(strikes_frame([]))
    assert monthly.empty
    assert list(monthly.columns) == ["month", "weapon_class", "rows", "launched"]


def test_class_totals_and_pivot_keep_only_classes_present():
    monthly = monthly_by_class(
        strikes_frame(
            [
                ("2025-01-03", "strike_drone", 1000),
                ("2025-02-03", "strike_drone", 2000),
                ("2025-02-04", "ballistic_missile", 3),
                ("2025-02-05", "recon_drone", None),
            ]
        )
    )
    totals = class_totals(monthly)
    assert totals.index.tolist() == ["strike_drone", "recon_drone", "ballistic_missile"]
    assert totals.loc["strike_drone", ["rows", "launched"]].tolist() == [2, 3000]
    pivot = launches_pivot(monthly)
    assert pivot.index.tolist() == ["2025-01", "2025-02"]
    assert pivot.columns.tolist() == ["strike_drone", "ballistic_missile", "total"]
    assert pivot["total"].tolist() == [1000, 2003]


def test_launches_pivot_marks_the_possibly_incomplete_months_only():
    monthly = monthly_by_class(
        strikes_frame(
            [
                ("2025-01-03", "strike_drone", 1000),
                ("2025-02-03", "strike_drone", 2000),
                ("2025-03-03", "strike_drone", 3000),
            ]
        )
    )
    pivot = launches_pivot(monthly, [pd.Timestamp("2025-02-01"), pd.Timestamp("2024-12-01")])
    assert pivot.index.tolist() == ["2025-01", "2025-02*", "2025-03"]
    assert pivot["total"].tolist() == [1000, 2000, 3000]


# filter_period ------------------------------------------------------------------------------


def test_filter_period_bounds_are_inclusive_kyiv_dates():
    frame = pd.DataFrame({"end_date": [dt.date(2025, 1, d) for d in (1, 2, 30, 31)]})
    kept = filter_period(frame, "end_date", "2025-01-02", dt.date(2025, 1, 30))
    assert kept["end_date"].tolist() == [dt.date(2025, 1, 2), dt.date(2025, 1, 30)]
    assert len(filter_period(frame, "end_date", None, None)) == 4
    assert len(filter_period(frame, "end_date", "2025-01-31", None)) == 1
    assert len(filter_period(frame, "end_date", None, "2025-01-01")) == 1


def test_filter_period_reads_aware_timestamps_as_kyiv_calendar_dates():
    utc = pd.to_datetime(["2025-01-31 21:30", "2025-01-31 22:30"]).tz_localize("UTC")
    frame = pd.DataFrame({"start": utc})  # 23:30 on 31 Jan and 00:30 on 1 Feb in Kyiv (UTC+2)
    kept = filter_period(frame, "start", "2025-01-31", "2025-01-31")
    assert kept["start"].tolist() == [utc[0]]


# validate_parameters ------------------------------------------------------------------------

FIRST, LAST = dt.date(2022, 9, 28), dt.date(2026, 4, 5)


@pytest.mark.parametrize(
    ("release", "start", "end", "message"),
    [
        ("2099-01-01", None, None, r"^release '2099-01-01' is not a built release"),
        (None, "2025-13-01", None, r"^start '2025-13-01' is not a date"),
        (None, None, "31/12/2025", r"^end '31/12/2025' is not a date"),
        (None, "2025-02-30", None, r"^start '2025-02-30' is not a date"),
        (None, "2025-06-01", "2025-05-31", r"^end 2025-05-31 is before start 2025-06-01"),
        (
            None,
            "2021-01-01",
            None,
            r"^start 2021-01-01 is outside the data of release "
            r"2026-04-05 \(2022-09-28 to 2026-04-05\)",
        ),
        (None, None, "2026-04-06", r"^end 2026-04-06 is outside the data"),
    ],
)
def test_validate_parameters_names_the_bad_parameter(release, start, end, message):
    with pytest.raises(ValueError, match=message):
        validate_parameters(release, start, end, RELEASES, FIRST, LAST)


def test_validate_parameters_without_any_release_says_to_build():
    with pytest.raises(ValueError, match=r"python -m analysis build"):
        validate_parameters(None, None, None, [], None, None)


def test_validate_parameters_returns_the_resolved_period():
    period = validate_parameters(
        None, "2025-01-01", "2025-12-31", RELEASES, "2022-09-28", "2026-04-05"
    )
    assert period == Period("2026-04-05", dt.date(2025, 1, 1), dt.date(2025, 12, 31), FIRST, LAST)
    assert period.describe() == (
        "Data release of 5 Apr 2026; the period, 1 Jan 2025 to 31 Dec 2025 (Kyiv dates); "
        "counts of the Air Force's national summary."
    )
    whole = validate_parameters("2026-03-01", None, None, RELEASES, FIRST, LAST)
    assert whole.release == "2026-03-01" and whole.start is None and whole.end is None
    assert "Data release of 1 Mar 2026; the whole record, 28 Sep 2022 to 5 Apr 2026" in (
        whole.describe()
    )
    # The bounds themselves are inside the data.
    validate_parameters(None, FIRST, LAST, RELEASES, FIRST, LAST)


# biggest_waves ------------------------------------------------------------------------------


def waves_frame() -> pd.DataFrame:
    start = pd.to_datetime(
        ["2025-01-01 20:00", "2025-01-02 20:00", "2025-01-03 20:00", "2025-01-04 20:00"]
    ).tz_localize("Europe/Kyiv")
    return pd.DataFrame(
        {
            "wave_id": [0, 1, 2, 3],
            "start": start,
            "end": start + pd.Timedelta(hours=12),
            "date": [dt.date(2025, 1, d) for d in (2, 3, 4, 5)],
            "time_known": True,
            "drones_launched": [50, 300, 50, 0],
            "drones_destroyed": [40, 280, 45, 0],
            "missiles_launched": [10, 0, 70, 5],
            "missiles_destroyed": [8, 0, 60, 5],
            "n_rows": 1,
        }
    )


def test_biggest_waves_are_ordered_biggest_first_ties_by_time():
    top = biggest_waves(waves_frame(), n=10, by="drones_launched")
    assert top.columns.tolist() == [
        "date",
        "start",
        "end",
        "time_known",
        "drones_launched",
        "drones_destroyed",
        "missiles_launched",
        "missiles_destroyed",
    ]
    assert top["drones_launched"].tolist() == [300, 50, 50]  # the wave with none is left out
    assert top["date"].tolist() == [dt.date(2025, 1, d) for d in (3, 2, 4)]
    assert top.index.tolist() == [1, 2, 3]
    assert top["start"].iloc[0] == pd.Timestamp("2025-01-02 20:00")  # Kyiv local time

    missiles = biggest_waves(waves_frame(), n=2, by="missiles_launched")
    assert missiles["missiles_launched"].tolist() == [70, 10]


def test_biggest_waves_rejects_an_unknown_column():
    with pytest.raises(ValueError, match="'drones'"):
        biggest_waves(waves_frame(), by="drones")


# quality_table ------------------------------------------------------------------------------


def test_quality_table_explains_every_known_flag():
    quality = {
        "flags": {
            "launched_missing": {"count": 3, "rows": []},
            "something_new": {"count": 1, "rows": []},
        }
    }
    table = quality_table(quality).set_index("flag")
    assert table.loc["launched_missing", "count"] == 3
    assert table.loc["unmapped_model", "count"] == 0
    assert table.loc["something_new", "meaning"] == "(no description yet)"
    for flag in FLAG_MEANINGS:
        meaning = table.loc[flag, "meaning"]
        assert meaning and "\n" not in meaning and len(meaning) < 160
    assert "20 h" in table.loc["window_over_20h_clipped_for_grouping", "meaning"]


def test_every_flag_the_build_writes_has_a_meaning():
    source = Path(analysis.data.strikes.__file__).read_text(encoding="utf-8")
    written = set(re.findall(r'log\.add\(\s*"([a-z0-9_]+)"', source))
    assert written, "no flags found in analysis/data/strikes.py"
    written.add("window_over_20h_clipped_for_grouping")  # analysis/data/build.py
    assert written <= set(FLAG_MEANINGS)


# load_processed -----------------------------------------------------------------------------


def write_release(folder: Path, first: str = "2025-01-01", last: str = "2025-01-31") -> None:
    folder.mkdir(parents=True)
    strikes_frame([(first, "strike_drone", 5)]).to_parquet(folder / "strikes.parquet")
    waves_frame().to_parquet(folder / "waves.parquet")
    (folder / "quality.json").write_text(
        json.dumps({"first_date": first, "last_date": last, "flags": {}})
    )


def test_load_processed_without_a_build_says_what_to_run(tmp_path):
    with pytest.raises(NotBuiltError, match=r"run `python -m analysis build`"):
        load_processed(None, tmp_path / "processed")


def test_load_processed_picks_the_newest_complete_release(tmp_path):
    write_release(tmp_path / "2025-01-31")
    write_release(tmp_path / "2025-02-28", last="2025-02-28")
    (tmp_path / "2025-03-31").mkdir()  # incomplete: no tables yet
    (tmp_path / "2025-03-31" / "quality.json").write_text("{}")

    assert available_releases(tmp_path) == ["2025-01-31", "2025-02-28"]
    data = load_processed(None, tmp_path, scope="all")
    assert data.release == "2025-02-28"
    assert data.last_date == dt.date(2025, 2, 28)
    assert len(data.strikes) == 1 and len(data.waves) == 4
    assert load_processed("2025-01-31", tmp_path, scope="all").release == "2025-01-31"
    assert data_span(None, tmp_path) == (dt.date(2025, 1, 1), dt.date(2025, 2, 28))
    assert data_span("2025-03-31", tmp_path) == (None, None)
    with pytest.raises(NotBuiltError, match="release 2025-03-31 is not built"):
        load_processed("2025-03-31", tmp_path)


def test_a_folder_named_like_a_release_with_a_trailing_newline_is_not_a_release(tmp_path):
    write_release(tmp_path / "2025-01-31")
    write_release(tmp_path / "2025-02-28\n", last="2025-02-28")
    assert available_releases(tmp_path) == ["2025-01-31"]
    assert load_processed(None, tmp_path, scope="all").release == "2025-01-31"


def test_a_release_built_without_reporters_cannot_be_read_nationally_and_says_rebuild(tmp_path):
    write_release(tmp_path / "2025-01-31")
    with pytest.raises(NotBuiltError, match=r"without reporters.*build --release 2025-01-31"):
        load_processed(None, tmp_path)


def test_processed_folder_is_the_given_one_else_that_of_the_given_project_root(tmp_path):
    other = tmp_path / "other"
    assert processed_folder(None, other) == other / "data" / "processed"
    assert processed_folder(tmp_path / "mine", other) == tmp_path / "mine"
    assert processed_folder(str(other)) == other
    assert processed_folder() == ProjectPaths().processed
    write_release(other / "data" / "processed" / "2025-01-31")
    assert available_releases(processed_folder(None, str(other))) == ["2025-01-31"]


# monthly_chart ------------------------------------------------------------------------------


def test_monthly_chart_has_one_panel_per_class_and_the_source_credit():
    monthly = monthly_by_class(
        strikes_frame(
            [
                ("2025-01-03", "strike_drone", 6000),
                ("2025-02-03", "cruise_missile", 40),
            ]
        )
    )
    period = Period("2026-04-05", dt.date(2025, 1, 3), None, FIRST, dt.date(2025, 2, 28))
    fig = monthly_chart(
        monthly,
        ["strike_drone", "cruise_missile", "ballistic_missile"],
        release="2026-04-05",
        period=period,
    )
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 3
    texts = [t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text"))]
    assert credit("2026-04-05") in footer_text(fig)
    assert any("3 Jan 2025 to 28 Feb 2025" in t for t in texts)
    assert (
        fig.get_suptitle()
        == "The busiest month: 6,000 long-range strike drones launched in Jan 2025"
    )
    assert any("none launched" in t for t in texts)  # the ballistic panel is empty
    drone_axis = fig.axes[0].yaxis
    assert drone_axis.get_major_formatter()(6000, 0) == "6,000"
    assert hatched_months(fig) == []
    assert not any(INCOMPLETE_LEGEND in t for t in texts)


def test_monthly_chart_hatches_the_possibly_incomplete_months_shown_and_says_why():
    monthly = monthly_by_class(
        strikes_frame(
            [
                ("2025-01-03", "strike_drone", 6000),
                ("2025-02-03", "strike_drone", 5000),
                ("2025-03-03", "cruise_missile", 40),
            ]
        )
    )
    incomplete = [pd.Timestamp("2025-02-01"), pd.Timestamp("2024-05-01")]  # May 2024: not shown
    fig = monthly_chart(
        monthly, ["strike_drone", "cruise_missile"], release="2026-04-05", incomplete=incomplete
    )
    assert hatched_months(fig) == ["2025-02"]
    spans = [p for ax in fig.axes for p in ax.patches if p.get_gid() == "incomplete:2025-02"]
    assert len(spans) == 2  # one per panel
    assert INCOMPLETE_LEGEND in footer_text(fig)


def test_monthly_caption_names_the_hatching_only_when_a_hatched_month_is_shown():
    monthly = monthly_by_class(strikes_frame([("2025-02-03", "strike_drone", 5000)]))
    plain = "Drones and missiles launched each month, one panel per weapon class on its own scale."
    assert monthly_caption(monthly) == plain
    assert monthly_caption(monthly, [pd.Timestamp("2024-05-01")]) == plain
    assert monthly_caption(monthly, [pd.Timestamp("2025-02-01")]) == (
        f"{plain} Hatched months hold a day without any report, so their totals may run low."
    )


def test_a_folded_block_escapes_its_title_and_text_and_keeps_a_tables_html():
    class Table:
        def _repr_html_(self) -> str:
            return "<table></table>"

    block = folded("Launches <by> month", Table(), "Months marked * may run low.", "")
    assert block._repr_html_() == (
        '<details class="reader-fold"><summary>Launches &lt;by&gt; month</summary>'
        "<table></table><p>Months marked * may run low.</p></details>"
    )


def test_the_waves_table_columns_read_as_plain_words():
    top = biggest_waves(
        pd.DataFrame(
            {
                "date": ["2025-09-07"],
                "start": pd.to_datetime(["2025-09-06 17:00"]),
                "end": pd.to_datetime(["2025-09-07 09:30"]),
                "time_known": [True],
                "drones_launched": [810],
                "drones_destroyed": [747],
                "missiles_launched": [13],
                "missiles_destroyed": [4],
            }
        )
    )
    assert [WAVE_COLUMNS[c] for c in [top.index.name, *top.columns]] == [
        "Rank",
        "Date (attack ended)",
        "Start (Kyiv time)",
        "End (Kyiv time)",
        "Time of day reported",
        "Drones launched",
        "Drones shot down",
        "Missiles launched",
        "Missiles shot down",
    ]


# The real release ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real(real_processed: Path) -> Processed:
    return load_processed("2026-04-05", real_processed)


@pytest.mark.real_data
def test_real_peak_month_of_strike_drone_launches(real, real_processed):
    every = load_processed("2026-04-05", real_processed, scope="all")
    monthly = monthly_by_class(every.strikes)
    drones = monthly[monthly["weapon_class"] == "strike_drone"].set_index("month")
    peak = drones["launched"].idxmax()
    # Counted by hand from missile_attacks_daily.csv: Shahed-136/131 rows ending in March 2026.
    assert peak == pd.Timestamp("2026-03-01")
    assert drones.loc[peak, "launched"] == 6493
    assert drones.loc[peak, "rows"] == 33
    national = monthly_by_class(real.strikes).set_index(["weapon_class", "month"])
    assert national.loc[("strike_drone", peak), "launched"] == 6462  # the national summary


@pytest.mark.real_data
def test_real_peak_month_in_2025_and_quality_flags_are_all_explained(real):
    strikes = filter_period(real.strikes, "end_date", "2025-01-01", "2025-12-31")
    monthly = monthly_by_class(strikes)
    drones = monthly[monthly["weapon_class"] == "strike_drone"].set_index("month")
    assert drones["launched"].idxmax() == pd.Timestamp("2025-07-01")
    assert drones["launched"].max() == 6297  # AFP's tally of the national summary: 6,297
    assert len(drones) == 12
    assert set(real.quality["flags"]) <= set(FLAG_MEANINGS)
    assert real.quality["unmapped_models"] == []
