import pandas as pd
import pytest

from analysis.data.series import got_through

BOUNDS = ["launched", "destroyed", "not_reach_goal", "got_through", "got_through_upper"]


def _strikes(rows):
    columns = ["wave_id", "end_date", "weapon_class", "launched", "destroyed", "not_reach_goal"]
    counts = {"launched": "Int64", "destroyed": "Int64", "not_reach_goal": "Int64"}
    return pd.DataFrame(rows, columns=columns).astype(counts)


STRIKES = _strikes(
    [
        (0, "2025-01-01", "strike_drone", 100, 70, 20),
        (0, "2025-01-01", "cruise_missile", 10, 8, None),
        (1, "2025-01-02", "strike_drone", 16, 15, 11),  # more stopped than launched: clipped
        (1, "2025-01-02", "ballistic_missile", 4, 1, 1),
        (2, "2025-02-03", "strike_drone", 50, None, None),
        (2, "2025-02-03", "recon_drone", 3, 3, None),
    ]
)


def _waves():
    """The waves of ``STRIKES`` as the waves table sums them."""
    zeros = [0, 0, 0]
    return pd.DataFrame(
        {
            "wave_id": [0, 1, 2],
            "date": ["2025-01-01", "2025-01-02", "2025-02-03"],
            "drones_launched": [100, 16, 50],
            "drones_destroyed": [70, 15, 0],
            "drones_not_reach_goal": [20, 11, 0],
            "missiles_launched": [10, 4, 0],
            "missiles_destroyed": [8, 1, 0],
            "launched_strike_drone": [100, 16, 50],
            "destroyed_strike_drone": [70, 15, 0],
            "launched_cruise_missile": [10, 0, 0],
            "destroyed_cruise_missile": [8, 0, 0],
            "launched_ballistic_missile": [0, 4, 0],
            "destroyed_ballistic_missile": [0, 1, 0],
            "launched_recon_drone": [0, 0, 3],
            "destroyed_recon_drone": zeros,
        }
    )


def test_monthly_bounds_by_class_clip_a_defective_row_and_count_it():
    monthly = got_through(STRIKES, freq="M").set_index(["period", "weapon_class"])
    drones = monthly.loc[(pd.Timestamp("2025-01-01"), "strike_drone")]
    assert drones[BOUNDS].tolist() == [116, 85, 31, 10, 31]
    assert (drones["clipped"], drones["rows"]) == (1, 2)
    ballistic = monthly.loc[(pd.Timestamp("2025-01-01"), "ballistic_missile")]
    assert ballistic[BOUNDS].tolist() == [4, 1, 1, 2, 3]
    february = monthly.loc[(pd.Timestamp("2025-02-01"), "strike_drone")]
    assert february[BOUNDS].tolist() == [50, 0, 0, 50, 50]
    assert monthly["complete"].tolist() == [True] * 3 + [False] * 3


def test_headline_groups_sum_their_classes_and_leave_others_out():
    headline = got_through(STRIKES, by="headline", freq="M").set_index(["period", "headline"])
    january = pd.Timestamp("2025-01-01")
    assert headline.loc[(january, "missiles"), BOUNDS].tolist() == [14, 9, 1, 4, 5]
    assert headline.loc[(pd.Timestamp("2025-02-01"), "drones"), "launched"] == 50


def test_daily_and_weekly_series_have_every_period_and_group_with_zeros():
    daily = got_through(STRIKES, freq="D", groups=["strike_drone"])
    assert len(daily) == 34 and daily["launched"].sum() == 166
    assert daily.set_index("period").loc["2025-01-15", "got_through"] == 0
    weekly = got_through(STRIKES, by="headline", freq="W")
    assert weekly["period"].dt.day_of_week.eq(0).all()
    assert weekly.groupby("headline")["got_through_upper"].sum().to_dict() == {
        "drones": 81,
        "missiles": 5,
    }


