"""Findings of the supply-partnerships notebook (``notebooks/04_supply_partnerships.ipynb``).

Each ``*_finding`` function takes results computed in the run, builds the sentence with its
numbers and records it on the :class:`~analysis.results.Publisher` (with ``pub.number`` for
the figures the tests and the landing page check). The ``describe_*`` functions return
explanatory text with numbers from the run (parameters, counts) without recording it.

Events are named by their ``label`` from the timeline (``data/raw/partnership_events.csv``),
never by their ``event_id``, which stays the key in the saved tables.

Headline findings (the page's key points) are plain sentences; the statistical detail of
each quantity (monthly ranges, shares, p-values, the corrections for testing many events) is
in the ``describe_*`` and ``*_details`` texts, which the notebook shows in its "Method and
diagnostics" folds. A quantity gets one verdict: an event counts as followed by a clear change
only when the change survives the correction for the number of events tested.

The readings are descriptive. "Iranian design" is design lineage, not place of manufacture;
North Korean missiles are a band, not a number; event studies are associations in timing,
not evidence that an event caused a change.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from analysis.data.dates import days_text, month_name
from analysis.data.events import event_label, event_labels
from analysis.data.labels import PARTNER_NAMES
from analysis.findings.text import day_label, month_label
from analysis.modelresult import ModelResult
from analysis.models.event_study import confounders
from analysis.results import Publisher

#: Months in the "latest months" Iranian-design share.
LATEST_MONTHS = 12
CAUSE_NOTE = "Timing is association, not proof of cause."


def _ratio(value: float) -> str:
    return f"{value:.2f}" if value < 10 else f"{value:.1f}"


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _why_not(table: pd.DataFrame, window: int) -> str:
    """Why the events of ``table`` that are not estimated were not (a short phrase)."""
    reasons = table.loc[table["status"] != "estimated", "reason"].fillna("").astype(str)
    outside = int(reasons.str.startswith("the windows need").sum())
    if outside == len(reasons):
        return f"their windows of {window} weeks on each side reach outside the data"
    if outside == 0:
        return "the table gives each reason"
    return (
        f"{outside} have windows of {window} weeks that reach outside the data, the "
        "table gives the reason for the others"
    )


# --- timeline ------------------------------------------------------------------------------------


def describe_timeline(rows: pd.DataFrame, n_timeline: int) -> str:
    """How many events are shown, per partner, and which are unverified (named by their
    labels, the ``event`` column of :func:`~analysis.figures.partnerships.timeline_rows`)."""
    partners = rows["partner"].value_counts()
    parts = ", ".join(f"{n:,} {p}" for p, n in partners.items())
    text = f"{len(rows):,} of the timeline's {n_timeline:,} events are shown ({parts})."
    name = "event" if "event" in rows.columns else "event_id"
    flagged = rows.loc[rows["verification"] == UNVERIFIED_MARK, name].tolist()
    if flagged:
        text += (
            f" {len(flagged):,} {'is' if len(flagged) == 1 else 'are'} marked unverified "
            f"(shaded): the source could not be read when the row was written, and the "
            f"row is kept because the claim was widely reported: "
            f"{'; '.join(f'“{f}”' for f in flagged)}."
        )
    else:
        text += " Every event shown was checked against its source."
    return text


# --- launches by design origin ------------------------------------------------------------------


@dataclass(frozen=True)
class LatestShare:
    """The Iranian-design share of launches over the latest complete months: ``when`` and
    ``span`` say which months in words, ``months`` the monthly rows used (``period``,
    ``iranian_design``, ``total``, ``share_iranian_design``)."""

    iran: int
    total: int
    when: str
    span: str
    months: pd.DataFrame

    @property
    def share(self) -> float:
        return self.iran / self.total if self.total else math.nan

    @property
    def words(self) -> str:
        """The share as a reader says it: ``About 96%``, ``Over 99%``, ``All``."""
        share = self.share
        if not math.isfinite(share):
            return "–"
        if share in (0, 1):
            return "All" if share == 1 else "0%"
        if share > 0.995:
            return "Over 99%"
        if share < 0.005:
            return "Under 1%"
        return f"About {share:.0%}"


def latest_share(origin_monthly: pd.DataFrame, months: int = LATEST_MONTHS) -> LatestShare:
    """The Iranian-design share of launches in the latest ``months`` complete months of
    ``origin_monthly`` (:func:`analysis.data.indicators.origin_series`, monthly); all its
    months when none is complete."""
    frame = origin_monthly.sort_values("period")
    latest = frame[frame["complete"].astype(bool)].tail(months)
    complete = not latest.empty
    if not complete:
        latest = frame.tail(months)
    n = len(latest)
    if n == 0:
        return LatestShare(0, 0, "in the period", "no month", latest)
    first, last = month_label(latest["period"].iloc[0]), month_label(latest["period"].iloc[-1])
    span = first if n == 1 else f"{first} to {last}"
    if not complete:
        when = "in the period" if n == 1 else f"in the period's {n} months (none complete)"
        span = f"part of {span}" if n == 1 else span
    elif n == 1:
        when = "in the period's only complete month"
    elif n >= months:
        when = f"in the last {n} complete months"
    else:
        when = f"in the period's {n} complete months"
    iran, total = int(latest["iranian_design"].sum()), int(latest["total"].sum())
    return LatestShare(iran, total, when, span, latest)


def iranian_share_finding(
    pub: Publisher, origin_monthly: pd.DataFrame, months: int = LATEST_MONTHS
) -> str:
    """The Iranian-design share of launches in the latest ``months`` complete months (all
    months when none is complete), in plain words; the range of the monthly shares is
    recorded as the finding's low and high (:func:`describe_iranian_share` words it)."""
    latest = latest_share(origin_monthly, months)
    scope = f"{latest.when} ({latest.span})"
    if latest.total == 0:
        text = f"No drone or missile launches were counted {scope}."
        return pub.finding("iranian_design_share", text, headline=True)
    text = (
        f"{latest.words} of the long-range drones and missiles launched {scope} were of "
        f"Iranian design ({latest.iran:,} of {latest.total:,}). Shahed-type drones built in "
        "Russia count as Iranian design."
    )
    monthly = latest.months["share_iranian_design"].dropna()
    pub.number("iranian_design_share", latest.share)
    pub.number("iranian_design_launches_latest_months", latest.iran)
    pub.number("latest_months", len(latest.months))
    return pub.finding(
        "iranian_design_share",
        text,
        value=latest.share,
        low=float(monthly.min()),
        high=float(monthly.max()),
        unit="share of launches",
        headline=True,
    )


