"""Supply-partnership indicators (analysis/data/indicators.py) and their charts
(analysis/figures/origins.py)."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest
from matplotlib.figure import Figure
from matplotlib.text import Text

from analysis.data.events import read_events
from analysis.data.indicators import (
    ORIGIN_GROUPS,
    implied_minimum_supply,
    model_appearances,
    north_korean_band,
    number_in_text,
    origin_series,
    year_in_text,
)
from analysis.data.taxonomy import classify
from analysis.figures.origins import (
    BAND_EVENT_TYPES,
    _stagger,
    event_ids,
    north_korean_band_chart,
    origin_share_chart,
    origin_weekly_chart,
    short_label,
)
from analysis.figures.style import credit

RELEASE = "2026-04-05"


def strikes_frame(rows: list[tuple]) -> pd.DataFrame:
    """A strikes table from ``(end_date, model, launched[, weapon_class, origin[, wave_id]])``;
    class and origin default to the taxonomy's for ``model``."""
    records = []
    for row in rows:
        date, model, launched, *rest = row
        weapon = classify(model)[0]
        records.append(
            {
                "end_date": dt.date.fromisoformat(date),
                "model": model,
                "weapon_class": rest[0] if rest else weapon.weapon_class,
                "origin": rest[1] if len(rest) > 1 else weapon.origin,
                "launched": launched,
                "wave_id": rest[2] if len(rest) > 2 else len(records),
            }
        )
    frame = pd.DataFrame.from_records(
        records, columns=["end_date", "model", "weapon_class", "origin", "launched", "wave_id"]
    )
    frame["launched"] = frame["launched"].astype("Int64")
    return frame


def events_frame(rows: list[tuple[str, str, str, str, str, str]]) -> pd.DataFrame:
    """Events from ``(event_id, date, partner, event_type, weapon_class, description)``."""
    frame = pd.DataFrame(
        rows, columns=["event_id", "date", "partner", "event_type", "weapon_class", "description"]
    )
    frame["date"] = pd.to_datetime(frame["date"])
    frame["source_org"] = "test"
    frame["verification"] = "checked"
    return frame


def texts(fig: Figure) -> str:
    return "\n".join(t.get_text() for t in fig.findobj(Text))


# origin_series --------------------------------------------------------------------------------


def test_origin_series_counts_shares_and_guards_empty_months():
    strikes = strikes_frame(
        [
            ("2024-01-05", "Shahed-136/131", 30),
            ("2024-01-20", "Iskander-M/KN-23", 5),
            ("2024-01-21", "KN-23", 2),
            ("2024-01-21", "X-101/X-555", 3),
            ("2024-01-22", "Unknown Missile", None),  # missing count adds nothing
            ("2024-03-02", "X-47 Kinzhal", 4),
            ("2024-03-03", "Orlan-10", 50),  # reconnaissance drone: not a headline class
        ]
    )
    out = origin_series(strikes, freq="M")

    assert list(out["period"]) == list(pd.to_datetime(["2024-01-01", "2024-02-01", "2024-03-01"]))
    jan, feb, mar = (out.iloc[i] for i in range(3))
    assert [jan[g] for g in ORIGIN_GROUPS] == [30, 2, 5, 3, 0]
    assert jan["total"] == 40
    assert jan["share_iranian_design"] == pytest.approx(0.75)
    assert jan["share_russia_or_north_korea"] == pytest.approx(5 / 40)
    assert sum(jan[f"share_{g}"] for g in ORIGIN_GROUPS) == pytest.approx(1.0)
    # February has no launches: zeros, and NaN shares rather than a division error.
    assert feb["total"] == 0 and all(feb[g] == 0 for g in ORIGIN_GROUPS)
    assert all(math.isnan(feb[f"share_{g}"]) for g in ORIGIN_GROUPS)
    assert mar["russian"] == 4 and mar["share_russian"] == 1.0
    assert out.attrs["weapon_classes"] is not None

    every_class = origin_series(strikes, freq="M", weapon_classes=None)
    assert every_class.iloc[2]["russian"] == 54
    assert every_class.attrs["weapon_classes"] is None


def test_origin_series_weekly_runs_over_the_requested_calendar():
    strikes = strikes_frame([("2024-01-03", "Shahed-136/131", 10)])
    out = origin_series(strikes, freq="W", start="2024-01-01", end="2024-01-28")
    assert len(out) == 4
    assert out["iranian_design"].tolist() == [10, 0, 0, 0]
    assert out["complete"].all()
    assert out["share_iranian_design"].isna().tolist() == [False, True, True, True]


