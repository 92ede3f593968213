"""Salvo size: how many drones and missiles one attack wave carries, and how that grows.

What. For every attack wave (``waves.parquet``) the salvo size is ``drones_launched`` (strike
drones, the Air Force's headline "drones") or, separately, ``missiles_launched`` (cruise +
ballistic + S-300/400 + unknown + mixed missiles). Quantile regression (statsmodels
``QuantReg``; Hendricks–Koenker sandwich covariance, as R quantreg's ``nid``) fits the median
and the 90th percentile of the size against time in years since ``origin`` (the first wave in the
table, 2022-09-28 on the real data). Two specifications are fitted:

* ``linear``: ``Q_q(size | t) = a + b t``; ``b`` is the average growth per year over the whole
  period;
* ``piecewise``: one hinge per knot, continuous at the knot; each segment has its own slope
  per year. The default knot, 2025-01-01, is fixed by the calendar, not estimated: from 2025
  salvos of 100+ drones are the norm and decoys are inside the drone counts. It is needed for
  the 90th percentile of drones (about 55 a year before, over 300 a year after) and for
  missiles (falling before 2025, rising after); for the drone median the two agree.

Which waves. The regression sample is the *timed* waves (``time_known``), in which the wave
rule groups one overnight attack; a drone regression uses the timed waves with at least one
strike drone, a missile regression those with at least one missile (the size of a salvo given
that the weapon was used). Untimed waves are grouped per calendar day and can pool several
reports of one day; they are left out of the main fit and fitted with the timed ones in a
sensitivity row (``population == "all"``). The record tables, by contrast, use *every* wave by
default (with ``time_known`` shown), because several record nights (2022-11-15, 2022-12-16,
2023-11-25, 2024-01-01) are reported without a time of day.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.regression.quantile_regression import QuantReg

from analysis.data.series import as_timestamps
from analysis.modelresult import ModelResult

#: Salvo measures: name -> waves column.
MEASURES = {"drones": "drones_launched", "missiles": "missiles_launched"}
QUANTILES = (0.5, 0.9)
DEFAULT_KNOTS = ("2025-01-01",)
SPECS = ("linear", "piecewise")
DAYS_PER_YEAR = 365.25


def wave_dates(waves: pd.DataFrame) -> pd.Series:
    """The waves' Kyiv end dates as naive timestamps."""
    return as_timestamps(waves["date"])


def years_since(dates: pd.Series | pd.DatetimeIndex, origin: pd.Timestamp) -> np.ndarray:
    """Years (of 365.25 days) from ``origin`` to each date."""
    delta = pd.DatetimeIndex(dates) - pd.Timestamp(origin)
    return np.asarray(delta / pd.Timedelta(days=1), dtype=float) / DAYS_PER_YEAR


def salvo_sample(waves: pd.DataFrame, measure: str, *, timed_only: bool = True) -> pd.DataFrame:
    """Waves that launched at least one of ``measure`` (``drones`` / ``missiles``):
    ``wave_id, date, time_known, size``; only timed waves unless ``timed_only`` is False."""
    if measure not in MEASURES:
        raise ValueError(f"measure {measure!r} is not one of {', '.join(MEASURES)}")
    size = waves[MEASURES[measure]].astype("int64")
    keep = size > 0
    if timed_only:
        keep &= waves["time_known"].astype(bool)
    out = pd.DataFrame(
        {
            "wave_id": waves["wave_id"],
            "date": wave_dates(waves),
            "time_known": waves["time_known"].astype(bool),
            "size": size,
        }
    )[keep.to_numpy()]
    return out.sort_values(["date", "wave_id"], kind="stable").reset_index(drop=True)


def design(t: np.ndarray, knots: Sequence[float] = ()) -> np.ndarray:
    """Columns ``1, t, (t - k)+ ...``: a continuous piecewise-linear trend."""
    t = np.asarray(t, dtype=float)
    columns = [np.ones_like(t), t] + [np.clip(t - k, 0.0, None) for k in knots]
    return np.column_stack(columns)