def describe_iranian_share(origin_monthly: pd.DataFrame, months: int = LATEST_MONTHS) -> str:
    """The detail behind :func:`iranian_share_finding`: the exact share, the range of the
    monthly shares, why no other interval is given, and what "Iranian design" counts."""
    latest = latest_share(origin_monthly, months)
    if latest.total == 0:
        return "No launches are counted in these months, so there is no share to give."
    monthly = latest.months["share_iranian_design"].dropna()
    text = f"The Iranian-design share {latest.when} ({latest.span}) is {latest.share:.1%}"
    if len(monthly) > 1:
        text += (
            f"; month by month it ranged from {monthly.min():.1%} to {monthly.max():.1%}. "
            "These are reported counts, not a sample, so the range across months is the only "
            "interval given."
        )
    else:
        text += ". This is a reported count, not a sample, so no interval is given."
    return text + (
        " 'Iranian design' is design lineage, not place of manufacture: Shahed drones imported "
        "from Iran and Geran copies built in Russia (Alabuga) carry one label, and from 2025 "
        "the counts include decoys."
    )


# --- North Korean band ---------------------------------------------------------------------------


def north_korean_band_finding(pub: Publisher, band: ModelResult) -> str:
    """The North Korean ballistic missiles as a band in plain words: a range between the lower
    and upper bound, and why it is a range (:func:`describe_band` gives the detail)."""
    s = band.summary
    lower, upper, ballistic = int(s["lower"]), int(s["upper"]), int(s["ballistic"])
    pub.number("nk_band_lower", lower)
    pub.number("nk_band_upper", upper)
    if ballistic == 0 and upper == 0:
        text = (
            "No ballistic missile launches fall in the period, so there is no count of North "
            "Korean missiles to give."
        )
        return pub.finding("north_korean_band", text, headline=True)
    if upper == 0:
        text = (
            f"No ballistic missile launched in the period ({ballistic:,} in all) was reported "
            "under a label that could mean North Korean, so the reports show none; North "
            "Korean missiles reported as Russian Iskander-M would not show."
        )
        return pub.finding(
            "north_korean_band",
            text,
            value=None,
            low=0,
            high=0,
            unit="ballistic missiles",
            headline=True,
        )
    text = (
        f"Between {lower:,} and {upper:,} of the {ballistic:,} ballistic missiles launched in "
        "the period may have been North Korean. It is a range, not a number, because most "
        "reports use one label, Iskander-M/KN-23, for both Russian and North Korean missiles."
    )
    pub.number("nk_band_share_lower", s["share_lower"])
    pub.number("nk_band_share_upper", s["share_upper"])
    return pub.finding(
        "north_korean_band",
        text,
        value=None,
        low=lower,
        high=upper,
        unit="ballistic missiles",
        headline=True,
    )


