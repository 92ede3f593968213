"""Time every escalation model on the full real snapshot (prints figures; never a test).

Usage: python benchmarks/bench_models.py [--release 2026-04-05] [--repeat 3]
Target: all models together well under 10 s on 2 cores (the forecast backtest is timed on its
own: the nested backtest fits every model and window at the choosing origins, then every model
at its window at 52 scoring origins).
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from collections.abc import Callable

from analysis.data.events import read_events
from analysis.data.indicators import north_korean_band, origin_series
from analysis.data.overview import load_processed
from analysis.models.event_study import event_summary
from analysis.models.forecast import backtest_for, forecast_for
from analysis.models.interception import interception_model
from analysis.models.regimes import regimes_for
from analysis.models.salvo import salvo_model
from analysis.models.trend import fit_trend_strikes


def _time(fn: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - started)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--release", default=None)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    data = load_processed(args.release)
    strikes, waves = data.strikes, data.waves
    events = read_events()
    fits: dict[str, Callable[[], object]] = {
        "trend, daily strike drones": lambda: fit_trend_strikes(strikes, "strike_drone", freq="D"),
        "trend, weekly drones": lambda: fit_trend_strikes(strikes, "drones", freq="W"),
        "trend, weekly missiles": lambda: fit_trend_strikes(strikes, "missiles", freq="W"),
        "regimes, drones": lambda: regimes_for(strikes, "drones"),
        "regimes, missiles": lambda: regimes_for(strikes, "missiles"),
        "salvo size": lambda: salvo_model(waves),
        "interception": lambda: interception_model(waves, strikes),
        "forecast, drones (7 models)": lambda: forecast_for(strikes, "drones"),
        "forecast, missiles (7 models)": lambda: forecast_for(strikes, "missiles"),
        "origin indicators (weekly + band)": lambda: (
            origin_series(strikes, freq="W"),
            north_korean_band(strikes),
        ),
    }
    print(
        f"release {data.release}; {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}; best of {args.repeat}"
    )
    total = 0.0
    for label, fn in fits.items():
        seconds = _time(fn, args.repeat)
        total += seconds
        print(f"  {label:<34} {seconds:6.2f} s")
    print(
        f"  {'all models':<34} {total:6.2f} s   (target: well under 10 s; ratio "
        f"{total / 10:.2f} of the 10 s budget)"
    )
    seconds = _time(lambda: event_summary(strikes, events), 1)
    print(f"  event studies, {len(events)} events + placebo {seconds:6.2f} s")
    for group in ("drones", "missiles"):
        seconds = _time(lambda g=group: backtest_for(strikes, g, origins=52), 1)
        print(f"  nested backtest, 52 origins x h=8, {group:<9} {seconds:6.2f} s")


if __name__ == "__main__":
    main()