@dataclass(frozen=True)
class QuantileTrend:
    """A fitted quantile trend: coefficients on ``design(t, knots)`` and their covariance."""

    quantile: float
    knots: tuple[float, ...]
    params: np.ndarray
    cov: np.ndarray
    n: int

    def predict(self, t: np.ndarray, level: float = 0.95) -> pd.DataFrame:
        """Fitted quantile with a pointwise confidence interval at times ``t`` (years)."""
        x = design(t, self.knots)
        fit = x @ self.params
        se = np.sqrt(np.einsum("ij,jk,ik->i", x, self.cov, x))
        z = stats.norm.ppf(0.5 + level / 2)
        return pd.DataFrame({"fitted": fit, "ci_low": fit - z * se, "ci_high": fit + z * se})

    def segment_slopes(self, level: float = 0.95) -> pd.DataFrame:
        """Slope per year in each segment (``segment`` 0 before the first knot, ...)."""
        k = len(self.knots)
        z = stats.norm.ppf(0.5 + level / 2)
        rows = []
        for j in range(k + 1):
            weights = np.zeros(len(self.params))
            weights[1 : 2 + j] = 1.0
            slope = float(weights @ self.params)
            se = float(np.sqrt(weights @ self.cov @ weights))
            p = float(2 * stats.norm.sf(abs(slope / se))) if se > 0 else float("nan")
            rows.append(
                {
                    "segment": j,
                    "slope": slope,
                    "se": se,
                    "ci_low": slope - z * se,
                    "ci_high": slope + z * se,
                    "p_value": p,
                }
            )
        return pd.DataFrame(rows)


def hall_sheather(n: int, quantile: float, alpha: float = 0.05) -> float:
    """Hall–Sheather (1988) bandwidth on the probability scale."""
    z = stats.norm.ppf(quantile)
    ratio = 1.5 * stats.norm.pdf(z) ** 2 / (2 * z**2 + 1)
    return float(n ** (-1 / 3) * stats.norm.ppf(1 - alpha / 2) ** (2 / 3) * ratio ** (1 / 3))


def _quantreg(x: np.ndarray, y: np.ndarray, quantile: float) -> np.ndarray:
    with warnings.catch_warnings():
        # Count data have ties; the solver may warn about them harmlessly.
        warnings.simplefilter("ignore")
        return np.asarray(QuantReg(y, x).fit(q=quantile, max_iter=5000).params)


def nid_covariance(x: np.ndarray, y: np.ndarray, quantile: float) -> np.ndarray:
    """Hendricks–Koenker sandwich covariance (R quantreg's ``se = "nid"``).

    The density of ``y`` at the fitted quantile is estimated per wave from the spread of the
    fitted lines at ``quantile +/- h`` (Hall–Sheather ``h``), so the covariance stays valid
    when the spread of salvo sizes grows with time. (statsmodels' own ``vcov="robust"`` uses
    one density for all observations and understates the slope's uncertainty here.)
    """
    n = len(y)
    h = hall_sheather(n, quantile)
    upper = _quantreg(x, y, min(quantile + h, 0.999))
    lower = _quantreg(x, y, max(quantile - h, 0.001))
    spread = x @ (upper - lower)
    eps = np.finfo(float).eps ** 0.5
    density = np.maximum(0.0, 2 * h / (spread - eps))
    j = (x * density[:, None]).T @ x / n
    j_inv = np.linalg.pinv(j)
    return j_inv @ (quantile * (1 - quantile) * x.T @ x / n) @ j_inv / n


def fit_quantile_trend(
    t: np.ndarray, y: np.ndarray, quantile: float, knots: Sequence[float] = ()
) -> QuantileTrend:
    """``QuantReg`` of ``y`` on a (piecewise-)linear trend in ``t`` at one quantile, with the
    Hendricks–Koenker covariance (:func:`nid_covariance`). Knots outside the data are
    dropped."""
    t = np.asarray(t, dtype=float)
    y = np.asarray(y, dtype=float)
    knots = tuple(float(k) for k in knots if t.min() < k < t.max())
    x = design(t, knots)
    params = _quantreg(x, y, quantile)
    return QuantileTrend(quantile, knots, params, nid_covariance(x, y, quantile), len(y))


def _segment_bounds(first: pd.Timestamp, last: pd.Timestamp, knots: Sequence[pd.Timestamp]):
    edges = [first, *[k for k in knots if first < k < last], last]
    return list(zip(edges[:-1], edges[1:], strict=True))