def describe_band(band: ModelResult) -> str:
    """The detail behind :func:`north_korean_band_finding`: the bounds as shares of ballistic
    missile launches, what each bound counts, and when the combined label first appears."""
    s = band.summary
    lower, upper = band.whole("lower"), band.whole("upper")
    if upper == 0:
        return "Both bounds are 0: no report in the period names KN-23 or Iskander-M/KN-23."
    share_lower, share_upper = s["share_lower"], s["share_upper"]
    shares = ""
    if finite(share_lower) and finite(share_upper):
        shares = f" ({share_lower:.1%} to {share_upper:.1%} of ballistic missile launches)"
    text = (
        f"The lower bound is {lower:,} and the upper bound {upper:,}{shares}. This is a band "
        "between two bounds, not an estimate with a confidence interval: the lower bound "
        "counts only reports that name KN-23 alone, which the Air Force rarely does; the "
        "upper bound adds every launch labelled Iskander-M/KN-23, a label that also covers "
        "Russian Iskander-M."
    )
    first = s.get("first_ambiguous_label")
    if first:
        text += (
            f" That label first appears on {day_label(first)}; North Korean missiles fired "
            "before then were reported as Iskander-M and are in neither bound."
        )
    return text


# --- first appearances ---------------------------------------------------------------------------


def _appearance(label: str, s: dict, lags: pd.DataFrame, names: dict[str, str]) -> str:
    """When ``label`` is first named in the reports and how long after its reference event."""
    first, event, lag = (
        s.get(f"{key}[{label}]") for key in ("first_appearance", "reference_event", "lag_days")
    )
    if first is None:
        return f"'{label}' is not named in the reports up to the end of the period"
    if event is None or lag is None:
        return f"'{label}' is first named on {day_label(first)}"
    row = lags[(lags["label"] == label) & (lags["event_id"] == event)].iloc[0]
    when = f"{abs(lag):,} days {'after' if lag >= 0 else 'before'}"
    text = (
        f"'{label}' is first named on {day_label(first)}, {when} "
        f"“{event_label(str(event), names)}” ({day_label(row['event_date'])})"
    )
    if bool(row["before_data"]):
        text += ", an event from before the data begin, so the true gap may be shorter"
    return text


def appearance_finding(
    pub: Publisher, appearances: ModelResult, timeline: pd.DataFrame | None = None
) -> str:
    """When each partnership label is first named in the reports, and the days from its
    reference event (named by its label in ``timeline``), in plain words."""
    s = appearances.summary
    lags = appearances.table("lags")
    names = event_labels(timeline)
    labels = list(dict.fromkeys(lags["label"]))
    parts = [_appearance(label, s, lags, names) for label in labels]
    for label in labels:
        keys = ("first_appearance", "reference_event", "lag_days")
        if all(s.get(f"{key}[{label}]") is not None for key in keys):
            pub.number(f"lag_days[{label}]", s[f"lag_days[{label}]"])
    text = (
        "In the Air Force's reports, " + "; ".join(parts) + ". These dates show when the Air "
        "Force began to name a weapon in its reports, not when the weapon was delivered or "
        "first used."
    )
    return pub.finding("label_appearances", text, headline=False)


# --- implied minimum supply ----------------------------------------------------------------------


def first_month_over_1000_finding(pub: Publisher, supply: ModelResult) -> str:
    """The first month with more than 1,000 Iranian-design drone launches."""
    s = supply.summary
    month = s.get("first_month_over_1000")
    if month is None:
        text = (
            "No month in the data up to the end of the period had more than 1,000 "
            "launches of Iranian-design drones."
        )
        pub.number("first_month_over_1000", None)
        return pub.finding("first_month_over_1000", text, headline=False)
    monthly = supply.table("monthly").set_index("period")["launched"]
    count = int(monthly.loc[pd.Timestamp(f"{month}-01")])
    text = (
        f"{month_name(f'{month}-01')} was the first month with more than 1,000 Iranian-design "
        f"(Shahed-type) drones launched: {count:,}."
    )
    pub.number("first_month_over_1000", month)
    pub.number("first_month_over_1000_launched", count)
    return pub.finding(
        "first_month_over_1000", text, value=count, unit="drones launched", headline=False
    )


