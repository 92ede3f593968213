"""Findings of ``notebooks/02_escalation_trends.ipynb``: trend, growth, dispersion, regimes.

The notebook calls :func:`fit_trends` and :func:`fit_regimes` on the processed strikes, shows
the tables built here (:func:`growth_table`, :func:`dispersion_table`, :func:`regime_table`,
:func:`breaks_table`) and the sentences that quote the results, each recorded on the run's
:class:`~analysis.results.Publisher`. Every number in a sentence is read from a
:class:`~analysis.modelresult.ModelResult`.

Two kinds of sentence: the plain verdicts a reader sees (:func:`growth_finding`,
:func:`regime_finding`: one verdict per quantity, from the cautious interval, in the landing
page's words, dates as "Apr 2025") and the technical ones of the page's "Method and
diagnostics" folds (:func:`growth_detail`, :func:`dispersion_finding`, :func:`regime_detail`:
every window, 95% CIs, diagnostics and comparisons).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pandas as pd

from analysis.data.labels import PERIOD_WORDS, group_label
from analysis.data.overview import Period
from analysis.data.scope import scope_label
from analysis.data.series import calendar
from analysis.findings.cards import growth_verdict, per_year
from analysis.findings.text import bullets, day_label, month_label, plausibly
from analysis.modelresult import ModelResult
from analysis.models.regimes import GROUPS as REGIME_GROUPS
from analysis.models.regimes import RegimeFit
from analysis.models.trend import MIN_PERIODS, TrendFit
from analysis.params import ParameterError, check_whole_list
from analysis.results import Publisher

#: Fewest complete weeks the regime model accepts (two regimes of its minimum 8 weeks).
MIN_REGIME_WEEKS = 16
#: Headline findings: the growth of this many groups (the first chosen) and one regime.
HEADLINE_GROWTH = 2
#: The growth window of the plain verdict (the landing page's growth card), in months.
HEADLINE_MONTHS = 12
#: What a plain sentence counts, for the headline groups; other groups read "launches of ...".
SUBJECTS = {"drones": "drone launches", "missiles": "missile launches"}
MINUS = "\u2212"

Publishable = Publisher | None


# --- parameters --------------------------------------------------------------------------------


def check_growth_windows(windows, name: str = "growth_windows") -> list[int]:
    """Growth windows in months (a whole number or a list of them, 1 to 48), sorted, unique;
    the rule of the parameter table in ``analysis.params``."""
    return check_whole_list(windows, name, 1, 48)


def _span(period: Period) -> tuple[dt.date, dt.date]:
    first = period.start or period.data_first
    last = period.end or period.data_last
    if first is None or last is None:
        raise ParameterError("release: its dates are unknown (is it built?)")
    return first, last


def check_period_length(period: Period, freq: str) -> Period:
    """Stop with a message naming ``start``/``end`` when the period is too short for the
    trend (at least 8 complete periods, 14 days for daily data) or for the regime model
    (16 complete weeks)."""
    first, last = _span(period)
    weeks = int(calendar(first, last, "W")["complete"].sum())
    periods = int(calendar(first, last, freq)["complete"].sum())
    needed = max(MIN_PERIODS, 14) if freq == "D" else MIN_PERIODS
    unit = PERIOD_WORDS[freq][0]
    problem = None
    if weeks < MIN_REGIME_WEEKS:
        problem = (
            f"holds {weeks} complete weeks; the regime model needs at least {MIN_REGIME_WEEKS}"
        )
    elif periods < needed:
        problem = f"holds {periods} complete {unit}s; the trend needs at least {needed}"
    if problem:
        raise ParameterError(
            f"start {period.start or '(first date)'} / end {period.end or '(last date)'}: the "
            f"period {first} to {last} {problem}; choose a longer period"
        )
    return period


def regime_groups(classes: Iterable[str]) -> list[str]:
    """The headline groups (``drones``, ``missiles``) among ``classes``, or both when none
    is: the regime model works on the Air Force's headline series."""
    chosen = [g for g in classes if g in REGIME_GROUPS]
    return list(dict.fromkeys(chosen)) or list(REGIME_GROUPS)


# --- model runs --------------------------------------------------------------------------------


# --- formatting --------------------------------------------------------------------------------


def _finite(value) -> bool:
    return value is not None and not pd.isna(value) and math.isfinite(float(value))


def pct(value, digits: int = 1) -> str:
    """A signed percentage with a typographic minus: ``+6.0%``, ``−0.3%``."""
    if not _finite(value):
        return "n/a"
    text = f"{float(value):+,.{digits}f}%"
    return text.replace("-", MINUS)


def num(value, digits: int = 1) -> str:
    """A number with thousands separators and a typographic minus."""
    if not _finite(value):
        return "n/a"
    return f"{float(value):,.{digits}f}".replace("-", MINUS)


def count(value) -> str:
    """A count rounded to a whole number, with thousands separators."""
    return num(value, 0)


