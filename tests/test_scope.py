"""Scope: the national summary alone or every reporter, and where the two differ by month."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.data.scope import ScopeError, check_scope, in_scope, scoped_waves
from analysis.data.scope_comparison import scope_comparison
from analysis.data.series import series


def rows() -> pd.DataFrame:
    """Three nights: national and Air Command South both report drones on 1 March (one wave);
    on 2 April only the General Staff reports missiles (its wave has no national row, so the
    nationwide fallback counts it); on 3 April Air Command South alone reports drones."""
    return pd.DataFrame(
        {
            "wave_id": [1, 1, 1, 2, 3],
            "end_date": ["2025-03-01", "2025-03-01", "2025-03-01", "2025-04-02", "2025-04-03"],
            "weapon_class": [
                "strike_drone",
                "strike_drone",
                "cruise_missile",
                "cruise_missile",
                "strike_drone",
            ],
            "reporter": [
                "national",
                "air_command_south",
                "national",
                "general_staff",
                "air_command_south",
            ],
            "launched": pd.array([100, 30, 5, 12, 8], dtype="Int64"),
            "destroyed": pd.array([90, 25, 5, 10, 8], dtype="Int64"),
            "not_reach_goal": pd.array([5, 0, 0, 0, 0], dtype="Int64"),
        }
    )


def test_national_scope_keeps_national_rows_and_nationwide_posts_of_waves_without_them():
    strikes = rows()
    national = in_scope(strikes, "national")
    assert national["reporter"].tolist() == ["national", "national", "general_staff"]
    assert in_scope(strikes, "all") is strikes


def test_a_nationwide_post_in_a_wave_the_national_summary_covers_is_left_out():
    strikes = rows()
    strikes.loc[3, "wave_id"] = 1  # the General Staff's missiles now share the national wave
    assert in_scope(strikes, "national")["reporter"].tolist() == ["national", "national"]


def test_without_wave_ids_the_kyiv_date_decides_whether_the_national_summary_covers_a_row():
    strikes = rows().drop(columns="wave_id")
    assert in_scope(strikes, "national")["reporter"].tolist() == [
        "national",
        "national",
        "general_staff",
    ]


def test_series_takes_a_scope_and_none_counts_the_rows_given():
    strikes = rows()
    kw = {"by": "headline", "freq": "M", "groups": ["drones"]}
    national = series(strikes, scope="national", **kw)["launched"].tolist()
    every = series(strikes, scope="all", **kw)["launched"].tolist()
    assert national == [100, 0] and every == [130, 8]
    assert series(strikes, **kw)["launched"].tolist() == every


@pytest.mark.parametrize("bad", ["National", "", None, 3, "regional"])
def test_an_unknown_scope_is_refused_with_the_choices(bad):
    with pytest.raises(ScopeError, match='use "national" .* or "all"'):
        check_scope(bad)


def test_comparison_gives_both_scopes_the_difference_and_whether_it_is_material():
    table = scope_comparison(rows()).set_index(["group", "month"])
    march, april = pd.Timestamp("2025-03-01"), pd.Timestamp("2025-04-01")
    drones = table.loc[("drones", march)]
    assert (drones["national"], drones["all"], drones["difference"]) == (100, 130, 30)
    assert drones["share"] == pytest.approx(0.30) and drones["material"]
    missiles = table.loc[("missiles", april)]
    assert (missiles["national"], missiles["all"]) == (12, 12)  # the nationwide fallback
    assert not missiles["material"] and not table.loc[("missiles", march), "material"]
    april_drones = table.loc[("drones", april)]
    assert (april_drones["national"], april_drones["all"]) == (0, 8)
    assert pd.isna(april_drones["share"]) and not april_drones["material"]  # under 10


def test_real_months_where_the_scopes_differ_materially(real_strikes):
    table = scope_comparison(real_strikes)
    material = table[table["material"]]
    drones = material[material["group"] == "drones"]["month"].dt.strftime("%Y-%m").tolist()
    assert drones == ["2024-03"]
    missiles = material[material["group"] == "missiles"].set_index("month")
    assert len(missiles) == 12
    march_2024 = table.set_index(["group", "month"]).loc[("drones", pd.Timestamp("2024-03-01"))]
    assert (march_2024["national"], march_2024["all"]) == (514, 553)
    february_2023 = table.set_index(["group", "month"]).loc[
        ("missiles", pd.Timestamp("2023-02-01"))
    ]
    assert (february_2023["national"], february_2023["all"]) == (145, 145)  # fallback posts


def test_real_national_waves_keep_the_record_night_and_drop_waves_only_others_posted(
    real_strikes, real_waves
):
    national = scoped_waves(real_strikes, real_waves, "national")
    assert scoped_waves(real_strikes, real_waves, "all") is real_waves
    assert len(national) < len(real_waves)
    assert int(national["drones_launched"].max()) == int(real_waves["drones_launched"].max())
    assert set(national["reporter"]) == {"national", "general_staff", "commander_in_chief"}
    night = national[national["date"].astype(str) == "2023-02-10"]
    assert int(night["missiles_launched"].max()) == 106  # the commander-in-chief's post
