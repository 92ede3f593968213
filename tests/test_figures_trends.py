"""Charts of the escalation trends: titles state the page's finding in its words, captions are
plain, and a section gives the reader the verdict and the chart while the method fold gets the
technical sentences and tables."""

from __future__ import annotations

import math

import pandas as pd
from IPython.display import Markdown

from analysis.figures import trends as charts
from analysis.findings import trends as tf
from analysis.models.regimes import RegimeFit
from analysis.models.trend import TrendFit
from analysis.publish.plainwords import jargon_in
from analysis.results import Publisher, SavedFigure
from tests.test_findings_trends import (
    DRONE_ROWS,
    drone_fit,
    growth_row,
    regime_result,
    trend_result,
    weekly_series,
)

RELEASE = "2026-04-05"


def _texts(items: list) -> list[str]:
    return [item.data for item in items if isinstance(item, Markdown)]


def test_trend_title_reads_the_whole_span_as_the_growth_sentence_does():
    assert charts.trend_title(pd.DataFrame(DRONE_ROWS), "drones") == (
        "Launches of drones doubled about every 6 months since Oct 2022"
    )
    flat = [growth_row("whole span", 42.1, 0.56, -1.14, 2.29, start="2022-10-03")]
    assert charts.trend_title(pd.DataFrame(flat), "missiles") == (
        "Launches of missiles: no clear change since Oct 2022"
    )
    falling = [growth_row("whole span", 24.0, -3.0, -5.0, -1.0, start="2024-01-01")]
    assert charts.trend_title(pd.DataFrame(falling), "cruise_missile") == (
        "Launches of cruise missiles halved about every 23 months since Jan 2024"
    )
    unknown = [growth_row("whole span", 2.0, math.nan, math.nan, math.nan)]
    assert charts.trend_title(pd.DataFrame(unknown), "drones") == "Launches of drones"


def test_regimes_title_gives_the_latest_typical_week():
    regimes = regime_result().table("regimes")
    assert charts.regimes_title(regimes, 2, "drones") == (
        "Weekly launches of drones changed level twice; since Feb 2025 about 1,100 in a "
        "typical week"
    )
    one = regime_result(levels=((22.54, 18.76, 27.05),), breaks=()).table("regimes")
    assert charts.regimes_title(one, 0, "missiles") == (
        "Weekly launches of missiles held one level: about 23 in a typical week"
    )


def test_captions_are_plain():
    trend = tf.trend_caption(drone_fit())
    regimes = tf.regimes_caption(RegimeFit("missiles", regime_result()))
    assert trend == (
        "Drone launches per week as reported, with the trend and the range single weeks "
        "usually fall in"
    )
    assert regimes == (
        "Missile launches per week as reported, with the level of a typical week in each "
        "period and the weeks in which it changed"
    )
    assert jargon_in(trend + "\n" + regimes) == []


def test_trend_section_shows_the_verdict_and_the_chart_and_the_details_the_rest(tmp_path):
    pub = Publisher(tmp_path, "nb")
    fit = drone_fit()
    verdict = tf.growth_finding(fit, pub, headline=True)
    items = charts.trend_section(fit, verdict, pub, release=RELEASE)
    assert _texts(items) == [
        "### Long-range strike drones (Shahed/Geran type, decoys included)",
        verdict,
        f"*{tf.trend_caption(fit)}.*",
    ]
    assert isinstance(items[2], SavedFigure)
    assert items[2].alt == "Launches of drones doubled about every 6 months since Oct 2022"
    assert jargon_in("\n".join(_texts(items))) == []

    details = charts.trend_details(fit, pub)
    texts = _texts(details)
    assert texts[0].startswith("#### Long-range strike drones")
    assert "95% CI" in texts[1] and "Poisson" in texts[2]
    assert [type(i) for i in details].count(pd.DataFrame) == 1  # the growth table
    assert [f["key"] for f in pub.findings] == [
        "growth_drones",
        "growth_detail_drones",
        "dispersion_drones",
    ]
    assert pub.numbers["_captions"]["nb__growth_drones.csv"]["caption"] == (
        "Long-range strike drones (Shahed/Geran type, decoys included): growth per month by window"
    )


def test_a_group_without_a_fit_shows_its_reason_and_no_chart(tmp_path):
    pub = Publisher(tmp_path, "nb")
    fit = TrendFit("guided_bomb", "W", None, error="too sparse")
    items = charts.trend_section(fit, tf.growth_finding(fit, pub), pub, release=RELEASE)
    assert len(items) == 2 and "no trend could be fitted (too sparse)" in items[1].data
    assert len(charts.trend_details(fit, pub)) == 2


def test_regime_section_and_details(tmp_path):
    pub = Publisher(tmp_path, "nb")
    fit = RegimeFit("drones", regime_result(), weekly_series())
    verdict = tf.regime_finding(fit, pub, headline=True)
    items = charts.regime_section(fit, verdict, pub, release=RELEASE)
    assert _texts(items)[1] == verdict and isinstance(items[2], SavedFigure)
    details = charts.regime_details(fit, pub, TrendFit("drones", "W", trend_result(DRONE_ROWS)))
    assert "3 Feb 2025" in _texts(details)[1] and "trend section" in _texts(details)[1]
    assert [type(i) for i in details].count(pd.DataFrame) == 2  # regimes and breaks
    captions = pub.numbers["_captions"]
    assert captions["nb__breaks_drones.csv"]["caption"].endswith("weeks in which the level changed")