def _knot_dates(knots: Sequence) -> list[pd.Timestamp]:
    return sorted(pd.Timestamp(k) for k in knots)


def quantile_trends(
    waves: pd.DataFrame,
    *,
    quantiles: Sequence[float] = QUANTILES,
    knots: Sequence = DEFAULT_KNOTS,
    origin: str | pd.Timestamp | None = None,
    populations: Sequence[str] = ("timed", "all"),
    level: float = 0.95,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Slopes (``population, measure, quantile, spec, segment, start, end, n_waves, slope,
    se, ci_low, ci_high, p_value``) and monthly fitted quantile lines of the timed sample
    (``measure, quantile, spec, date, years, fitted, ci_low, ci_high``)."""
    origin = pd.Timestamp(origin) if origin is not None else wave_dates(waves).min()
    knot_dates = _knot_dates(knots)
    knot_years = years_since(pd.DatetimeIndex(knot_dates), origin) if knot_dates else []
    slope_rows, fitted_rows = [], []
    for population in populations:
        for measure in MEASURES:
            sample = salvo_sample(waves, measure, timed_only=population == "timed")
            if len(sample) < 5:
                continue
            t = years_since(sample["date"], origin)
            first, last = sample["date"].min(), sample["date"].max()
            grid = pd.date_range(first.to_period("M").start_time, last, freq="MS")
            grid = grid.union(pd.DatetimeIndex([last]))
            for q in quantiles:
                for spec in SPECS:
                    use = knot_years if spec == "piecewise" else []
                    trend = fit_quantile_trend(t, sample["size"], q, use)
                    used = [
                        d for d, k in zip(knot_dates, knot_years, strict=True) if k in trend.knots
                    ]
                    bounds = _segment_bounds(first, last, used)
                    slopes = trend.segment_slopes(level)
                    for (start, end), row in zip(bounds, slopes.to_dict("records"), strict=True):
                        slope_rows.append(
                            {
                                "population": population,
                                "measure": measure,
                                "quantile": q,
                                "spec": spec,
                                **row,
                                "start": start,
                                "end": end,
                                "n_waves": trend.n,
                            }
                        )
                    if population == "timed":
                        line = trend.predict(years_since(grid, origin), level)
                        line.insert(0, "years", years_since(grid, origin))
                        line.insert(0, "date", grid)
                        line.insert(0, "spec", spec)
                        line.insert(0, "quantile", q)
                        line.insert(0, "measure", measure)
                        fitted_rows.append(line)
    columns = [
        "population",
        "measure",
        "quantile",
        "spec",
        "segment",
        "start",
        "end",
        "n_waves",
        "slope",
        "se",
        "ci_low",
        "ci_high",
        "p_value",
    ]
    slopes = pd.DataFrame(slope_rows, columns=columns)
    fitted = pd.concat(fitted_rows, ignore_index=True) if fitted_rows else pd.DataFrame()
    return slopes, fitted


def quarterly_quantiles(waves: pd.DataFrame, *, timed_only: bool = True) -> pd.DataFrame:
    """Observed per-quarter ``n, median, q90, max`` of each measure (to check the fit by eye)."""
    rows = []
    for measure in MEASURES:
        sample = salvo_sample(waves, measure, timed_only=timed_only)
        quarter = sample["date"].dt.to_period("Q").dt.start_time
        stats_ = sample.groupby(quarter)["size"].agg(
            n="size", median="median", q90=lambda s: s.quantile(0.9), max="max"
        )
        rows.append(stats_.reset_index(names="quarter").assign(measure=measure))
    out = pd.concat(rows, ignore_index=True)
    return out.loc[:, ["measure", "quarter", "n", "median", "q90", "max"]]


def _wave_frame(waves: pd.DataFrame, timed_only: bool) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "wave_id": waves["wave_id"],
            "date": wave_dates(waves),
            "time_known": waves["time_known"].astype(bool),
            "drones": waves["drones_launched"].astype("int64"),
            "missiles": waves["missiles_launched"].astype("int64"),
        }
    )
    if timed_only:
        frame = frame[frame["time_known"]]
    return frame.sort_values(["date", "wave_id"], kind="stable").reset_index(drop=True)


def records(waves: pd.DataFrame, n: int = 10, *, timed_only: bool = False) -> pd.DataFrame:
    """The ``n`` largest waves by drones and by missiles: ``by, rank, wave_id, date,
    time_known, drones, missiles`` (ties: the earlier wave ranks first)."""
    frame = _wave_frame(waves, timed_only)
    parts = []
    for measure in MEASURES:
        top = frame.sort_values(
            [measure, "date", "wave_id"], ascending=[False, True, True], kind="stable"
        ).head(n)
        parts.append(top.assign(by=measure, rank=np.arange(1, len(top) + 1)))
    out = pd.concat(parts, ignore_index=True)
    return out.loc[:, ["by", "rank", "wave_id", "date", "time_known", "drones", "missiles"]]


def record_progression(waves: pd.DataFrame, *, timed_only: bool = False) -> pd.DataFrame:
    """Every wave that set a new record (strictly larger than every earlier wave), per
    measure: ``measure, date, wave_id, time_known, record, previous_record, previous_date,
    days_since_previous``. The first wave with a non-zero count opens the list (previous 0)."""
    frame = _wave_frame(waves, timed_only)
    rows = []
    for measure in MEASURES:
        best, best_date = 0, pd.NaT
        for wave in frame.itertuples(index=False):
            value = int(getattr(wave, measure))
            if value > best:
                rows.append(
                    {
                        "measure": measure,
                        "date": wave.date,
                        "wave_id": wave.wave_id,
                        "time_known": wave.time_known,
                        "record": value,
                        "previous_record": best,
                        "previous_date": best_date,
                    }
                )
                best, best_date = value, wave.date
    out = pd.DataFrame(
        rows,
        columns=[
            "measure",
            "date",
            "wave_id",
            "time_known",
            "record",
            "previous_record",
            "previous_date",
        ],
    )
    out["previous_date"] = pd.to_datetime(out["previous_date"])
    out["days_since_previous"] = (out["date"] - out["previous_date"]).dt.days.astype("Int64")
    return out


def salvo_model(
    waves: pd.DataFrame,
    *,
    quantiles: Sequence[float] = QUANTILES,
    knots: Sequence = DEFAULT_KNOTS,
    origin: str | pd.Timestamp | None = None,
    top_n: int = 10,
    records_timed_only: bool = False,
    level: float = 0.95,
) -> ModelResult:
    """Salvo-size trends (quantile regression), records and record progression.

    Tables: ``slopes``, ``fitted`` (monthly fitted quantile lines of the timed sample),
    ``quarterly`` (observed quarterly quantiles), ``records`` and ``record_progression``.
    """
    origin_ts = pd.Timestamp(origin) if origin is not None else wave_dates(waves).min()
    slopes, fitted = quantile_trends(
        waves, quantiles=quantiles, knots=knots, origin=origin_ts, level=level
    )
    top = records(waves, top_n, timed_only=records_timed_only)
    progression = record_progression(waves, timed_only=records_timed_only)
    timed = waves["time_known"].astype(bool)
    summary: dict[str, float | int | str | None] = {
        "origin": str(origin_ts.date()),
        "knots": ", ".join(str(k.date()) for k in _knot_dates(knots)),
        "waves": int(len(waves)),
        "timed_waves": int(timed.sum()),
        "untimed_waves_excluded_from_fit": int((~timed).sum()),
        "timed_drone_waves": int(((waves["drones_launched"] > 0) & timed).sum()),
        "timed_missile_waves": int(((waves["missiles_launched"] > 0) & timed).sum()),
    }
    main = slopes[slopes["population"] == "timed"]
    for row in main.itertuples(index=False):
        stem = f"{row.measure}_q{round(row.quantile * 100):d}_{row.spec}"
        if row.spec == "piecewise":
            stem += f"_segment{row.segment}"
        summary[f"{stem}_slope"] = round(float(row.slope), 2)
        summary[f"{stem}_ci_low"] = round(float(row.ci_low), 2)
        summary[f"{stem}_ci_high"] = round(float(row.ci_high), 2)
    for measure in MEASURES:
        first = top[top["by"] == measure].iloc[0]
        summary[f"record_{measure}"] = int(first[measure])
        summary[f"record_{measure}_date"] = str(first["date"].date())
        summary[f"record_{measure}_breaks"] = int((progression["measure"] == measure).sum() - 1)
    assumptions = (
        "Salvo size is drones_launched (strike drones) or missiles_launched per wave; a measure's "
        "regression uses the timed waves in which that weapon was launched (size > 0).",
        "Quantile regression (QuantReg; Hendricks-Koenker sandwich covariance, Hall-Sheather "
        "bandwidth, robust to a spread that grows with time) of "
        "size on years since the first wave; 'linear' is one slope, 'piecewise' adds a hinge at "
        f"each knot ({summary['knots'] or 'none'}), continuous at the knot.",
        "Waves are treated as independent given time (no serial dependence between nights); "
        "confidence intervals are 95% Wald intervals from the sandwich covariance.",
        "Records use every wave (timed and untimed) unless records_timed_only; a record must be "
        "strictly larger than every earlier wave.",
    )
    caveats = (
        "Untimed waves are grouped per calendar day and can pool several reports; they are "
        "left out of the main fit (sensitivity rows: population 'all'). Timed drone waves are "
        "scarce in the first half of 2024, when most reports carried no time of day.",
        "From 2025 the drone counts include decoys (Gerbera and others) that the data do not "
        "separate: part of the growth is decoys.",
        "A straight line cannot follow the 2025 step in drone salvos; the piecewise slopes "
        "describe the two phases, the linear slope only the average growth. Even the piecewise "
        "line overshoots early 2026, when the 90th percentile fell back from its 2025 peak; "
        "the piecewise slopes also move when untimed waves are added (population 'all').",
        "Counts are discrete with many ties (missiles especially); quantile-regression "
        "intervals for the missile median are approximate.",
    )
    return ModelResult(
        name="salvo",
        summary=summary,
        tables={
            "slopes": slopes,
            "fitted": fitted,
            "quarterly": quarterly_quantiles(waves),
            "records": top,
            "record_progression": progression,
        },
        assumptions=assumptions,
        caveats=caveats,
    )


def simulate_salvos(
    n_waves: int = 400,
    *,
    years: float = 3.5,
    intercept: float = 20.0,
    slope: float = 40.0,
    sigma: float = 0.5,
    knot: float | None = None,
    slope_after: float | None = None,
    origin: str = "2022-10-01",
    seed: int | None = None,
) -> tuple[pd.DataFrame, dict[str, float]]:
    """Waves with known quantile lines: ``size = m(t) * exp(sigma * z)``, ``z ~ N(0, 1)``.

    The median is ``m(t) = intercept + slope * t`` (with ``slope_after`` from ``knot`` years
    on, if given), and every quantile ``q`` is ``m(t) * exp(sigma * z_q)``, so its slope is the
    median slope times ``exp(sigma * z_q)``. Sizes are rounded to whole drones (at least 1).
    Returns a waves-like table (``wave_id, date, time_known, drones_launched,
    missiles_launched``) and the true slopes (``q50``, ``q90`` and, with a knot,
    ``q50_after``, ``q90_after``).
    """
    rng = np.random.default_rng(seed)
    t = np.sort(rng.uniform(0.0, years, n_waves))
    median = intercept + slope * t
    if knot is not None and slope_after is not None:
        median += (slope_after - slope) * np.clip(t - knot, 0.0, None)
    size = np.maximum(1, np.round(median * np.exp(sigma * rng.standard_normal(n_waves))))
    dates = pd.Timestamp(origin) + pd.to_timedelta(np.round(t * DAYS_PER_YEAR), unit="D")
    waves = pd.DataFrame(
        {
            "wave_id": np.arange(n_waves),
            "date": dates.date,
            "time_known": True,
            "drones_launched": size.astype("int64"),
            "missiles_launched": np.zeros(n_waves, dtype="int64"),
        }
    )
    z90 = float(np.exp(sigma * stats.norm.ppf(0.9)))
    truth = {"q50": slope, "q90": slope * z90}
    if knot is not None and slope_after is not None:
        truth.update({"q50_after": slope_after, "q90_after": slope_after * z90})
    return waves, truth
