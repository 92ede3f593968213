"""Scope: the national summary alone or every reporter, and where the two differ by month."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.data.scope import (
    ScopeError,
    check_scope,
    in_scope,
    scope_comparison,
    scoped_waves,
)


def rows() -> pd.DataFrame:
    """Two nights: national and Air Command South both report drones on 1 March; in April only
    the General Staff reports missiles."""
    return pd.DataFrame(
        {
            "end_date": ["2025-03-01", "2025-03-01", "2025-03-01", "2025-04-02"],
            "weapon_class": ["strike_drone", "strike_drone", "cruise_missile", "cruise_missile"],
            "reporter": ["national", "air_command_south", "national", "general_staff"],
            "launched": pd.array([100, 30, 5, 12], dtype="Int64"),
            "destroyed": pd.array([90, 25, 5, 10], dtype="Int64"),
            "not_reach_goal": pd.array([5, 0, 0, 0], dtype="Int64"),
        }
    )


def test_national_scope_keeps_only_national_rows_and_all_keeps_every_row():
    strikes = rows()
    assert in_scope(strikes, "national")["reporter"].tolist() == ["national", "national"]
    assert in_scope(strikes, "all") is strikes


@pytest.mark.parametrize("bad", ["National", "", None, 3, "regional"])
def test_an_unknown_scope_is_refused_with_the_choices(bad):
    with pytest.raises(ScopeError, match="choose one of national, all"):
        check_scope(bad)


def test_comparison_gives_both_scopes_the_difference_and_whether_it_is_material():
    table = scope_comparison(rows()).set_index(["group", "month"])
    march, april = pd.Timestamp("2025-03-01"), pd.Timestamp("2025-04-01")
    drones = table.loc[("drones", march)]
    assert (drones["national"], drones["all"], drones["difference"]) == (100, 130, 30)
    assert drones["share"] == pytest.approx(0.30) and drones["material"]
    missiles = table.loc[("missiles", april)]
    assert (missiles["national"], missiles["all"]) == (0, 12)
    assert pd.isna(missiles["share"]) and missiles["material"]
    assert not table.loc[("missiles", march), "material"]  # 5 and 5: no difference


def test_real_months_where_the_scopes_differ_materially(real_strikes):
    table = scope_comparison(real_strikes)
    material = table[table["material"]]
    drones = material[material["group"] == "drones"]["month"].dt.strftime("%Y-%m").tolist()
    assert drones == ["2022-10", "2024-03"]
    missiles = material[material["group"] == "missiles"].set_index("month")
    assert len(missiles) == 15
    february_2023 = missiles.loc[pd.Timestamp("2023-02-01")]
    assert (february_2023["national"], february_2023["all"]) == (4, 145)


def test_real_national_waves_keep_the_record_night_and_drop_waves_only_others_posted(
    real_strikes, real_waves
):
    national = scoped_waves(real_strikes, real_waves, "national")
    assert scoped_waves(real_strikes, real_waves, "all") is real_waves
    assert len(national) < len(real_waves)
    assert int(national["drones_launched"].max()) == int(real_waves["drones_launched"].max())
    assert set(national["reporter"]) == {"national"}
