"""The landing page's number cards and its opening summary, made from results, never typed.

A notebook records a card with :func:`record_card` (a number ``card:<key>`` on its
Publisher); the landing page collects the cards of every notebook (:func:`cards_from`) and
writes its two-to-three-sentence summary from their numbers (:func:`summary_text`). Each card
carries one plain verdict, taken from the cautious interval the notebook reports, so that a
quantity never gets two verdicts.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd

from analysis.data.overview import largest_wave
from analysis.results import Publisher

CARD_PREFIX = "card:"
#: Card order on the landing page: size now, biggest attack, growth, defences, forecast.
ORDER = {"latest_month": 1, "largest_attack": 2, "growth": 3, "defeated": 4, "forecast": 5}


@dataclass(frozen=True)
class Card:
    """One number card: ``label`` (what is counted), ``value`` (the big number, as text),
    ``detail`` (its change or range, in words) and ``numbers`` (the raw values, for the
    summary and for machines)."""

    key: str
    label: str
    value: str
    detail: str
    numbers: dict[str, Any] = field(default_factory=dict)

    @property
    def order(self) -> int:
        return ORDER.get(self.key, 99)


def record_card(pub: Publisher | None, card: Card) -> Card:
    """Record ``card`` on ``pub`` (as the number ``card:<key>``) and return it."""
    if pub is not None:
        pub.number(f"{CARD_PREFIX}{card.key}", asdict(card))
    return card


def cards_from(results: dict[str, dict]) -> list[dict[str, Any]]:
    """Every notebook's cards, in :data:`ORDER`, each with the ``page`` (notebook stem) that
    made it."""
    found = [
        {**value, "page": stem}
        for stem, record in results.items()
        for key, value in record.get("numbers", {}).items()
        if key.startswith(CARD_PREFIX) and isinstance(value, dict)
    ]
    return sorted(found, key=lambda c: ORDER.get(c.get("key", ""), 99))


def _month_name(month: pd.Timestamp) -> str:
    return f"{month:%B %Y}"


def _change_words(now: float, before: float, what: str) -> str:
    if before <= 0:
        return f"none a year earlier ({what})"
    ratio = now / before
    if ratio >= 2:
        return f"{ratio:.1f} times as many as a year earlier"
    change = 100 * (ratio - 1)
    if abs(change) < 0.5:
        return "about as many as a year earlier"
    return f"{change:+.0f}% on a year earlier"


def latest_month_card(drones: pd.Series, missiles: pd.Series, pub: Publisher | None) -> Card:
    """Drones and missiles launched in the last complete month, with the change from the same
    month a year earlier. ``drones`` and ``missiles``: launches per complete month, indexed by
    the month's first day (:func:`analysis.data.series.complete_counts` with ``freq="M"``)."""
    if drones.empty:
        return record_card(pub, Card("latest_month", "Drones launched", "–", "no complete month"))
    month = pd.Timestamp(drones.index[-1])
    now = float(drones.iloc[-1])
    year_before = month - pd.DateOffset(years=1)
    before = float(drones.get(year_before, math.nan))
    missiles_now = float(missiles.get(month, math.nan)) if len(missiles) else math.nan
    detail = (
        _change_words(now, before, _month_name(year_before))
        if math.isfinite(before)
        else "no count a year earlier"
    )
    if math.isfinite(missiles_now):
        detail += f"; and {missiles_now:,.0f} missiles"
    numbers = {
        "month": f"{month:%Y-%m}",
        "drones": now,
        "drones_year_before": None if not math.isfinite(before) else before,
        "missiles": None if not math.isfinite(missiles_now) else missiles_now,
    }
    label = f"Drones launched in {_month_name(month)}"
    return record_card(pub, Card("latest_month", label, f"{now:,.0f}", detail, numbers))


def largest_attack_card(waves: pd.DataFrame, pub: Publisher | None) -> Card:
    """The largest single attack (wave) by drones, with its missiles and date."""
    top = largest_wave(waves)
    if top is None:
        return record_card(pub, Card("largest_attack", "Largest single attack", "–", "none"))
    day = pd.Timestamp(top["date"])
    drones, missiles = int(top["drones_launched"]), int(top["missiles_launched"])
    detail = f"drones, with {missiles:,} missiles, on {day.day} {day:%b %Y}"
    numbers = {"date": f"{day:%Y-%m-%d}", "drones": drones, "missiles": missiles}
    return record_card(
        pub, Card("largest_attack", "Largest single attack", f"{drones:,}", detail, numbers)
    )


def growth_verdict(pct_year: float, low: float, high: float) -> str:
    """One plain verdict from a yearly change and its cautious interval (all in %)."""
    if not all(math.isfinite(v) for v in (pct_year, low, high)):
        return "not estimated"
    if low > 0:
        return f"rising: about {pct_year:+.0f}% a year, plausibly {low:+.0f}% to {high:+.0f}%"
    if high < 0:
        return f"falling: about {pct_year:+.0f}% a year, plausibly {low:+.0f}% to {high:+.0f}%"
    return f"no clear change (somewhere between {low:+.0f}% and {high:+.0f}% a year)"