def test_per_wave_from_strikes_gives_every_wave_and_class_with_the_waves_date():
    per_wave = got_through(STRIKES, freq="wave")
    assert len(per_wave) == 9
    first = per_wave[(per_wave["wave_id"] == 1) & (per_wave["weapon_class"] == "strike_drone")]
    assert first[["got_through", "got_through_upper", "clipped"]].values.tolist() == [[0, 1, 1]]
    assert str(first["date"].iloc[0].date()) == "2025-01-02"


def test_waves_give_the_same_drones_and_zero_lost_locally_missiles():
    from_waves = got_through(_waves(), by="headline", freq="wave").set_index(
        ["wave_id", "headline"]
    )
    from_strikes = got_through(STRIKES, by="headline", freq="wave").set_index(
        ["wave_id", "headline"]
    )
    drones = from_waves.xs("drones", level="headline")[BOUNDS]
    assert drones.equals(from_strikes.xs("drones", level="headline")[BOUNDS])
    missiles = from_waves.loc[(1, "missiles")]
    assert missiles[BOUNDS].tolist() == [4, 1, 0, 3, 3]
    by_class = got_through(_waves(), freq="M").set_index(["period", "weapon_class"])
    january_drones = by_class.loc[(pd.Timestamp("2025-01-01"), "strike_drone")]
    assert january_drones[BOUNDS].tolist() == [116, 85, 31, 10, 31]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"freq": "Q"}, "freq"),
        ({"by": "origin"}, "by"),
        ({"groups": ["drones"]}, "unknown class"),
        ({"by": "headline", "groups": ["strike_drone"]}, "unknown headline"),
    ],
)
def test_bad_parameters_are_named(kwargs, message):
    with pytest.raises(ValueError, match=message):
        got_through(STRIKES, **kwargs)


def test_per_wave_needs_wave_ids():
    with pytest.raises(ValueError, match="wave_id"):
        got_through(STRIKES.drop(columns="wave_id"), freq="wave")


def test_real_monthly_drones_that_got_through_in_2025(real_strikes):
    monthly = got_through(real_strikes, by="headline", freq="M").set_index(["period", "headline"])
    drones = monthly.xs("drones", level="headline")
    assert drones.loc["2025-01-01", BOUNDS].tolist() == [2629, 1598, 914, 117, 1031]
    assert drones.loc["2025-07-01", BOUNDS].tolist() == [6303, 3547, 2023, 733, 2756]
    assert drones.loc["2025-09-01", BOUNDS].tolist() == [5648, 4898, 0, 750, 750]
    assert drones.loc["2025-08-01":"2025-12-01", "not_reach_goal"].tolist() == [0, 0, 17, 0, 15]


def test_real_totals_and_the_one_clipped_row(real_strikes):
    totals = got_through(real_strikes, freq="M").groupby("weapon_class")[BOUNDS + ["clipped"]]
    sums = totals.sum()
    assert sums.loc["strike_drone"].tolist() == [87041, 63079, 12948, 11024, 23962, 1]
    assert sums.loc["cruise_missile", ["got_through", "got_through_upper"]].tolist() == [1219, 1285]
    assert sums.loc["ballistic_missile", ["got_through", "got_through_upper"]].tolist() == [
        848,
        885,
    ]
    daily = got_through(real_strikes, freq="D", groups=["strike_drone"])
    assert daily.loc[daily["clipped"] > 0, "period"].dt.strftime("%Y-%m-%d").tolist() == [
        "2024-12-28"
    ]


def test_real_waves_and_strikes_agree_but_for_lost_locally_missiles(real_strikes, real_waves):
    def totals(data):
        return got_through(data, by="headline", freq="M").groupby("headline")[BOUNDS].sum()

    from_strikes, from_waves = totals(real_strikes), totals(real_waves)
    assert from_waves.loc["drones"].equals(from_strikes.loc["drones"])
    assert from_strikes.loc["missiles", "not_reach_goal"] == 103
    assert (
        from_waves.loc["missiles", "got_through"]
        == from_strikes.loc["missiles", "got_through"] + 103
    )