def supply_finding(pub: Publisher, supply: ModelResult) -> str:
    """Launches of Iranian-design drones per year and in total, read as the least number
    supplied (the caveats of that reading are the result's ``caveats``)."""
    yearly = supply.table("yearly")
    if yearly.empty or int(yearly["launched"].sum()) == 0:
        text = "No Iranian-design drone launches are counted up to the end of the period."
        return pub.finding("implied_minimum_supply", text, headline=False)
    years = [
        f"{int(r.launched):,} in {r.year}{'' if r.complete else ' (part of the year)'}"
        for r in yearly.itertuples()
    ]
    total = int(supply.summary["launched_total"])
    text = (
        f"Iranian-design drones launched: {_join(years)}; {total:,} in all up to the end of "
        "the period. If the counts are complete, at least that many had been supplied by "
        "then, imported from Iran or built in Russia (from 2025 the counts include decoys)."
    )
    pub.number("iranian_design_launched_total", total)
    return pub.finding(
        "implied_minimum_supply", text, value=total, unit="drones launched", headline=False
    )


# --- event studies -------------------------------------------------------------------------------


def describe_event_study(result: ModelResult, n_timeline: int | None = None) -> str:
    """The design of the event studies as run (window, lag, placebo rule, the correction for
    testing many events)."""
    s = result.summary
    window, lag, exclusion = s["window_weeks"], s["lag_weeks"], s["exclusion_weeks"]
    text = (
        f"For each event, weekly launches in the {window} complete weeks before the event's "
        f"week are compared with the {window} weeks after it"
        + (f" (after a lag of {lag} week{'s' if lag != 1 else ''})" if lag else "")
        + ". A straight line on the log scale is fitted to each side (a negative binomial "
        "model with errors that allow for autocorrelation); the *level ratio* is the first "
        "post-event week's fitted level divided by the pre-event line extended to that week "
        "(1 means no jump). The series is the event's weapon class, else strike drones for "
        "Iran and all ballistic missiles for North Korea. A placebo test repeats the estimate "
        "at dates without an event and asks how often a jump is as clear as the event's, "
        "measured against its own uncertainty (the jump divided by its standard error): "
        f"*away from all events* uses dates at least {exclusion} weeks from every chosen event "
        f"(the timeline is dense, so there are few); *all weeks* uses every week at least "
        f"{exclusion} weeks from the event itself. Testing many events at once makes some "
        "small p-values likely by chance, so every p-value is also given *corrected* for the "
        "number of events tested, by two methods: Holm's (strict: keeps the chance of even "
        "one false alarm below 5%) and Benjamini–Hochberg's (less strict: keeps false alarms "
        "below 5% of the changes reported). An event counts as showing a change only when "
        "both the model's test and the all-weeks placebo test stay below 0.05 after the "
        "Benjamini–Hochberg correction."
    )
    n_chosen = s["n_events"]
    if n_timeline is not None and n_chosen < n_timeline:
        text += (
            f" Only {n_chosen} of the {n_timeline} timeline events are chosen, so the "
            "placebo dates avoid only those; other timeline events can fall on placebo "
            "dates (a conservative test), and the correction counts only the events "
            "chosen. The count of other events in each window uses the whole timeline."
        )
    return text


def _events(n: int) -> str:
    return f"{n:,} event{'' if n == 1 else 's'}"


def _p(value: float) -> str:
    """A p-value for prose: two significant digits, or "below 0.001"."""
    return "below 0.001" if value < 0.001 else f"{value:.2g}"


def _verdict(done: pd.DataFrame) -> str:
    """The sentence that says how many events show a change surviving the correction."""
    n = len(done)
    survivors = done[done["survives_correction"].fillna(False).astype(bool)]
    if survivors.empty:
        if n == 1:
            return "The one event tested does not show a change that passes both tests. "
        return (
            f"None of the {_events(n)} tested shows a change that survives correction for "
            f"testing {_events(n)}. "
        )
    described = [
        f"{r.event_name} ({_ratio(r.ratio)} times the pre-event trend, 95% CI "
        f"{_ratio(r.ratio_low)}–{_ratio(r.ratio_high)}; corrected p {_p(r.p_level_bh)}, "
        f"placebo {_p(r.placebo_p_all_bh)})"
        for r in survivors.itertuples()
    ]
    verb = "shows" if len(survivors) == 1 else "show"
    return (
        f"{len(survivors):,} of the {_events(n)} tested {verb} a change that survives "
        f"correction for testing {_events(n)}: {_join(described)}. "
    )


def _corrected(row: pd.Series, column: str) -> str:
    """A p-value's two corrections for testing every event, as words."""
    holm, bh = _p(row[f"{column}_holm"]), _p(row[f"{column}_bh"])
    return f"{holm} (Holm) or {bh} (Benjamini–Hochberg). "