# north_korean_band ---------------------------------------------------------------------------


def band_strikes() -> pd.DataFrame:
    return strikes_frame(
        [
            ("2024-08-02", "KN-23", 3),
            ("2024-08-03", "Iskander-M/KN-23", 5),
            ("2024-08-04", "X-47 Kinzhal and Iskander-M/KN-23", 2),  # unsplit, ballistic class
            # the ballistic component of a split combined row
            ("2024-08-05", "Iskander-M/KN-23", 4, "ballistic_missile", "russia_or_north_korea"),
            ("2024-08-05", "Kalibr", 6),  # ... and its cruise component: not in the band
            ("2024-08-06", "X-101/X-555 and Kalibr and Iskander-M/KN-23", 14),  # unsplit mixed
            ("2024-08-07", "Iskander-M", 10),
            ("2024-08-08", "C-400 and Iskander-M", 6),  # Russian origin: in neither bound
            ("2024-09-01", "Shahed-136/131", 100),  # September: no ballistic missiles
        ]
    )


def test_north_korean_band_bounds_and_shares():
    result = north_korean_band(band_strikes())
    band = result.table("band")
    aug, sep = band.iloc[0], band.iloc[1]

    assert aug["lower"] == aug["kn23"] == 3
    assert aug["ambiguous_ballistic"] == 5 + 2 + 4
    assert aug["ambiguous_mixed"] == 14
    assert aug["upper"] == 3 + 11 + 14
    assert aug["ballistic"] == 3 + 5 + 2 + 4 + 10
    assert aug["share_lower"] == pytest.approx(3 / 24)
    assert aug["share_upper"] == pytest.approx(28 / 38)
    assert aug["share_ambiguous"] == pytest.approx(25 / 38)
    assert sep[["lower", "upper", "ballistic"]].tolist() == [0, 0, 0]
    assert math.isnan(sep["share_lower"]) and math.isnan(sep["share_upper"])
    assert (band["upper"] >= band["lower"]).all()

    summary = result.summary
    assert (summary["lower"], summary["upper"], summary["ballistic"]) == (3, 28, 24)
    assert summary["share_upper"] == pytest.approx(28 / 38)
    assert summary["first_ambiguous_label"] == "2024-08-03"
    assert summary["first_kn23_alone"] == "2024-08-02"
    assert any("unsplit" in a for a in result.assumptions)


# model_appearances ----------------------------------------------------------------------------

APPEARANCE_EVENTS = events_frame(
    [
        ("warning", "2022-07-01", "iran", "statement", "strike_drone", "UAVs coming"),
        ("first-drone", "2022-09-13", "iran", "first_use", "strike_drone", "first drone downed"),
        ("nk-first", "2023-12-30", "north_korea", "first_use", "ballistic_missile", "first use"),
        ("nk-shells", "2024-02-26", "north_korea", "delivery", "", "shells"),
        ("nk-treaty", "2024-06-19", "north_korea", "agreement", "", "treaty"),
        (
            "nk-missiles",
            "2025-05-29",
            "north_korea",
            "delivery",
            "ballistic_missile",
            "100 missiles",
        ),
    ]
)


def appearance_strikes() -> pd.DataFrame:
    return strikes_frame(
        [
            ("2022-09-28", "X-59", 2),
            ("2022-09-29", "Shahed-136/131", 7),
            ("2023-12-29", "C-300/C-400 and Iskander-M", 14),
            ("2024-01-02", "C-300/C-400 and Iskander-M", 12),
            ("2024-01-15", "X-101/X-555", 20),  # a cruise missile near the event: not listed
            ("2024-02-15", "Iskander-M/KN-23", 6),
            ("2024-03-21", "X-47 Kinzhal and Iskander-M/KN-23", 2),
            ("2024-08-11", "KN-23", 6),
            ("2024-12-25", "KN-23", 2),
            ("2025-03-01", "Shahed-136/131", 300),
        ]
    )