def per_year(pct_month: float) -> float:
    """A monthly growth rate in % as the yearly change in % it compounds to."""
    return 100 * ((1 + pct_month / 100) ** 12 - 1) if math.isfinite(pct_month) else math.nan


def growth_card(row: dict[str, Any], pub: Publisher | None) -> Card:
    """Drone launches' growth over the last year (a growth window row of the trend model:
    ``growth_pct_per_month`` with its headline ``growth_pct_low`` / ``growth_pct_high``, the
    interval that allows for busy and quiet spells), as a change per year."""
    values = [
        float(row.get(k, math.nan))
        for k in ("growth_pct_per_month", "growth_pct_low", "growth_pct_high")
    ]
    year, low, high = (per_year(v) for v in values)
    verdict = growth_verdict(year, low, high)
    value = f"{year:+.0f}%" if math.isfinite(year) else "–"
    if math.isfinite(year) and low <= 0 <= high:
        # A best guess in large type would read as a rise or a fall the range does not support.
        value = "No clear change"
        verdict = (
            f"somewhere between {low:+.0f}% and {high:+.0f}% a year; best estimate {year:+.0f}%"
        )
    numbers = {"pct_year": year, "low": low, "high": high, "months": row.get("months")}
    return record_card(
        pub, Card("growth", "Drone launches over the last year", value, verdict, numbers)
    )


def defeated_card(
    share: float, low: float, high: float, months: int, pub: Publisher | None
) -> Card:
    """The share of drones reported stopped over the last ``months`` complete months, with its
    interval (fractions 0-1)."""
    if not math.isfinite(share):
        return record_card(pub, Card("defeated", "Drones stopped", "–", "not estimated"))
    detail = (
        f"reported stopped in the last {months} months, plausibly "
        f"{100 * low:.0f}% to {100 * high:.0f}%"
    )
    numbers = {"share": share, "low": low, "high": high, "months": months}
    return record_card(
        pub, Card("defeated", "Drones stopped", f"{100 * share:.0f}%", detail, numbers)
    )


def forecast_card(
    week: pd.Timestamp, point: float, low: float, high: float, pub: Publisher | None
) -> Card:
    """Next week's drone forecast: the median with its 80% range."""
    week = pd.Timestamp(week)
    detail = (
        f"drones expected in the week of {week.day} {week:%b %Y}, likely {low:,.0f} to {high:,.0f}"
    )
    numbers = {"week": f"{week:%Y-%m-%d}", "point": point, "low": low, "high": high}
    return record_card(pub, Card("forecast", "Next week", f"{point:,.0f}", detail, numbers))


def summary_text(cards: list[dict[str, Any]]) -> str:
    """Two to three sentences from the cards' numbers (empty when there are no cards)."""
    by_key = {c.get("key"): c.get("numbers", {}) for c in cards}
    sentences = []
    latest = by_key.get("latest_month")
    if latest and latest.get("drones") is not None:
        month = pd.Timestamp(f"{latest['month']}-01")
        text = f"In {_month_name(month)} Russia launched {latest['drones']:,.0f} long-range drones"
        if latest.get("missiles") is not None:
            text += f" and {latest['missiles']:,.0f} missiles"
        before = latest.get("drones_year_before")
        if before:
            text = text.replace(
                " long-range drones",
                f" long-range drones ({_change_words(float(latest['drones']), float(before), '')})",
                1,
            )
        sentences.append(text + " at Ukraine.")
    growth = by_key.get("growth")
    if growth and math.isfinite(float(growth.get("pct_year", math.nan))):
        verdict = growth_verdict(
            float(growth["pct_year"]), float(growth["low"]), float(growth["high"])
        )
        sentences.append(f"Drone launches over the last year: {verdict}.")
    defeated = by_key.get("defeated")
    if defeated and math.isfinite(float(defeated.get("share", math.nan))):
        sentences.append(
            f"About {100 * float(defeated['share']):.0f}% of drones were reported stopped in the "
            f"last {defeated['months']} months."
        )
    return " ".join(sentences[:3])


def growth_card_of(fits: dict[str, Any], pub: Publisher | None, months: int = 12) -> Card | None:
    """The growth card from the drone trend fit's ``months``-month growth window (None when the
    report has no drone fit or no such window). ``fits``: group -> trend fit (with
    ``.result.table("growth")``)."""
    fit = fits.get("drones")
    result = getattr(fit, "result", None)
    if result is None:
        return None
    rows = result.table("growth")
    chosen = rows[rows["months"] == months]
    return growth_card(chosen.iloc[0].to_dict(), pub) if len(chosen) else None


def forecast_card_of(forecasts: dict[str, Any], pub: Publisher | None) -> Card | None:
    """The forecast card from the drone forecast's first week ahead (the headline model's
    median and 80% interval); None when the report has no drone forecast."""
    fc = forecasts.get("drones")
    if fc is None:
        return None
    chosen = fc.result.table("chosen").sort_values("step")
    if chosen.empty:
        return None
    first = chosen.iloc[0]
    return forecast_card(
        first["week"], float(first["point"]), float(first["lo80"]), float(first["hi80"]), pub
    )