def _smallest_numbers(row: pd.Series, column: str) -> dict[str, float]:
    """``smallest_<column>`` and its ``_holm`` / ``_bh`` corrections, for the record."""
    return {
        f"smallest_{column}{suffix}": float(row[f"{column}{suffix}"])
        for suffix in ("", "_holm", "_bh")
    }


def _smallest(done: pd.DataFrame, exclusion: object) -> tuple[str, dict]:
    """The smallest p-values before correction (level test, all-weeks placebo) with their
    corrected values, as sentences and as numbers."""
    n = len(done)
    numbers: dict = {}
    text = ""
    level = pd.to_numeric(done["p_level"], errors="coerce")
    if level.notna().any():
        r = done.loc[level.idxmin()]
        text += (
            f"The smallest p-value of a jump before correction is {_p(r['p_level'])}, for "
            f"{r['event_name']} ({_ratio(r['ratio'])} times the pre-event trend, 95% CI "
            f"{_ratio(r['ratio_low'])}–{_ratio(r['ratio_high'])}); corrected for testing "
            f"{_events(n)} it is {_corrected(r, 'p_level')}"
        )
        numbers.update(_smallest_numbers(r, "p_level"))
    placebo = pd.to_numeric(done["placebo_p_all"], errors="coerce")
    if placebo.notna().any():
        r = done.loc[placebo.idxmin()]
        text += (
            f"Against every week at least {exclusion} weeks from the event, the smallest "
            f"placebo p-value is {_p(r['placebo_p_all'])}, for {r['event_name']}; corrected it "
            f"is {_corrected(r, 'placebo_p_all')}"
        )
        numbers.update(_smallest_numbers(r, "placebo_p_all"))
    return text, numbers


def _before_correction(done: pd.DataFrame) -> tuple[str, int]:
    """The events whose 95% CI of the jump excludes 1, named as results before correction."""
    n = len(done)
    clear = done[done.apply(ci_side, axis=1).notna()]
    if clear.empty:
        return "Even before correction, no 95% confidence interval of the jump excludes 1. ", 0
    described = [
        f"{r.event_name} ({_ratio(r.ratio)} times the pre-event trend, 95% CI "
        f"{_ratio(r.ratio_low)}–{_ratio(r.ratio_high)})"
        for r in clear.itertuples()
    ]
    return (
        f"Before correction, {len(clear)} of the {_events(n)} have a 95% confidence interval "
        f"of the jump that excludes 1 (no change): {_join(described)}; with {n:,} tests, "
        f"about {PLACEBO_ALPHA * n:.1f} would by chance alone. "
    ), len(clear)


def _strict_placebo(done: pd.DataFrame, exclusion: object) -> tuple[str, int | None]:
    """What the placebo test against dates far from every chosen event can say."""
    n_strict = pd.to_numeric(done["n_placebo"], errors="coerce").max()
    if pd.isna(n_strict) or n_strict == 0:
        return (
            f"No placebo date lies {exclusion} weeks from every chosen event, so the "
            "stricter placebo test cannot be run. "
        ), None
    n_strict = int(n_strict)
    smallest = 1 / (1 + n_strict)
    if smallest >= PLACEBO_ALPHA:
        return (
            f"The placebo test against dates at least {exclusion} weeks from every chosen "
            f"event has at most {n_strict:,} such dates, so its smallest possible p is "
            f"{smallest:.2f}: it cannot reach {PLACEBO_ALPHA:g} here. "
        ), n_strict
    before = done[done.apply(stands_out, axis=1)]
    after = done[done.apply(lambda r: stands_out(r, "placebo_p_bh"), axis=1)]
    named = f" ({'; '.join(before['event_name'])})" if len(before) else ""
    return (
        f"Against placebo dates at least {exclusion} weeks from every chosen event, "
        f"{_count_p(len(before))} below {PLACEBO_ALPHA:g} before correction{named} and "
        f"{len(after):,} after. "
    ), n_strict


def _count_p(n: int) -> str:
    """``no event has a p``, ``1 event has a p``, ``3 events have a p``."""
    if n == 0:
        return "no event has a p"
    return f"{_events(n)} {'has' if n == 1 else 'have'} a p"