def test_model_appearances_first_and_last_dates():
    result = model_appearances(appearance_strikes(), APPEARANCE_EVENTS)
    models = result.table("models").set_index("model")
    assert models.loc["KN-23", "first_date"] == pd.Timestamp("2024-08-11")
    assert models.loc["KN-23", "last_date"] == pd.Timestamp("2024-12-25")
    assert models.loc["KN-23", "first_month"] == pd.Timestamp("2024-08-01")
    assert models.loc["KN-23", ["rows", "launched"]].tolist() == [2, 8]
    assert models.loc["Shahed-136/131", "last_date"] == pd.Timestamp("2025-03-01")
    origins = result.table("origins").set_index("origin")
    assert origins.loc["russia_or_north_korea", "first_date"] == pd.Timestamp("2024-02-15")
    assert origins.loc["north_korea", "launched"] == 8
    assert result.table("origins")["origin"].iloc[0] == "russia"


def test_model_appearances_lags_from_linked_events():
    result = model_appearances(appearance_strikes(), APPEARANCE_EVENTS)
    lags = result.table("lags")
    by = lags.set_index(["label", "event_id"])

    # Only linked events: Iran strike-drone events; NK first-use/delivery of ballistic missiles.
    assert set(lags.loc[lags["label"] == "Shahed-136/131", "event_id"]) == {
        "warning",
        "first-drone",
    }
    assert set(lags.loc[lags["label"] == "KN-23", "event_id"]) == {"nk-first", "nk-missiles"}
    assert by.loc[("Iskander-M/KN-23", "nk-first"), "lag_days"] == 47
    assert by.loc[("KN-23", "nk-first"), "lag_days"] == 225
    assert by.loc[("KN-23", "nk-missiles"), "lag_days"] == -291  # label before the event
    assert by.loc[("Shahed-136/131", "first-drone"), "lag_days"] == 16
    assert bool(by.loc[("Shahed-136/131", "first-drone"), "before_data"])
    assert not bool(by.loc[("KN-23", "nk-first"), "before_data"])
    assert lags.loc[lags["reference"], "event_id"].tolist() == [
        "first-drone",
        "nk-first",
        "nk-first",
    ]

    summary = result.summary
    assert summary["lag_days[Iskander-M/KN-23]"] == 47
    assert summary["reference_event[KN-23]"] == "nk-first"
    assert summary["first_appearance[Shahed-136/131]"] == "2022-09-29"
    # The first-use days show in the data as rows labelled Russian Iskander-M.
    near = result.table("near_reference")
    assert near.loc[near["reference_event"] == "nk-first", "model"].tolist() == [
        "C-300/C-400 and Iskander-M",
        "C-300/C-400 and Iskander-M",
    ]


def test_a_label_inside_a_combined_name_counts_as_an_appearance():
    strikes = strikes_frame(
        [
            ("2024-03-21", "X-47 Kinzhal and Iskander-M/KN-23", 2),
            ("2024-04-01", "Iskander-M/KN-23", 3),
        ]
    )
    result = model_appearances(strikes, APPEARANCE_EVENTS)
    assert result.summary["first_appearance[Iskander-M/KN-23]"] == "2024-03-21"
    assert result.summary["first_appearance[KN-23]"] is None
    assert (
        result.table("lags").set_index(["label", "event_id"]).loc[("KN-23", "nk-first"), "lag_days"]
        is pd.NA
    )


# implied_minimum_supply -----------------------------------------------------------------------


def test_text_numbers_are_read_only_when_unambiguous():
    assert number_in_text("plant to build at least 6,000 Iranian-designed drones") == 6000
    assert number_in_text("built over 6,000 Shahed/Geran drones in 2024") == 6000
    assert number_in_text("Shahed-136 drones") is None
    assert number_in_text("1,000 or 2,000 drones") is None
    assert year_in_text("built over 6,000 Shahed/Geran drones in 2024") == 2024
    assert year_in_text("a plant at Alabuga") is None
    assert year_in_text("2,738 in 2023 and 5,760 in the first nine months of 2024") is None
    assert year_in_text("over 6,000 in 2024 and tasked with 8,000 in 2025") is None
    assert year_in_text("Shahed-136 in 2024") == 2024


