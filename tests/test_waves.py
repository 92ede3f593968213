import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.data.strikes import make_strikes
from analysis.data.waves import assign_waves, grouping_start, summarise_waves
from tests.rows import raw_rows


def _waves(*rows: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    strikes, _ = make_strikes(raw_rows(*rows))
    strikes["wave_id"] = assign_waves(strikes)
    return strikes, summarise_waves(strikes)


def _row(start, end, model="Shahed-136/131", launched=10, destroyed=None):
    return {
        "time_start": start,
        "time_end": end,
        "model": model,
        "launched": launched,
        "destroyed": destroyed,
    }


def test_nested_window_joins_the_longer_one():
    strikes, waves = _waves(
        _row("2025-07-08 20:00", "2025-07-09 08:30", launched=728),
        _row("2025-07-09 01:00", "2025-07-09 03:00", model="X-47 Kinzhal", launched=6),
    )
    assert len(waves) == 1
    assert waves.at[0, "drones_launched"] == 728 and waves.at[0, "missiles_launched"] == 6


def test_windows_that_only_touch_stay_separate_waves():
    _, waves = _waves(
        _row("2025-07-08 20:00", "2025-07-09 08:00"),
        _row("2025-07-09 08:00", "2025-07-09 18:00"),
    )
    assert len(waves) == 2


def test_overlap_chains_into_one_wave():
    _, waves = _waves(
        _row("2025-01-01 18:00", "2025-01-01 23:00"),
        _row("2025-01-01 22:00", "2025-01-02 04:00"),
        _row("2025-01-02 03:00", "2025-01-02 09:00"),
    )
    assert len(waves) == 1 and waves.at[0, "n_rows"] == 3


def test_date_only_rows_are_not_merged_into_a_timed_wave_but_group_by_day():
    strikes, waves = _waves(
        _row("2025-07-08 20:00", "2025-07-09 08:30", launched=728),
        _row("2025-07-09", "2025-07-09", model="Unknown UAV", launched=1),
        _row("2025-07-09", "2025-07-09", model="Reconnaissance UAV", launched=3),
        _row("2025-07-10", "2025-07-10", model="Unknown UAV", launched=2),
    )
    assert len(waves) == 3
    timed = waves[waves["time_known"]]
    assert timed["drones_launched"].tolist() == [728]
    untimed = waves[~waves["time_known"]].set_index("date")
    assert untimed["launched_recon_drone"].to_dict() == {
        pd.Timestamp("2025-07-09").date(): 3,
        pd.Timestamp("2025-07-10").date(): 0,
    }
    assert untimed["launched_unidentified_drone"].sum() == 3


def test_row_with_unknown_start_time_stays_out_of_timed_waves():
    _, waves = _waves(
        _row("2025-02-20 01:00", "2025-02-20 09:00"),
        _row("2025-02-20", "2025-02-20 10:00", model="Kalibr", launched=5),
    )
    assert len(waves) == 2


def test_two_reports_of_the_same_instant_merge():
    _, waves = _waves(
        _row("2025-04-04 19:00", "2025-04-04 19:00", model="Ballistic Missile", launched=1),
        _row("2025-04-04 19:00", "2025-04-04 19:00", model="Iskander-M", launched=2),
    )
    assert len(waves) == 1 and waves.at[0, "missiles_launched"] == 3


def test_over_long_window_does_not_chain_two_nights():
    strikes, waves = _waves(
        _row("2025-12-04 19:00", "2025-12-05 08:30", launched=137),
        _row("2025-12-05 18:00", "2025-12-06 10:00", launched=653),
        _row("2025-12-05 05:00", "2025-12-06 08:00", model="Kalibr", launched=34),
    )
    assert waves["drones_launched"].tolist() == [137, 653]
    assert waves["missiles_launched"].tolist() == [0, 34]


def test_wave_date_is_the_kyiv_date_of_its_end():
    _, waves = _waves(_row("2025-07-08 20:00", "2025-07-09 08:30"))
    assert str(waves.at[0, "date"]) == "2025-07-09"


BASE = pd.Timestamp("2025-01-01", tz="Europe/Kyiv")
windows = st.lists(
    st.tuples(st.integers(0, 96), st.integers(0, 30), st.booleans(), st.integers(0, 900)),
    min_size=1,
    max_size=40,
)


def _frame(spec) -> pd.DataFrame:
    start = [BASE + pd.Timedelta(hours=s) for s, _, _, _ in spec]
    return pd.DataFrame(
        {
            "window_start": start,
            "window_end": [
                s + pd.Timedelta(hours=d, minutes=1)
                for s, (_, d, _, _) in zip(start, spec, strict=True)
            ],
            "time_known": [k for _, _, k, _ in spec],
            "launched": [n for _, _, _, n in spec],
        }
    )


@settings(max_examples=200, deadline=None)
@given(windows)
def test_grouping_assigns_every_row_once_and_preserves_totals(spec):
    frame = _frame(spec)
    wave = assign_waves(frame)
    assert wave.notna().all() and len(wave) == len(frame)
    assert sorted(wave.unique()) == list(range(wave.nunique()))
    assert frame["launched"].groupby(wave).sum().sum() == frame["launched"].sum()


@settings(max_examples=200, deadline=None)
@given(windows)
def test_overlapping_rows_share_a_wave_and_waves_of_a_pool_do_not_overlap(spec):
    frame = _frame(spec)
    frame["wave"] = assign_waves(frame)
    frame["gs"] = grouping_start(frame)
    for _, pool in frame.groupby("time_known"):
        rows = pool.to_dict("records")
        for a in rows:
            for b in rows:
                if a["gs"] < b["window_end"] and b["gs"] < a["window_end"]:
                    assert a["wave"] == b["wave"]
        spans = pool.groupby("wave").agg(s=("gs", "min"), e=("window_end", "max"))
        spans = spans.sort_values("s")
        assert (spans["s"].iloc[1:].to_numpy() >= spans["e"].iloc[:-1].to_numpy()).all()
    # Timed and untimed rows never share a wave.
    assert frame.groupby("wave")["time_known"].nunique().max() == 1