def _p_value(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def _reading(low, high) -> str:
    """``rise``, ``fall`` or ``unclear`` from a 95% interval of growth."""
    if _finite(low) and float(low) > 0:
        return "rise"
    if _finite(high) and float(high) < 0:
        return "fall"
    return "unclear"


def _noun(group: str) -> str:
    label = group_label(group)
    return label[0].lower() + label[1:]


# --- tables ------------------------------------------------------------------------------------


def _windows(result: ModelResult) -> pd.DataFrame:
    return result.table("growth").reset_index(drop=True)


def growth_table(fit: TrendFit) -> pd.DataFrame:
    """Growth per month and doubling time with 95% CIs per window, one row per window;
    numbers, for the CSV. ``growth_low``/``growth_high`` are the headline interval (Newey-West
    with fixed-b critical values, allowing for autocorrelation), ``growth_low_model`` /
    ``growth_high_model`` the model-based one that treats periods as independent."""
    if fit.result is None:
        return pd.DataFrame()
    rows = _windows(fit.result)
    out = pd.DataFrame(
        {
            "group": fit.group,
            "window": rows["window"],
            "first_day": pd.to_datetime(rows["start"]).dt.date,
            "last_day": pd.to_datetime(rows["end"]).dt.date,
            "periods": rows["n_periods"].astype("int64"),
            "growth_pct_month": rows["growth_pct_per_month"],
            "growth_low": rows["growth_pct_low"],
            "growth_high": rows["growth_pct_high"],
            "growth_low_model": rows.get("growth_pct_low_model", math.nan),
            "growth_high_model": rows.get("growth_pct_high_model", math.nan),
            "doubling_months": rows["doubling_months"],
            "doubling_low": rows["doubling_low"],
            "doubling_high": rows["doubling_high"],
            "reading": rows["doubling"],
            "resid_acf1": rows["resid_acf1"],
            "note": rows["note"],
        }
    )
    return out


def _interval(low, high, fmt=pct) -> str:
    if not (_finite(low) or _finite(high)):
        return "n/a"
    right = "never" if not _finite(high) else fmt(high)
    return f"{fmt(low)} to {right}"


def growth_display(table: pd.DataFrame, freq: str = "W") -> pd.DataFrame:
    """:func:`growth_table` with the intervals written out, for reading."""
    unit = PERIOD_WORDS[freq][0]
    months = lambda v: num(v, 1)  # noqa: E731
    doubling = [
        (f"{num(d)} ({_interval(lo, hi, months)})" if _finite(lo) and _finite(d) else "—")
        for d, lo, hi in zip(
            table["doubling_months"], table["doubling_low"], table["doubling_high"], strict=True
        )
    ]
    return pd.DataFrame(
        {
            "window": table["window"],
            "from": table["first_day"].astype(str),
            "to": table["last_day"].astype(str),
            f"{unit}s": table["periods"],
            "growth per month": table["growth_pct_month"].map(pct),
            "95% CI": [
                _interval(lo, hi)
                for lo, hi in zip(table["growth_low"], table["growth_high"], strict=True)
            ],
            "95% CI if periods were independent": [
                _interval(lo, hi)
                for lo, hi in zip(
                    table["growth_low_model"], table["growth_high_model"], strict=True
                )
            ],
            "doubling time, months (95% CI)": doubling,
        }
    ).set_index("window")


def dispersion_table(fits: Mapping[str, TrendFit]) -> pd.DataFrame:
    """Negative binomial against Poisson for every fitted group: alpha with its profile 95%
    CI, the likelihood-ratio test (boundary-corrected p), both AICs and the lag-1
    autocorrelation of the Pearson residuals."""
    rows = []
    for group, fit in fits.items():
        if fit.result is None:
            continue
        s = fit.result.summary
        rows.append(
            {
                "group": group,
                "periods": s["n_periods"],
                "total launched": s["total"],
                "alpha": s["alpha"],
                "alpha_low": s["alpha_low"],
                "alpha_high": s["alpha_high"],
                "lr_statistic": s["lr_statistic"],
                "lr_pvalue": s["lr_pvalue"],
                "aic_nb": s["aic"],
                "aic_poisson": s["aic_poisson"],
                "resid_acf1": s["resid_acf1"],
            }
        )
    return pd.DataFrame(rows).set_index("group") if rows else pd.DataFrame()


def regime_table(fit: RegimeFit) -> pd.DataFrame:
    """The regimes of one group: dates, weeks, level with 95% CI, mean launches and the
    within-regime growth per month with its 95% CI."""
    if fit.result is None:
        return pd.DataFrame()
    r = fit.result.table("regimes")
    return pd.DataFrame(
        {
            "group": fit.group,
            "regime": r["regime"],
            "first_week": pd.to_datetime(r["start"]).dt.date,
            "last_day": pd.to_datetime(r["end"]).dt.date,
            "weeks": r["weeks"],
            "level": r["level"],
            "level_low": r["level_low"],
            "level_high": r["level_high"],
            "mean_launches": r["mean_launches"],
            "total_launches": r["total_launches"],
            "growth_pct_month": r["growth_pct_month"],
            "growth_low": r["growth_low"],
            "growth_high": r["growth_high"],
        }
    ).set_index("regime")


def breaks_table(fit: RegimeFit) -> pd.DataFrame:
    """The breaks of one group: the week of the break with its bootstrap 95% interval, the
    level before and after and their ratio, and how often the bootstrap found it again."""
    if fit.result is None:
        return pd.DataFrame()
    b = fit.result.table("breaks")
    if b.empty:
        return pd.DataFrame(
            columns=[
                "group",
                "break_week",
                "low",
                "high",
                "level_before",
                "level_after",
                "ratio",
                "refound",
            ]
        )
    return pd.DataFrame(
        {
            "group": fit.group,
            "break_week": pd.to_datetime(b["break"]).dt.date,
            "low": pd.to_datetime(b["low"]).dt.date,
            "high": pd.to_datetime(b["high"]).dt.date,
            "level_before": b["level_before"],
            "level_after": b["level_after"],
            "ratio": b["ratio"],
            "refound": b["refound"],
        }
    )


def _ci(lows: pd.Series, highs: pd.Series, fmt) -> list[str]:
    return [_interval(lo, hi, fmt) for lo, hi in zip(lows, highs, strict=True)]


def dispersion_display(table: pd.DataFrame, freq: str = "W") -> pd.DataFrame:
    """:func:`dispersion_table` with plain column names and the intervals written out."""
    if table.empty:
        return table
    two = lambda v: num(v, 2)  # noqa: E731
    out = pd.DataFrame(
        {
            f"{PERIOD_WORDS[freq][0]}s": table["periods"].map(count),
            "launched": table["total launched"].map(count),
            "dispersion α": table["alpha"].map(two),
            "α 95% CI": _ci(table["alpha_low"], table["alpha_high"], two),
            "LR statistic": table["lr_statistic"].map(num),
            "p (Poisson vs NB)": table["lr_pvalue"].map(
                lambda p: "< 0.001" if p < 0.001 else f"{p:.3f}"
            ),
            "AIC, NB": table["aic_nb"].map(count),
            "AIC, Poisson": table["aic_poisson"].map(count),
            "lag-1 autocorrelation": table["resid_acf1"].map(two),
        }
    )
    out.index = pd.Index([group_label(g) for g in table.index], name="group")
    return out


def regime_display(table: pd.DataFrame) -> pd.DataFrame:
    """:func:`regime_table` with plain column names and the intervals written out."""
    return pd.DataFrame(
        {
            "from": table["first_week"].astype(str),
            "to": table["last_day"].astype(str),
            "weeks": table["weeks"].map(count),
            "typical week": table["level"].map(num),
            "95% CI": _ci(table["level_low"], table["level_high"], num),
            "average week": table["mean_launches"].map(num),
            "launched": table["total_launches"].map(count),
            "drift per month": table["growth_pct_month"].map(pct),
            "drift 95% CI": _ci(table["growth_low"], table["growth_high"], pct),
        },
        index=table.index,
    )


def breaks_display(table: pd.DataFrame) -> pd.DataFrame:
    """:func:`breaks_table` with plain column names, numbered from 1."""
    two = lambda v: num(v, 2)  # noqa: E731
    out = pd.DataFrame(
        {
            "week of the break": table["break_week"].astype(str),
            "95% interval": [
                f"{lo} to {hi}" if pd.notna(lo) else "n/a"
                for lo, hi in zip(table["low"], table["high"], strict=True)
            ],
            "typical week before": table["level_before"].map(num),
            "typical week after": table["level_after"].map(num),
            "ratio": table["ratio"].map(two),
            "re-found in bootstrap": table["refound"].map(
                lambda v: f"{100 * v:.0f}%" if _finite(v) else "n/a"
            ),
        }
    )
    out.index = pd.RangeIndex(1, len(out) + 1, name="break")
    return out


# --- sentences ---------------------------------------------------------------------------------


def _record(pub: Publishable, key: str, text: str, **kw) -> str:
    return pub.finding(key, text, **kw) if pub is not None else text


def _number(pub: Publishable, key: str, value) -> None:
    if pub is not None:
        pub.number(key, value if _finite(value) else None)


def _nan_none(value):
    return float(value) if _finite(value) else None


def _window_key(row: pd.Series) -> str:
    return "all" if row["window"] == "whole span" else f"{int(row['months'])}m"


def _subject(group: str) -> str:
    """What a plain sentence counts: ``drone launches``, ``launches of cruise missiles``."""
    return SUBJECTS.get(group) or f"launches of {_noun(group)}"


def rounded(value) -> float:
    """A count rounded for a reader: two significant figures from 100 (``1,071`` -> 1,100),
    whole numbers below (NaN stays NaN)."""
    if not _finite(value):
        return math.nan
    digits = max(0, len(str(int(abs(float(value))))) - 2)
    return float(round(float(value), -digits))


def about(value) -> str:
    """:func:`rounded` as text: ``1,100``; ``n/a`` for a missing number."""
    return f"{rounded(value):,.0f}" if _finite(value) else "n/a"


def _months_text(months) -> str:
    """A doubling or halving time in months, rounded for a reader: ``6``, ``1.5``."""
    value = float(months)
    return f"{value:.0f}" if value >= 2 else f"{value:.1f}"


def headline_window(rows: pd.DataFrame) -> pd.Series | None:
    """The growth window whose verdict a reader sees: the last :data:`HEADLINE_MONTHS`
    months (the landing page's growth card) when it is among the windows, else the longest
    estimated window short of the whole span, else the whole span; None without rows."""
    if rows.empty:
        return None
    windows = rows[rows["window"] != "whole span"]
    chosen = windows[windows["months"] == HEADLINE_MONTHS]
    if len(chosen):
        return chosen.iloc[0]
    estimated = windows[windows["growth_pct_per_month"].map(_finite)]
    if len(estimated):
        return estimated.sort_values("months").iloc[-1]
    return rows.iloc[-1]


def yearly(row: pd.Series) -> tuple[float, float, float]:
    """A window's growth per month and its headline interval, each as a change per year (%)."""
    return tuple(  # type: ignore[return-value]
        per_year(float(row[k])) if _finite(row[k]) else math.nan
        for k in ("growth_pct_per_month", "growth_pct_low", "growth_pct_high")
    )


def window_verdict(row: pd.Series) -> str:
    """The plain verdict of one growth window, as the landing page's growth card words it
    (:func:`analysis.findings.cards.growth_verdict` on the yearly change and the headline
    interval): ``no clear change (somewhere between -31% and +245% a year)``."""
    return growth_verdict(*yearly(row))


def _window_words(row: pd.Series) -> str:
    """``over the last 12 months (Apr 2025 to Apr 2026)`` or ``over the whole record (Oct
    2022 to Apr 2026)``."""
    name = "the whole record" if row["window"] == "whole span" else f"the {row['window']}"
    return f"over {name} ({month_label(row['start'])} to {month_label(row['end'])})"


def _long_run_sentence(row: pd.Series, headline_reading: str) -> str:
    """The whole span's growth in one plain sentence: doubling or halving time when the
    headline interval is clear, else no clear change."""
    since = f"Over the whole record since {month_label(row['start'])}"
    if not _finite(row["growth_pct_per_month"]):
        return ""
    reading = _reading(row["growth_pct_low"], row["growth_pct_high"])
    if reading == "rise" and _finite(row["doubling_months"]):
        every = _months_text(row["doubling_months"])
        return f" {since} they rose clearly, doubling about every {every} months."
    if reading == "fall":
        every = _months_text(-math.log(2) / float(row["slope_per_month"]))
        return f" {since} they fell clearly, halving about every {every} months."
    either = " either" if headline_reading == "unclear" else ""
    return f" {since} there is no clear change{either}."


def growth_finding(fit: TrendFit, pub: Publishable = None, *, headline: bool = False) -> str:
    """The plain growth verdict of one group: over the last 12 months (:func:`headline_window`)
    in the landing page's words (:func:`window_verdict`), then the whole record in one
    sentence. No interval names, no model names: those are in :func:`growth_detail`.

    Records ``growth_<group>`` (value: the change per year over that window, in %, with the
    headline interval as a change per year) and the numbers ``growth_<group>_<window>_pct``
    (growth per month) for every window."""
    key = f"growth_{fit.group}"
    subject = _subject(fit.group)
    if fit.result is None:
        text = f"{subject[0].upper()}{subject[1:]}: no trend could be fitted ({fit.error})."
        return _record(pub, key, text, headline=False)
    rows = _windows(fit.result)
    for _, row in rows.iterrows():
        _number(pub, f"growth_{fit.group}_{_window_key(row)}_pct", row["growth_pct_per_month"])
    row = headline_window(rows)
    assert row is not None  # a fitted trend has at least its whole span
    text = f"{subject[0].upper()}{subject[1:]} {_window_words(row)}: {window_verdict(row)}."
    whole = rows[rows["window"] == "whole span"]
    if row["window"] != "whole span" and len(whole):
        reading = _reading(row["growth_pct_low"], row["growth_pct_high"])
        text += _long_run_sentence(whole.iloc[0], reading)
    value, low, high = yearly(row)
    return _record(
        pub,
        key,
        text,
        value=_nan_none(value),
        low=_nan_none(low),
        high=_nan_none(high),
        unit=f"% a year ({row['window']})",
        headline=headline,
    )


def _window_sentence(row: pd.Series, subject: str) -> str:
    """'Over the last 6 months (6 Oct 2025 to 5 Apr 2026), <subject> changed by +6.0% per
    month on average (95% CI ...): no clear trend, ...' for one row of a growth table."""
    where = f"Over the {row['window']} ({day_label(row['start'])} to {day_label(row['end'])})"
    if not _finite(row["growth_pct_per_month"]):
        return f"{where}: not estimated ({row['note'] or 'too few periods'})."
    text = (
        f"{where}, {subject} changed by {pct(row['growth_pct_per_month'])} per month on "
        f"average (95% CI {pct(row['growth_pct_low'])} to {pct(row['growth_pct_high'])})"
    )
    reading = _reading(row["growth_pct_low"], row["growth_pct_high"])
    if reading == "rise":
        high = num(row["doubling_high"]) if _finite(row["doubling_high"]) else "never"
        return (
            text + f": a clear rise; at that pace they double every "
            f"{num(row['doubling_months'])} months (95% CI {num(row['doubling_low'])} to "
            f"{high})."
        )
    if reading == "fall":
        halving = num(-math.log(2) / float(row["slope_per_month"]))
        return text + f": a clear fall; at that pace they halve every {halving} months."
    return text + ": no clear trend, since the interval includes zero."


def _independence_note(fit: TrendFit, windows: pd.DataFrame, unit: str) -> str:
    """How the intervals would read if successive periods were treated as independent (the
    model-based intervals), and whether that would change a reading."""
    if "growth_pct_low_model" not in windows:
        return ""
    parts, changed = [], []
    for _, row in windows.iterrows():
        if not (_finite(row["growth_pct_per_month"]) and _finite(row["growth_pct_low_model"])):
            continue
        low, high = row["growth_pct_low_model"], row["growth_pct_high_model"]
        parts.append(f"{pct(low)} to {pct(high)} ({row['window']})")
        naive = _reading(low, high)
        honest = _reading(row["growth_pct_low"], row["growth_pct_high"])
        if naive != honest and naive != "unclear":
            word = "rise" if naive == "rise" else "fall"
            changed.append(f"a clear {word} over the {row['window']}")
    if not parts:
        return ""
    acf: Any = fit.result.summary.get("resid_acf1") if fit.result is not None else None
    lead = (
        f"Busy and quiet {unit}s come in runs (lag-1 autocorrelation of the residuals "
        f"{num(acf, 2)}), and the intervals above allow for that"
        if _finite(acf) and float(acf) > 0.1
        else "The intervals above allow for runs of busy and quiet "
        f"{unit}s (lag-1 autocorrelation of the residuals {num(acf, 2)})"
    )
    text = f" {lead}; treating every {unit} as independent would give the narrower " + ", ".join(
        parts
    )
    if changed:
        return text + ", and would wrongly show " + " and ".join(changed) + "."
    return text + ", with the same reading."


def growth_detail(fit: TrendFit, pub: Publishable = None) -> str:
    """The growth of one group over every growth window (the shortest first), per month with
    the 95% CIs that allow for autocorrelation, and how much narrower (and, where it matters,
    how misleading) the intervals that treat periods as independent would be; for the
    "Method and diagnostics" fold.

    Records ``growth_detail_<group>`` (value: growth per month over the shortest estimated
    window, in %, with the headline interval); nothing for a group without a fit (its
    :func:`growth_finding` says why)."""
    name = group_label(fit.group)
    if fit.result is None:
        return f"{name}. No trend could be fitted: {fit.error}."
    unit, adjective = PERIOD_WORDS[fit.freq]
    rows = _windows(fit.result)
    windows = rows[rows["window"] != "whole span"]
    estimated = rows[rows["growth_pct_per_month"].map(_finite)]
    recent = estimated.iloc[0] if len(estimated) else rows.iloc[-1]  # shortest estimated
    subjects = [f"{adjective} launches"] + ["they"] * (len(rows) - 1)
    text = f"{name}. " + " ".join(
        _window_sentence(row, subject)
        for (_, row), subject in zip(rows.iterrows(), subjects, strict=True)
    )
    if len(windows):
        text += _independence_note(fit, windows, unit)
    return _record(
        pub,
        f"growth_detail_{fit.group}",
        text,
        value=_nan_none(recent["growth_pct_per_month"]),
        low=_nan_none(recent["growth_pct_low"]),
        high=_nan_none(recent["growth_pct_high"]),
        unit=f"% per month ({recent['window']})",
        headline=False,
    )


def dispersion_finding(fit: TrendFit, pub: Publishable = None) -> str:
    """How much more variable the counts are than Poisson: alpha with its 95% CI and the
    likelihood-ratio test. Records ``dispersion_<group>`` and the number ``alpha_<group>``."""
    key = f"dispersion_{fit.group}"
    if fit.result is None:  # growth_finding records why; no second finding
        return f"{group_label(fit.group)}. No trend could be fitted: {fit.error}."
    s = fit.result.summary
    unit, adjective = PERIOD_WORDS[fit.freq]
    alpha_high = s["alpha_high"] if _finite(s["alpha_high"]) else math.inf
    high_text = num(alpha_high, 2) if math.isfinite(alpha_high) else "no upper bound"
    _number(pub, f"alpha_{fit.group}", s["alpha"])
    subject = f"{adjective.capitalize()} counts of {_noun(fit.group)}"
    test = (
        f"likelihood-ratio statistic {num(s['lr_statistic'])}, {_p_value(s['lr_pvalue'])}"
        f"; AIC {count(s['aic'])} against {count(s['aic_poisson'])} for Poisson"
    )
    if s["lr_pvalue"] < 0.05:
        text = (
            f"{subject} vary much more from {unit} to {unit} than a Poisson model allows: "
            f"the negative binomial dispersion α is {num(s['alpha'], 2)} (95% CI "
            f"{num(s['alpha_low'], 2)} to {high_text}; Poisson means α = 0), and the test "
            f"of negative binomial against Poisson rejects Poisson ({test}). The intervals "
            "here therefore come from the negative binomial model."
        )
    else:
        text = (
            f"{subject} are not clearly more variable than a Poisson model allows: α is "
            f"{num(s['alpha'], 2)} (95% CI {num(s['alpha_low'], 2)} to {high_text}) and "
            f"the test does not reject Poisson ({test})."
        )
    return _record(
        pub,
        key,
        text,
        value=_nan_none(s["alpha"]),
        low=_nan_none(s["alpha_low"]),
        high=_nan_none(alpha_high),
        unit="alpha (NB2 dispersion)",
        headline=False,
    )


def _and_list(days: Sequence[str]) -> str:
    days = list(days)
    return days[0] if len(days) == 1 else ", ".join(days[:-1]) + " and " + days[-1]


def _breaks_words(n: int) -> str:
    return f"{n} break{'s' if n != 1 else ''}"


def _times(n: int) -> str:
    """``once``, ``twice``, ``5 times``."""
    return "once" if n == 1 else "twice" if n == 2 else f"{n} times"


def _count_uncertainty(s: Mapping, group: str, pub: Publishable) -> str:
    """How sure the number of breaks is, in plain words: the range of counts found in the
    bootstrap re-fits, and the count when a break may change the spread as well as the level.
    Records ``n_breaks_<group>_low`` and ``n_breaks_<group>_high``."""
    n = int(s["n_breaks"])
    text = ""
    low: Any = s.get("n_breaks_boot_low")
    high: Any = s.get("n_breaks_boot_high")
    same: Any = s.get("n_breaks_boot_same")
    if _finite(low) and _finite(high) and _finite(same):
        _number(pub, f"n_breaks_{group}_low", int(low))
        _number(pub, f"n_breaks_{group}_high", int(high))
        spread = (
            f"always {_breaks_words(int(low))}"
            if low == high
            else f"between {int(low)} and {int(high)} breaks in 95% of them"
        )
        text += (
            f" The number of breaks is itself uncertain: re-fitting {int(s['n_boot']):,} "
            f"versions of the series, resampled in blocks of weeks, found {spread} "
            f"({n} in {100 * float(same):.0f}%)."
        )
    other: Any = s.get("n_breaks_other_cost")
    if other is not None and s.get("cost") == "l2":
        dates = s.get("break_dates_other_cost") or ""
        days = [day_label(d) for d in dates.split(", ")] if dates else []
        where = f", in the weeks of {_and_list(days)}" if days else ""
        text += (
            " Letting a break change how much the weeks scatter, not only their level, gives "
            f"{_breaks_words(int(other))}{where}."
        )
    return text


def _step_words(latest: pd.Series, before: pd.Series) -> str:
    """How the latest level compares with the one before, plainly: ``about 2.4 times the
    level from Aug 2024 to Feb 2025 (about 450)``, or ``up from about 1 from Feb 2023 to Apr
    2023`` when the level before is too small for a ratio to mean much."""
    now, then = float(latest["level"]), float(before["level"])
    when = f"from {month_label(before['start'])} to {month_label(before['end'])}"
    if then >= 10 and now >= then:
        ratio = now / then
        times = f"{ratio:.1f}" if ratio < 10 else f"{ratio:.0f}"
        return f"about {times} times the level {when} (about {about(then)})"
    return f"{'up' if now >= then else 'down'} from about {about(then)} {when}"


def regime_finding(fit: RegimeFit, pub: Publishable = None, *, headline: bool = False) -> str:
    """The latest level of one group in plain words: since when a typical week has had about
    how many launches (the regime's level, rounded, with its 95% interval as a plausible
    range), how that compares with the level before, how often the level changed, and the
    average week where a few heavy weeks pull it well above the typical one. Break dates,
    intervals and the drift inside the regime are in :func:`regime_detail`.

    Records ``regimes_<group>`` (value: the latest level in launches per week, with its 95%
    interval) and the numbers ``n_breaks_<group>`` and ``latest_level_<group>``."""
    key = f"regimes_{fit.group}"
    subject = _subject(fit.group)
    if fit.result is None:
        text = f"{subject[0].upper()}{subject[1:]}: no levels estimated ({fit.error})."
        return _record(pub, key, text, headline=False)
    s: Mapping[str, Any] = fit.result.summary
    regimes = fit.result.table("regimes")
    latest = regimes.iloc[-1]
    n_breaks = int(s["n_breaks"])
    _number(pub, f"latest_level_{fit.group}", latest["level"])
    _number(pub, f"n_breaks_{fit.group}", n_breaks)
    level = (
        f"a typical week has had about {about(latest['level'])} {subject} "
        f"({plausibly(rounded(latest['level_low']), rounded(latest['level_high']))})"
    )
    if n_breaks == 0:
        text = f"Since {month_label(s['first_week'])} the weekly level has held steady: {level}."
    else:
        text = (
            f"Since {month_label(latest['start'])} {level}, "
            f"{_step_words(latest, regimes.iloc[-2])}. The weekly level changed "
            f"{_times(n_breaks)} since {month_label(s['first_week'])}."
        )
    mean = float(latest["mean_launches"])
    if _finite(mean) and mean > 1.2 * float(latest["level"]):
        text += (
            f" An average week had about {about(mean)}: a few very heavy weeks pull the "
            "average above the typical week."
        )
    return _record(
        pub,
        key,
        text,
        value=_nan_none(latest["level"]),
        low=_nan_none(latest["level_low"]),
        high=_nan_none(latest["level_high"]),
        unit="launches per week (latest regime)",
        headline=headline,
    )


def _drift_note(latest: pd.Series, trend: TrendFit | None) -> str:
    """The drift inside the latest regime against the growth verdict of the trend section:
    the regime model's interval allows less for runs of busy weeks, so where the two
    readings differ the page keeps the cautious one."""
    drift = _reading(latest["growth_low"], latest["growth_high"])
    row = None
    if trend is not None and trend.result is not None:
        row = headline_window(_windows(trend.result))
    if row is None or row["window"] == "whole span" or not _finite(row["growth_pct_per_month"]):
        return ""
    cautious = _reading(row["growth_pct_low"], row["growth_pct_high"])
    if drift == cautious:
        return f" This agrees with the growth over the {row['window']} in the trend section."
    return (
        f" The growth over the {row['window']} in the trend section, whose interval allows "
        f"for runs of busy and quiet weeks, reads {window_verdict(row)}; the regime's own "
        "interval is narrower (it widens only for the lag-1 autocorrelation of the "
        "residuals), so the page's verdict on recent growth is the cautious one."
    )


def regime_detail(fit: RegimeFit, pub: Publishable = None, trend: TrendFit | None = None) -> str:
    """The regimes of one group for the "Method and diagnostics" fold: the number of breaks
    and their weeks, the latest regime's start with its 95% interval, its level with its
    95% CI and the average week, the drift inside it with its 95% CI (set against the trend
    section's growth verdict when ``trend`` is given), how sure the count of breaks is and
    the other criteria's counts.

    Records ``regimes_detail_<group>`` (value: the drift inside the latest regime, % per
    month, with its 95% CI) and the numbers ``n_breaks_<group>_low`` / ``_high``; nothing for
    a group without a fit (its :func:`regime_finding` says why)."""
    name = group_label(fit.group)
    if fit.result is None:
        return f"{name}. No regimes estimated: {fit.error}."
    s = fit.result.summary
    regimes = fit.result.table("regimes")
    breaks = fit.result.table("breaks")
    latest = regimes.iloc[-1]
    n_breaks = int(s["n_breaks"])
    level = (
        f"a typical week of {count(latest['level'])} launches (95% CI "
        f"{count(latest['level_low'])} to {count(latest['level_high'])}; the average "
        f"week {count(latest['mean_launches'])})"
    )
    if n_breaks == 0:
        text = (
            f"{name}. No break in the weekly level from the week of "
            f"{day_label(s['first_week'])} to the week of {day_label(s['last_week'])}: one "
            f"regime at {level}."
        )
    else:
        last = breaks.iloc[-1]
        days = [day_label(d) for d in breaks["break"]]
        interval = (
            f" (95% interval {day_label(last['low'])} to {day_label(last['high'])})"
            if pd.notna(last["low"])
            else ""
        )
        text = (
            f"{name}. The weekly level has {_breaks_words(n_breaks)}, "
            f"in the week{'s' if n_breaks != 1 else ''} of {_and_list(days)}. The "
            f"latest regime began in the week of {day_label(last['break'])}{interval} and "
            f"runs at {level}, {num(last['ratio'])} times the level of the regime before "
            "(a ratio of one plus the levels)."
        )
    if _finite(latest["growth_pct_month"]):
        reading = _reading(latest["growth_low"], latest["growth_high"])
        trend_words = {
            "rise": "the level is still rising",
            "fall": "the level is falling",
            "unclear": "no clear drift",
        }[reading]
        which = "the latest regime" if n_breaks else "it"
        text += (
            f" Inside {which} launches changed by "
            f"{pct(latest['growth_pct_month'])} per month (95% CI "
            f"{pct(latest['growth_low'])} to {pct(latest['growth_high'])}): {trend_words} by "
            "the regime model's own interval." + _drift_note(latest, trend)
        )
    text += _count_uncertainty(s, fit.group, pub)
    if s["n_breaks_bic_ar1"] != s["n_breaks_bic"]:
        ar1 = int(s["n_breaks_bic_ar1"])
        text += (
            f" Allowing for autocorrelation in the criterion gives {_breaks_words(ar1)} "
            f"instead of {s['n_breaks_bic']}."
        )
    text += (
        " A break marks when the reported level shifted, not why: a break close to a "
        "partnership event or a campaign is association in timing, not proof of cause."
    )
    return _record(
        pub,
        f"regimes_detail_{fit.group}",
        text,
        value=_nan_none(latest["growth_pct_month"]),
        low=_nan_none(latest["growth_low"]),
        high=_nan_none(latest["growth_high"]),
        unit="% per month (drift inside the latest regime)",
        headline=False,
    )


def trend_findings(fits: Mapping[str, TrendFit], pub: Publishable = None) -> dict[str, str]:
    """:func:`growth_finding` for every group, by group; the first :data:`HEADLINE_GROWTH`
    fitted groups are headline findings."""
    fitted = [g for g, f in fits.items() if f.result is not None][:HEADLINE_GROWTH]
    return {
        group: growth_finding(fit, pub, headline=group in fitted) for group, fit in fits.items()
    }


def regime_findings(fits: Mapping[str, RegimeFit], pub: Publishable = None) -> dict[str, str]:
    """:func:`regime_finding` for every group, by group; the first fitted one is a headline
    finding."""
    fitted = [g for g, f in fits.items() if f.result is not None][:1]
    return {
        group: regime_finding(fit, pub, headline=group in fitted) for group, fit in fits.items()
    }


# --- sections ----------------------------------------------------------------------------------


# --- prose -------------------------------------------------------------------------------------


def trend_methods(freq: str, growth_windows: Sequence[int]) -> str:
    """How the trend and the growth rates are estimated, with this run's settings."""
    unit, adjective = PERIOD_WORDS[freq]
    windows = _and_list([str(m) for m in growth_windows])
    return (
        f"Launches are counted per complete Kyiv {unit} (a {unit} without attacks is a zero). "
        f"The trend is a negative binomial regression of the {adjective} count on a smooth "
        "curve in time (a natural spline with about one degree of freedom per four months); "
        "its bands are 95% intervals. Growth is a separate straight-line fit on the log scale "
        "over the last "
        f"{windows} months and over the whole period, expressed as the average change per "
        "month and as a doubling time. Successive periods are not independent (busy and quiet "
        "spells last weeks), so the growth intervals are Newey–West intervals with fixed-b "
        "critical values: a Bartlett bandwidth of 1.3·√T periods and a critical value "
        "simulated for a trend slope, under independent errors and under AR(1) errors at the "
        "residuals' own lag-1 autocorrelation, the larger taken. In simulations with AR(1) "
        "errors at ρ = 0.5 they covered the true growth 91–94% of the time (nominal 95%), "
        "where the model's own intervals covered about 71%; the table gives those too, for "
        "comparison."
    )


def regime_methods(fits: Mapping[str, RegimeFit]) -> str:
    """How the regimes are found, with the settings of the first fitted group."""
    s = next((f.result.summary for f in fits.values() if f.result is not None), None)
    if s is None:
        return "No regimes could be estimated for this period."
    cost = (
        "constant level"
        if s.get("cost", "l2") == "l2"
        else "constant level and scatter (the variance-change cost)"
    )
    ranges = []
    for fit in fits.values():
        if fit.result is None or not _finite(fit.result.summary.get("penalty_low")):
            continue
        r: Mapping[str, Any] = fit.result.summary
        high = num(r["penalty_high"], 2) if _finite(r.get("penalty_high")) else "any larger"
        ranges.append(
            f"{_noun(fit.group)}: {_breaks_words(int(r['n_breaks']))} for "
            f"{num(r['penalty_low'], 2)} to {high} times the penalty"
        )
    stability = (
        " Along the penalty path, the chosen count stays the best for "
        + "; ".join(ranges)
        + " (a narrow range around 1 means a slightly different penalty gives another count)."
        if ranges
        else ""
    )
    return (
        "The weekly series of the Air Force's headline groups is split into regimes of "
        f"{cost}: on the log scale, the best split for every number of breaks from none "
        f"to {s['max_breaks']} is found exactly, each regime lasting at least {s['min_size']} "
        "weeks (weeks without launches at the very start are left out, so no regime is made "
        "of them alone), and the number is chosen by BIC. A regime's level is a typical week: "
        "the back-transformed mean of log(1 + count), near the median week and below the "
        "average week when a few very heavy weeks pull the average up (so below the trend "
        "line, which is the model's mean). "
        f"Each break date has a 95% interval from {s['n_boot']:,} bootstrap re-fits that "
        f"resample the residuals of each regime in blocks of {s['block_weeks']} weeks; the "
        "same re-fits, choosing the number of breaks afresh each time, give the range of the "
        "count. Break-date intervals hold the count fixed." + stability
    )


def caveats(trends: Mapping[str, TrendFit], regimes: Mapping[str, RegimeFit]) -> str:
    """The models' caveats as a Markdown list (group-specific autocorrelation notes, which
    the findings state, and repeats left out)."""
    items: list[str] = []
    results = [f.result for f in trends.values() if f.result is not None]
    results += [f.result for f in regimes.values() if f.result is not None]
    for result in results:
        for caveat in result.caveats:
            if caveat.startswith(("Lag-1 autocorrelation", "Counts are reported launches")):
                continue
            if caveat not in items:
                items.append(caveat)
    return bullets(items)


def scope(period: Period, classes: Sequence[str], freq: str) -> str:
    """Two plain lines: the release, the dates and whose counts; the groups modelled."""
    first, last = _span(period)
    span = "the whole record" if period.start is None and period.end is None else "the period"
    names = "; ".join(group_label(g) for g in classes)
    return (
        f"**Data release of {day_label(period.release)}: {span} from {day_label(first)} to "
        f"{day_label(last)} (Kyiv dates), counts of {scope_label(period.scope)}.** "
        f"Groups: {names}. Counts per {PERIOD_WORDS[freq][0]}."
    )


def _caption_subject(fit: TrendFit | RegimeFit) -> str:
    subject = _subject(fit.group)
    return subject[0].upper() + subject[1:]


def trend_caption(fit: TrendFit) -> str:
    """The trend chart's plain caption (under the chart, and on the landing page)."""
    unit = PERIOD_WORDS[fit.freq][0]
    return (
        f"{_caption_subject(fit)} per {unit} as reported, with the trend and the range single "
        f"{unit}s usually fall in"
    )


def regimes_caption(fit: RegimeFit) -> str:
    """The regimes chart's plain caption."""
    return (
        f"{_caption_subject(fit)} per week as reported, with the level of a typical week in "
        "each period and the weeks in which it changed"
    )


__all__ = [
    "about",
    "breaks_display",
    "breaks_table",
    "caveats",
    "check_growth_windows",
    "check_period_length",
    "dispersion_display",
    "dispersion_finding",
    "dispersion_table",
    "growth_detail",
    "growth_display",
    "growth_finding",
    "growth_table",
    "headline_window",
    "pct",
    "regime_detail",
    "regime_display",
    "regime_finding",
    "regime_findings",
    "regime_groups",
    "regime_methods",
    "regime_table",
    "regimes_caption",
    "rounded",
    "scope",
    "trend_caption",
    "trend_findings",
    "trend_methods",
    "window_verdict",
    "yearly",
]