def test_implied_minimum_supply_months_years_and_production_claims():
    strikes = strikes_frame(
        [
            ("2023-12-31", "Shahed-136/131", 500, "strike_drone", "iran", 1),
            ("2024-01-10", "Shahed-136/131", 400, "strike_drone", "iran", 2),
            ("2024-01-10", "Shahed-136/131", 200, "strike_drone", "iran", 2),  # same wave
            ("2024-03-05", "Shahed-136/131", 1200, "strike_drone", "iran", 3),
            ("2024-03-06", "Mohajer-6", 1),  # Iranian design, but a reconnaissance drone
            ("2024-03-07", "Shahed-136/131 and Lancet", 16),  # mixed origin, unsplit
            ("2024-03-08", "X-101/X-555", 30),
        ]
    )
    events = events_frame(
        [
            (
                "plan",
                "2024-01-31",
                "iran",
                "production",
                "strike_drone",
                "a plant to build at least 6,000 drones",
            ),
            (
                "built",
                "2024-03-31",
                "iran",
                "production",
                "strike_drone",
                "over 1,500 built in 2024",
            ),
            ("other", "2024-02-01", "iran", "first_use", "strike_drone", "first use of 1,000"),
        ]
    )
    result = implied_minimum_supply(strikes, events)

    monthly = result.table("monthly")
    assert monthly["launched"].tolist() == [500, 600, 0, 1200]
    assert monthly["cumulative"].tolist() == [500, 1100, 1100, 2300]
    yearly = result.table("yearly").set_index("year")
    assert yearly.loc[2024, "launched"] == 1800
    assert yearly.loc[2024, "cumulative"] == 2300
    assert not yearly.loc[2024, "complete"]
    assert result.summary["launched_2023"] == 500
    assert result.summary["launched_2024"] == 1800
    assert result.summary["first_month_over_1000"] == "2024-03"
    assert result.summary["peak_month"] == "2024-03"

    production = result.table("production").set_index("event_id")
    assert list(production.index) == ["plan", "built"]
    assert production.loc["plan", "claimed_number"] == 6000
    assert production.loc["plan", "claimed_year"] is pd.NA
    assert production.loc["plan", "launched_to_date"] == 1100
    assert production.loc["built", "claimed_year"] == 2024
    assert production.loc["built", "launched_in_year"] == 1800
    assert production.loc["built", "launched_in_year_per_claimed"] == pytest.approx(1.2)

    caveats = " ".join(result.caveats)
    assert "decoys" in caveats
    assert "Left out: 17 launches" in caveats
    assert "600 launches sit in 1 waves" in caveats


def test_implied_minimum_supply_without_events_has_an_empty_production_table():
    strikes = strikes_frame([("2025-01-01", "Shahed-136/131", 5)])
    result = implied_minimum_supply(strikes)
    assert result.table("production").empty
    assert result.summary["first_month_over_1000"] is None


# figures --------------------------------------------------------------------------------------

FIGURE_EVENTS = events_frame(
    [
        ("before-data", "2023-11-01", "iran", "statement", "strike_drone", "before"),
        ("nk-first", "2023-12-30", "north_korea", "first_use", "ballistic_missile", "first use"),
        ("nk-treaty", "2024-01-10", "north_korea", "agreement", "", "treaty"),
        ("iran-plant", "2024-01-11", "iran", "production", "strike_drone", "a plant"),
        ("nk-delivery", "2024-02-20", "north_korea", "delivery", "ballistic_missile", "missiles"),
        ("after-data", "2025-01-01", "iran", "statement", "strike_drone", "after"),
    ]
)


def figure_strikes() -> pd.DataFrame:
    return strikes_frame(
        [
            ("2023-12-04", "Shahed-136/131", 40),
            ("2023-12-20", "Iskander-M", 4),
            ("2024-01-09", "Shahed-136/131", 1200),
            ("2024-02-15", "Iskander-M/KN-23", 6),
            ("2024-02-16", "KN-23", 2),
            ("2024-03-10", "X-101/X-555", 30),
        ]
    )


def test_origin_weekly_chart_draws_every_event_in_range_with_the_credit():
    fig = origin_weekly_chart(
        origin_series(figure_strikes(), freq="W"), FIGURE_EVENTS, release=RELEASE
    )
    assert isinstance(fig, Figure)
    assert credit(RELEASE) in texts(fig)
    assert event_ids(fig) == ["nk-first", "nk-treaty", "iran-plant", "nk-delivery"]
    assert " nk first" in texts(fig)  # short label from the event_id
    assert "before data" not in texts(fig)


def test_origin_share_chart_has_the_credit():
    fig = origin_share_chart(origin_series(figure_strikes(), freq="M"), release=RELEASE)
    assert isinstance(fig, Figure)
    assert credit(RELEASE) in texts(fig)
    assert event_ids(fig) == []