def _details(result: ModelResult, timeline: pd.DataFrame | None) -> tuple[str, dict[str, object]]:
    """The technical account of the event studies (how many were estimated, the smallest
    p-values before and after correction, the 95% CIs that exclude 1, the placebo tests, the
    other events in the windows) and the numbers it rests on, for the record."""
    s = result.summary
    table = result.table("events")
    done = _named(table[table["status"] == "estimated"], timeline)
    n_events, n_done = int(s["n_events"]), len(done)
    window, exclusion = s["window_weeks"], s["exclusion_weeks"]
    if n_done == 0:
        reasons = table["reason"].dropna().unique()
        why = (
            reasons[0]
            if len(reasons) == 1
            else f"their windows of {window} weeks on each side do not fit the data (the table "
            "gives each reason)"
        )
        text = f"None of the {n_events} chosen events could be estimated: {why}. {CAUSE_NOTE}"
        return text, {"events_ci_excludes_1": 0}
    not_done = n_events - n_done
    text = (
        f"Of the {n_events} partnership events chosen, {n_done} could be estimated"
        + (f" ({not_done} could not: {_why_not(table, window)})" if not_done else "")
        + ". "
    )
    text += _verdict(done)
    smallest, numbers = _smallest(done, exclusion)
    before, n_clear = _before_correction(done)
    strict, n_strict = _strict_placebo(done, exclusion)
    text += smallest + before + strict + _confounding_sentence(result, timeline, done)
    numbers = {**numbers, "events_ci_excludes_1": n_clear, "placebo_dates_max": n_strict}
    for column in _CORRECTED:
        below = pd.to_numeric(done[column], errors="coerce") < PLACEBO_ALPHA
        numbers[f"events_{column}_below_005"] = int(below.sum())
    return text + CAUSE_NOTE, numbers


def event_study_details(result: ModelResult, timeline: pd.DataFrame | None = None) -> str:
    """The technical account behind :func:`event_study_finding`, for the method fold: the
    smallest p-values before and after correction for the number of events tested, the 95%
    CIs that exclude 1 before correction, the placebo tests and the other events in the
    windows. Events are named by their labels in ``timeline``."""
    return _details(result, timeline)[0]


def _times(value: float) -> str:
    """A ratio as a reader says it: ``1.9``, ``16``, ``137``."""
    return f"{value:.1f}" if value < 10 else f"{value:,.0f}"


def plain_reason(reason: object, window: int, them: bool = False) -> str:
    """Why an event could not be tested, in a reader's words (``reason``: the model's)."""
    text = str(reason or "")
    it = "them" if them else "it"
    if text.startswith("the windows need"):
        return f"the data do not cover the {window} weeks before and after {it}"
    if text.startswith("the period holds"):
        return f"the period is shorter than the {2 * window} weeks needed"
    if text.startswith("no launches in the"):
        return text.replace("the event", it)
    return "the data do not allow it"


def event_verdict(row: pd.Series, window: int) -> str:
    """One event's plain verdict on weekly launches: higher or lower than the earlier trend
    suggested (with the ratio and its 95% range) when the change survives the correction for
    the number of events tested, else ``no clear change``; ``not tested: ...`` when the event
    was not estimated."""
    if row.get("status") != "estimated":
        return f"not tested: {plain_reason(row.get('reason'), window)}"
    if not survives(row):
        return "no clear change"
    ratio, low, high = (float(row[c]) for c in ("ratio", "ratio_low", "ratio_high"))
    if ratio >= 1:
        return (
            f"higher than the earlier trend suggested, about {_times(ratio)} times as many, "
            f"plausibly {_times(low)} to {_times(high)} times as many"
        )
    return (
        f"lower than the earlier trend suggested, about {100 * (1 - ratio):.0f}% fewer, "
        f"plausibly {100 * (1 - high):.0f}% to {100 * (1 - low):.0f}% fewer"
    )


def _plain_verdict(done: pd.DataFrame, window: int) -> str:
    """The headline sentence: how many of the tested events were followed by a clear change
    (the one such event named with its verdict)."""
    n = len(done)
    tested = (
        "the one event that could be tested" if n == 1 else f"the {n} events that could be tested"
    )
    survivors = done[done.apply(survives, axis=1)]
    if survivors.empty:
        return f"No clear change in weekly launches followed {'' if n == 1 else 'any of '}{tested}."
    if len(survivors) > 1:
        return (
            f"Weekly launches changed clearly after {len(survivors)} of {tested}; the table "
            "below names them."
        )
    row = survivors.iloc[0]
    return (
        f"Weekly launches changed clearly after {tested if n == 1 else f'1 of {tested}'}: after "
        f"{row['event_name']} ({day_label(row['date'])}), they were {event_verdict(row, window)}."
    )


