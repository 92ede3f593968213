"""Newey-West over months with fixed-b critical values: the sums, the critical values against
the published ones, and coverage with a planted truth."""

from __future__ import annotations

import math

import numpy as np
import pytest

from analysis.calibration.simulate import ar1
from analysis.models.hac import (
    MonthHAC,
    acf1,
    ar1_for_critical_value,
    bartlett_covariance,
    bartlett_sum,
    fixed_b_critical_value,
    fixed_b_p_value,
    hac_bandwidth,
    month_hac,
    month_means,
    month_sums,
)


def _lagged(q: np.ndarray, M: int) -> np.ndarray:
    """The textbook Bartlett sum of lagged outer products."""
    out = q.T @ q
    for j in range(1, M):
        cross = q[j:].T @ q[:-j]
        out = out + (1 - j / M) * (cross + cross.T)
    return out


def test_bartlett_covariance_equals_the_lagged_products_and_the_scalar_sum():
    q = np.random.default_rng(1).standard_normal((30, 3))
    for M in (1, 4, 9):
        assert bartlett_covariance(q, M) == pytest.approx(_lagged(q, M))
        assert bartlett_covariance(q, M)[1, 1] == pytest.approx(bartlett_sum(q[:, 1], M))


def test_month_sums_keep_empty_months_as_zero_rows():
    months = np.array([0, 0, 2, 2, 2, 5])
    values = np.array([[1.0, 2.0], [3.0, 4.0], [1.0, 1.0], [1.0, 1.0], [1.0, 1.0], [7.0, 0.0]])
    sums = month_sums(values, months)
    assert sums.tolist() == [[4, 6], [0, 0], [3, 3], [0, 0], [0, 0], [7, 0]]
    assert month_means(values[:, 0], months).tolist() == [2.0, 1.0, 7.0]


def test_location_critical_value_matches_kiefer_vogelsang():
    # Kiefer and Vogelsang (2005), Bartlett kernel, two-sided 5%: 1.96 + 2.9694 b + 0.416 b^2
    # - 0.5324 b^3; at b = 0.2 that is 2.566.
    b = 0.2
    published = 1.96 + 2.9694 * b + 0.416 * b**2 - 0.5324 * b**3
    value = fixed_b_critical_value(200, 40, design="location")
    assert value == pytest.approx(published, abs=0.1)
    assert fixed_b_critical_value(200, 40, design="trend") > value + 0.4  # a trend needs more
    assert fixed_b_critical_value(400, 2, design="location") == pytest.approx(1.96, abs=0.1)
    with pytest.raises(ValueError, match="design"):
        fixed_b_critical_value(36, 8, design="wild")
    with pytest.raises(ValueError, match="bandwidth"):
        fixed_b_critical_value(36, 37)


def test_fixed_b_p_value_agrees_with_the_critical_value():
    cv = fixed_b_critical_value(36, 8, design="location")
    assert fixed_b_p_value(cv, 36, 8, design="location") == pytest.approx(0.05, abs=0.002)
    assert fixed_b_p_value(0.0, 36, 8) == 1.0
    assert fixed_b_p_value(1e6, 36, 8) == pytest.approx(1 / 2001)
    assert math.isnan(fixed_b_p_value(math.nan, 36, 8))


def test_month_hac_critical_value_never_shrinks_below_independent_errors():
    hac = MonthHAC(np.eye(2), 36, hac_bandwidth(36), 0.0, "location")
    strong = MonthHAC(np.eye(2), 36, hac_bandwidth(36), 0.5, "location")
    assert hac.critical() == fixed_b_critical_value(36, 8, design="location")
    assert strong.critical() > hac.critical()
    assert strong.p_value(2.0, 1.0) > hac.p_value(2.0, 1.0)
    assert "36 months" in hac.describe() and "M = 8" in hac.describe()


def test_ar1_for_critical_value_corrects_the_small_sample_bias():
    x = ar1(40, 0.5, np.random.default_rng(3))
    raw = acf1(x)
    assert ar1_for_critical_value(x) == round(raw + (1 + 3 * raw) / 40, 2)
    assert ar1_for_critical_value(np.ones(10)) == 0.0  # constant: no correlation to estimate
    assert ar1_for_critical_value(np.tile([1.0, -1.0], 20)) == 0.0  # negative: clipped at 0


def test_month_hac_interval_of_a_mean_covers_with_dependent_months():
    # Waves in 36 months, a month effect AR(1) at 0.5 across months plus wave noise; the mean's
    # influence is (y - ybar) / n. A planted mean of 0 must be covered about 95% of the time.
    rng = np.random.default_rng(20260405)
    hits = []
    for _ in range(300):
        months = np.sort(rng.integers(0, 36, 300))
        y = ar1(36, 0.5, rng)[months] + rng.standard_normal(300)
        hac = month_hac(((y - y.mean()) / len(y))[:, None], months, y - y.mean(), "location")
        half = hac.critical() * math.sqrt(hac.cov[0, 0])
        hits.append(abs(y.mean()) <= half)
    assert 0.90 <= np.mean(hits) <= 0.99