def test_north_korean_band_chart_marks_first_use_and_delivery_events():
    band = north_korean_band(figure_strikes())
    fig = north_korean_band_chart(band, FIGURE_EVENTS, release=RELEASE)
    assert credit(RELEASE) in texts(fig)
    assert event_ids(fig) == ["nk-first", "nk-delivery"]
    no_events = north_korean_band_chart(band.table("band"), release=RELEASE)
    assert event_ids(no_events) == []


def test_labels_that_would_overlap_go_on_separate_rows():
    assert _stagger([0, 5, 50, 52], [20, 20, 20, 20], gap=1) == [0, 1, 0, 1]
    assert _stagger([0, 30], [20, 20], gap=1) == [0, 0]
    assert short_label("nk-srbm-first-use") == "nk srbm first use"
    assert len(short_label("a-" * 40)) <= 30


# real data ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def events() -> pd.DataFrame:
    return read_events()


@pytest.mark.real_data
def test_real_iranian_design_launches(real_strikes, events):
    result = implied_minimum_supply(real_strikes, events)
    assert result.summary["first_month_over_1000"] == "2024-09"
    assert result.summary["launched_2024"] == 10_970
    assert result.summary["launched_2025"] == 54_702
    monthly = result.table("monthly").set_index("period")["launched"]
    assert monthly[pd.Timestamp("2024-08-01")] == 790
    assert monthly[pd.Timestamp("2024-09-01")] == 1_334
    production = result.table("production")
    assert (production["launched_in_year"].dropna() >= 0).all()


@pytest.mark.real_data
def test_real_share_of_ballistic_launches_with_the_ambiguous_label(real_strikes):
    whole = north_korean_band(real_strikes).summary
    assert (whole["lower"], whole["upper"], whole["ballistic"]) == (8, 425, 1_134)
    assert whole["ambiguous_mixed"] == 14
    assert whole["share_ambiguous"] == pytest.approx(417 / 1_148)
    assert whole["share_lower"] == pytest.approx(8 / 1_134)
    since = north_korean_band(real_strikes, start="2024-02-01").summary
    assert since["ballistic"] == 1_023
    assert since["share_ambiguous"] == pytest.approx(417 / 1_037)


@pytest.mark.real_data
def test_real_first_appearances_and_lags(real_strikes, events):
    result = model_appearances(real_strikes, events)
    first = {
        "Iskander-M/KN-23": "2024-02-15",
        "KN-23": "2024-08-11",
        "Shahed-136/131": "2022-09-29",
    }
    for label, date in first.items():
        assert result.summary[f"first_appearance[{label}]"] == date
    by_id = events.set_index("event_id")["date"]
    lags = result.table("lags").set_index(["label", "event_id"])["lag_days"]
    for label, event_id in (
        ("Iskander-M/KN-23", "nk-srbm-first-use"),
        ("KN-23", "nk-srbm-first-use"),
        ("Shahed-136/131", "first-shahed-downed-kupiansk"),
    ):
        expected = (pd.Timestamp(first[label]) - by_id[event_id]).days
        assert lags[(label, event_id)] == expected
    assert lags[("Iskander-M/KN-23", "nk-srbm-first-use")] > 0  # the label came later


@pytest.mark.real_data
def test_real_figures_draw_the_events_in_range(real_strikes, events):
    weekly = origin_series(real_strikes, freq="W")
    first, last = weekly["period"].min(), weekly["period"].max() + pd.Timedelta(days=7)
    in_range = events[(events["date"] >= first) & (events["date"] <= last)]
    fig = origin_weekly_chart(weekly, events, release=RELEASE)
    assert set(event_ids(fig)) == set(in_range["event_id"])
    for stable in ("nk-srbm-first-use", "russia-dprk-treaty-signed", "russia-iran-treaty-signed"):
        assert stable in event_ids(fig)
    # The first downed Shahed (2022-09-13) predates the data (from 2022-09-28): not drawn.
    assert "first-shahed-downed-kupiansk" not in event_ids(fig)

    band_fig = north_korean_band_chart(
        north_korean_band(real_strikes, start="2023-09-01"), events, release=RELEASE
    )
    marked = in_range[
        (in_range["partner"] == "north_korea")
        & in_range["event_type"].isin(BAND_EVENT_TYPES)
        & (in_range["date"] >= pd.Timestamp("2023-09-01"))
    ]
    assert set(event_ids(band_fig)) == set(marked["event_id"])
    assert "nk-srbm-first-use" in event_ids(band_fig)
    assert "russia-dprk-treaty-signed" not in event_ids(band_fig)
    assert credit(RELEASE) in texts(band_fig)