def event_study_finding(
    pub: Publisher, result: ModelResult, timeline: pd.DataFrame | None = None
) -> str:
    """The page's verdict on the events in plain words: how many of the events tested were
    followed by a clear change in weekly launches (one that survives the correction for the
    number of events tested; the finding's value), and that timing is association only.
    Records the numbers of :func:`event_study_details` too. Events are named by their labels
    in ``timeline``."""
    s = result.summary
    table = result.table("events")
    done = _named(table[table["status"] == "estimated"], timeline)
    n_events, window = result.whole("n_events"), result.whole("window_weeks")
    pub.number("events_chosen", n_events)
    pub.number("events_estimated", len(done))
    unit = "events with a change that survives correction"
    _, numbers = _details(result, timeline)
    n_survive = int(done.apply(survives, axis=1).sum()) if len(done) else 0
    pub.number("events_survive_correction", n_survive)
    for key, value in numbers.items():
        pub.number(key, value)
    if done.empty:
        reasons = table["reason"].dropna().unique()
        why = (
            plain_reason(reasons[0], window, them=True)
            if len(reasons) == 1
            else "the data do not cover the weeks needed before and after them"
        )
        text = f"No partnership event could be tested ({n_events} chosen): {why}. {CAUSE_NOTE}"
        return pub.finding("event_studies", text, value=0, unit=unit, headline=True)
    pub.number("window_weeks", s["window_weeks"])
    pub.number("lag_weeks", s["lag_weeks"])
    text = f"{_plain_verdict(done, window)} {CAUSE_NOTE}"
    return pub.finding("event_studies", text, value=n_survive, unit=unit, headline=True)


def _named(rows: pd.DataFrame, timeline: pd.DataFrame | None) -> pd.DataFrame:
    """``rows`` of an event table with ``event_name``: each event's label, in quotes."""
    names = event_labels(timeline)
    return rows.assign(event_name=[f"“{event_label(e, names)}”" for e in rows["event_id"]])


def _confounding_sentence(
    result: ModelResult, timeline: pd.DataFrame | None, done: pd.DataFrame
) -> str:
    """How many other timeline events the windows of the estimated events hold."""
    counts = other_events(result, timeline).reindex(done["event_id"])
    n_other = counts.map(lambda x: len(x.split(", ")) if x else 0)
    median = float(n_other.median())
    if median > 0:
        return (
            f"The windows of the estimated events hold a median of {median:g} other "
            f"timeline event{'' if median == 1 else 's'}, so no change can be attributed "
            "to one event. "
        )
    return (
        "Most windows hold no other timeline event, but a change can still have "
        "causes outside the timeline. "
    )


UNVERIFIED_MARK = "unverified: source not read"


#: A p-value (raw or corrected) "stands out" when it is below this.
PLACEBO_ALPHA = 0.05


def other_events(result: ModelResult, timeline: pd.DataFrame | None = None) -> pd.Series:
    """For each event of an :func:`~analysis.models.event_study.event_summary` result, the
    other events of ``timeline`` inside its windows (comma-separated ids); without
    ``timeline``, those of the result's own ``confounding`` table (the chosen events only)."""
    table = result.table("events")
    if timeline is None:
        pairs = result.table("confounding")
    else:
        summary = result.summary
        pairs = confounders(timeline, int(summary["window_weeks"]), int(summary["lag_weeks"]))
    grouped = pairs.groupby("event_id")["other_event_id"].agg(lambda s: ", ".join(s))
    return grouped.reindex(table["event_id"]).fillna("").rename("other_events")


def ci_side(row: pd.Series) -> str | None:
    """``above``/``below`` when the ratio's interval excludes 1, else None."""
    low, high = row.get("ratio_low"), row.get("ratio_high")
    if low is None or high is None or pd.isna(low) or pd.isna(high):
        return None
    if low > 1:
        return "above"
    if high < 1:
        return "below"
    return None


def stands_out(row: pd.Series, column: str = "placebo_p") -> bool:
    """Whether the p-value in ``column`` of an event row is below 0.05."""
    value = row.get(column)
    return value is not None and not pd.isna(value) and float(value) < PLACEBO_ALPHA


def survives(row: pd.Series) -> bool:
    """Whether an event's change survives correction for the number of events tested (the
    model's ``survives_correction``: level and all-weeks placebo tests below 0.05 after
    Benjamini-Hochberg)."""
    value = row.get("survives_correction")
    return value is not None and not pd.isna(value) and bool(value)


def plain_reading(row: pd.Series, n_other: int) -> str:
    """A short reading of one event-study row for the summary table."""
    if row["status"] != "estimated":
        return f"Not estimated: {row['reason']}."
    side = ci_side(row)
    if side is None:
        text = "No clear jump: the interval includes 1 (no change)"
    else:
        text = f"Right after the event, launches were {side} the pre-event trend"
    if stands_out(row, "placebo_p"):
        text += "; unusual against placebo dates away from all events"
    elif stands_out(row, "placebo_p_all"):
        text += (
            "; unusual against the all-weeks placebo dates, not against those away from all events"
        )
    else:
        text += "; not unusual against placebo dates"
    if survives(row):
        text += "; survives correction for the number of events tested"
    elif side is not None or any(
        stands_out(row, c) for c in ("p_level", "placebo_p", "placebo_p_all")
    ):
        text += "; does not survive correction for the number of events tested"
    if n_other:
        text += f"; {n_other} other event{'s' if n_other > 1 else ''} in the window"
    return text + "."


#: The p-values of an event row, each before and after correction for the events tested.
_CORRECTED = tuple(
    f"{column}{suffix}"
    for column in ("p_level", "placebo_p", "placebo_p_all")
    for suffix in ("", "_holm", "_bh")
)
#: The p-value columns of :func:`event_table`: the corrected ones, then the placebo p-values
#: of the raw (unstudentised) jump, for comparison.
_P_COLUMNS = (*_CORRECTED, "placebo_p_raw", "placebo_p_all_raw")


def event_table(result: ModelResult, timeline: pd.DataFrame | None = None) -> pd.DataFrame:
    """The event-study summary for display and saving: ``event_id`` (the key, for machines),
    ``event`` (its label in ``timeline``, for readers) ``, date, partner, series,
    status, ratio`` (level change against the pre-event trend) ``, ratio_low, ratio_high``,
    the p-values (``p_level``, ``placebo_p``, ``placebo_p_all``, each with ``_holm`` and
    ``_bh`` corrected for the number of events tested; the placebo p-values of the
    studentised jump, with ``placebo_p_raw``/``placebo_p_all_raw`` of the raw jump beside
    them), ``n_placebo, n_placebo_all, survives_correction``, the counterfactual excess
    (``counterfactual_excess`` with ``_low``/``_high`` and ``counterfactual_informative``),
    ``other_events`` (count, from the whole ``timeline`` when given), ``other_event_ids``,
    the plain ``verdict`` (:func:`event_verdict`) and a short technical ``reading``."""
    table = result.table("events")
    labels = event_labels(timeline)
    others = other_events(result, timeline)
    n_other = others.map(lambda s: len(s.split(", ")) if s else 0).astype("int64")
    out = pd.DataFrame(
        {
            "event_id": table["event_id"].to_numpy(),
            "event": [event_label(e, labels) for e in table["event_id"]],
            "date": days_text(table["date"]).to_numpy(),
            "partner": [PARTNER_NAMES.get(p, p) for p in table["partner"]],
            "series": table["series"].to_numpy(),
            "status": table["status"].to_numpy(),
        }
    )
    for column in ("ratio", "ratio_low", "ratio_high", *_P_COLUMNS):
        out[column] = pd.to_numeric(table[column], errors="coerce").to_numpy()
        if column in ("placebo_p_bh", "placebo_p_all_bh"):  # the number of dates beside them
            count = "n_placebo" if column == "placebo_p_bh" else "n_placebo_all"
            values = pd.to_numeric(table[count], errors="coerce")
            out[count] = pd.array(values, dtype="Int64")
    out["survives_correction"] = [survives(row) for _, row in table.iterrows()]
    for column in ("excess", "excess_low", "excess_high"):
        out[f"counterfactual_{column}"] = pd.to_numeric(table[column], errors="coerce").to_numpy()
    out["counterfactual_informative"] = table["counterfactual_informative"].to_numpy()
    out["other_events"] = n_other.to_numpy()
    out["other_event_ids"] = others.to_numpy()
    window = int(result.summary.get("window_weeks", 0) or 0)
    out["verdict"] = [event_verdict(row, window) for _, row in table.iterrows()]
    out["reading"] = [
        plain_reading(row, n) for (_, row), n in zip(table.iterrows(), n_other, strict=True)
    ]
    return out


def finite(value) -> bool:
    """Whether ``value`` is a finite number (not None/NaN)."""
    try:
        return value is not None and math.isfinite(float(value))
    except (TypeError, ValueError):
        return False


__all__ = [
    "LatestShare",
    "appearance_finding",
    "ci_side",
    "describe_band",
    "describe_event_study",
    "describe_iranian_share",
    "describe_timeline",
    "event_study_details",
    "event_study_finding",
    "event_table",
    "event_verdict",
    "finite",
    "first_month_over_1000_finding",
    "iranian_share_finding",
    "latest_share",
    "north_korean_band_finding",
    "other_events",
    "plain_reading",
    "plain_reason",
    "stands_out",
    "supply_finding",
    "survives",
]
