"""Interception and saturation: does a larger salvo lower the share defeated?

What. For each wave and each of three classes (strike drones, cruise missiles, ballistic
missiles) the number defeated ``k`` out of the number launched ``n`` of that class is modelled
with a **beta-binomial regression fitted by maximum likelihood** (statsmodels
``GenericLikelihoodModel``)::

    k ~ BetaBinomial(n, mu, rho),   logit(mu) = b0 + b1 * log2(n) + b2 * years

``b1`` is the change in log-odds of defeat per doubling of the salvo (negative = saturation);
``rho`` is the intra-wave correlation: a wave's defeat share varies around ``mu`` more than a
binomial allows (weather, targets, the air-defence assets in range), with variance
``n mu (1 - mu) (1 + (n - 1) rho)``. Beta-binomial rather than quasi-binomial because salvos
range from 1 to 810: a quasi-binomial GLM assumes one dispersion factor for all waves and so
lets the few largest waves dominate, while the beta-binomial's extra variance grows with
``n``, so that each large wave counts as roughly ``1 / rho`` independent trials. The
quasi-binomial GLM (Pearson chi-square scale) is fitted alongside as a diagnostic (its scale
measures over-dispersion) and a sensitivity.

Measures. The **defeat rate** ``(destroyed + not_reach_goal) / launched`` is the consistent
one: on some nights ``destroyed`` already includes drones lost to electronic warfare
("downed or suppressed", ``not_reach_goal`` 0, e.g. 2025-09-07), on others they are split out
(2025-07-09: 296 destroyed + 415 not reaching their goal). The **kinetic-only** rate
``destroyed / launched`` is used only where it means "shot down": for strike drones only in
waves whose drone ``not_reach_goal`` is positive (the split is reported; this is almost every
drone wave from 2024-09 to 2025-07 and few outside it); for missiles in every wave, since
missile ``destroyed`` is "shot down" throughout and the rare missiles lost to electronic
warfare appear in ``not_reach_goal`` (mostly empty, so a missile's defeat is in practice its
destroyed count). ``destroyed + not_reach_goal`` above ``launched`` is capped at ``launched``
and counted.

Waves. A class's sample is the timed waves (``time_known``) with at least one of that class
launched (``launched_<class>`` of the waves table), as in the salvo model; untimed waves
(grouped per day) are refitted in a sensitivity row. Excluded and counted: waves with a
missing launched or destroyed count in that class; waves where the class's destroyed count
was allocated from a combined row spanning several classes (``destroyed_allocated`` in
strikes); waves with a lumped row that includes the class (``mixed_missile`` such as
"C-400 and Iskander-M" for ballistic missiles, "Iskander-M and Iskander-K" for both), whose
per-class salvo is unknown.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats
from scipy.special import betaln, digamma, expit, gammaln, logit, polygamma
from statsmodels.base.model import GenericLikelihoodModel
from statsmodels.genmod import families
from statsmodels.genmod.generalized_linear_model import GLM
from statsmodels.tools.numdiff import approx_fprime

from analysis.data.series import as_timestamps
from analysis.data.taxonomy import lookup, split_model
from analysis.modelresult import ModelResult
from analysis.models.hac import (
    MonthHAC,
    ar1_for_critical_value,
    bartlett_sum,
    fixed_b_critical_value,
    hac_bandwidth,
    month_hac,
)
from analysis.models.salvo import (
    BLOCK_MONTHS,
    MIN_BOOT_MONTHS,
    N_BOOT,
    SEED,
    dependent_normals,
    month_bootstrap_counts,
    month_codes,
)
from analysis.vocabulary import (
    BALLISTIC_MISSILE,
    CRUISE_MISSILE,
    MIXED,
    MIXED_DRONE,
    MIXED_MISSILE,
    STRIKE_DRONE,
)

CLASSES = (STRIKE_DRONE, CRUISE_MISSILE, BALLISTIC_MISSILE)
MEASURES = ("defeat", "kinetic")
TERMS = ("const", "log2_salvo", "years")
LUMPED_CLASSES = (MIXED_MISSILE, MIXED_DRONE, MIXED)
MIN_WAVES = 20
DAYS_PER_YEAR = 365.25
#: Salvo-size bins (launched of the class) for the descriptive ``by_salvo`` table.
#: How the headline intervals are made: Newey-West over calendar months with a fixed-b
#: critical value (the default), a bootstrap over calendar months, or the model's Wald
#: intervals (numerical Hessian). The month bootstrap keeps dependence within a month but not
#: between neighbouring months, and covered 89% instead of 95% in the calibration with AR(1)
#: errors at rho 0.5; the fixed-b interval held 90% or more.
INTERVALS = ("fixed_b", "cluster_bootstrap", "model")
DEFAULT_INTERVAL = "fixed_b"
#: Below this share of converged refits the bootstrap is not trusted and the model interval
#: is reported instead (flagged in ``interval``).
MIN_CONVERGED = 0.95
SALVO_BINS = {
    STRIKE_DRONE: (1, 10, 50, 100, 200, 400, np.inf),
    CRUISE_MISSILE: (1, 2, 5, 10, 20, 50, np.inf),
    BALLISTIC_MISSILE: (1, 2, 3, 5, 10, np.inf),
}


def class_waves(waves: pd.DataFrame, strikes: pd.DataFrame, weapon_class: str) -> pd.DataFrame:
    """One row per wave that launched ``weapon_class``: counts, flags and both outcomes.

    Columns: ``wave_id, date, year, time_known, launched, destroyed, not_reach_goal,
    split_reported, counts_missing, allocated_across_classes, mixed_in_wave, eligible,
    defeated, kinetic, capped``. ``launched`` / ``destroyed`` are the waves table's
    ``launched_<class>`` / ``destroyed_<class>``; ``not_reach_goal`` and the flags come from
    the strikes rows of the class. ``defeated = min(destroyed + not_reach_goal, launched)``
    and ``kinetic = min(destroyed, launched)``; ``capped`` marks a cap.
    """
    if weapon_class not in CLASSES:
        raise ValueError(f"weapon_class {weapon_class!r} is not one of {', '.join(CLASSES)}")
    launched = waves[f"launched_{weapon_class}"].astype("int64")
    frame = pd.DataFrame(
        {
            "wave_id": waves["wave_id"].to_numpy(),
            "date": as_timestamps(waves["date"]).to_numpy(),
            "time_known": waves["time_known"].astype(bool).to_numpy(),
            "launched": launched.to_numpy(),
            "destroyed": waves[f"destroyed_{weapon_class}"].astype("int64").to_numpy(),
        }
    )
    frame["mixed_in_wave"] = frame["wave_id"].isin(_waves_with_lumped(strikes, weapon_class))
    frame = frame[frame["launched"] > 0]

    rows = strikes[strikes["weapon_class"] == weapon_class]
    classes_per_row = strikes.groupby("raw_row")["weapon_class"].nunique()
    across = rows["destroyed_allocated"].astype(bool) & rows["raw_row"].map(classes_per_row).gt(1)
    per_wave = (
        pd.DataFrame(
            {
                "not_reach_goal": rows["not_reach_goal"].astype("Float64").fillna(0),
                "counts_missing": rows["launched"].isna() | rows["destroyed"].isna(),
                "allocated_across_classes": across,
            }
        )
        .groupby(rows["wave_id"])
        .agg(
            not_reach_goal=("not_reach_goal", "sum"),
            counts_missing=("counts_missing", "any"),
            allocated_across_classes=("allocated_across_classes", "any"),
        )
    )
    frame = frame.join(per_wave, on="wave_id")
    frame["not_reach_goal"] = frame["not_reach_goal"].fillna(0).astype("int64")
    for flag in ("counts_missing", "allocated_across_classes"):
        frame[flag] = frame[flag].fillna(False).astype(bool)
    frame["year"] = frame["date"].dt.year
    frame["split_reported"] = frame["not_reach_goal"] > 0
    frame["eligible"] = ~(
        frame["counts_missing"] | frame["allocated_across_classes"] | frame["mixed_in_wave"]
    )
    total = frame["destroyed"] + frame["not_reach_goal"]
    frame["defeated"] = np.minimum(total, frame["launched"])
    frame["kinetic"] = np.minimum(frame["destroyed"], frame["launched"])
    frame["capped"] = total > frame["launched"]
    columns = [
        "wave_id",
        "date",
        "year",
        "time_known",
        "launched",
        "destroyed",
        "not_reach_goal",
        "split_reported",
        "counts_missing",
        "allocated_across_classes",
        "mixed_in_wave",
        "eligible",
        "defeated",
        "kinetic",
        "capped",
    ]
    return frame.loc[:, columns].sort_values(["date", "wave_id"]).reset_index(drop=True)


def _waves_with_lumped(strikes: pd.DataFrame, weapon_class: str) -> pd.Index:
    """Waves with a lumped row (``mixed_*`` class, no per-weapon split) that includes
    ``weapon_class``: there the class's own columns miss part of its salvo."""
    lumped = strikes[strikes["weapon_class"].isin(LUMPED_CLASSES)]
    if lumped.empty:
        return pd.Index([])

    def includes(model: str) -> bool:
        parts = [lookup(part) for part in split_model(model)]
        return any(w is not None and w.weapon_class == weapon_class for w in parts)

    hit = lumped["model"].map(includes).astype(bool)
    return pd.Index(lumped.loc[hit, "wave_id"].unique())


def measure_sample(
    frame: pd.DataFrame, weapon_class: str, measure: str, *, timed_only: bool = True
) -> pd.DataFrame:
    """The waves a class × measure model uses, with ``successes`` (defeated or kinetic)."""
    if measure not in MEASURES:
        raise ValueError(f"measure {measure!r} is not one of {', '.join(MEASURES)}")
    keep = frame["eligible"].to_numpy().copy()
    if timed_only:
        keep &= frame["time_known"].to_numpy()
    if measure == "kinetic" and weapon_class == STRIKE_DRONE:
        keep &= frame["split_reported"].to_numpy()
    out = frame[keep].copy()
    out["successes"] = out["defeated"] if measure == "defeat" else out["kinetic"]
    return out.reset_index(drop=True)


class BetaBinomialRegression(GenericLikelihoodModel):
    """Beta-binomial regression: ``k ~ BetaBinomial(n, expit(X b), rho)``, ``rho = expit(g)``.

    The last parameter is ``logit_rho``; ``alpha = mu (1 - rho) / rho`` and
    ``beta = (1 - mu) (1 - rho) / rho``.
    """

    def __init__(self, endog, exog, trials, **kwargs):
        self.trials = np.asarray(trials, dtype=float)
        super().__init__(endog, exog, extra_params_names=["logit_rho"], **kwargs)

    def _shape(self, params):
        mu = np.clip(expit(self.exog @ params[:-1]), 1e-12, 1 - 1e-12)
        rho = np.clip(expit(params[-1]), 1e-10, 1 - 1e-10)
        size = (1 - rho) / rho
        return mu, size, mu * size, (1 - mu) * size

    def loglikeobs(self, params):
        _, _, a, b = self._shape(params)
        k, n = self.endog, self.trials
        return (
            gammaln(n + 1)
            - gammaln(k + 1)
            - gammaln(n - k + 1)
            + betaln(k + a, n - k + b)
            - betaln(a, b)
        )

    def score_obs(self, params):
        mu, size, a, b = self._shape(params)
        k, n = self.endog, self.trials
        common = digamma(size) - digamma(n + size)
        d_a = digamma(k + a) - digamma(a) + common
        d_b = digamma(n - k + b) - digamma(b) + common
        d_eta = size * mu * (1 - mu) * (d_a - d_b)
        d_gamma = -size * (mu * d_a + (1 - mu) * d_b)
        return np.column_stack([self.exog * d_eta[:, None], d_gamma])

    def score(self, params):
        return self.score_obs(params).sum(axis=0)

    def hessian(self, params):
        return approx_fprime(params, self.score, centered=True)


@dataclass(frozen=True)
class InterceptionFit:
    """Beta-binomial fit (``params``/``cov`` of the logit-mean terms, ``rho``) and the
    quasi-binomial cross-check (``qb_params``/``qb_cov``, Pearson ``dispersion``)."""

    terms: tuple[str, ...]
    params: np.ndarray
    cov: np.ndarray
    logit_rho: float
    logit_rho_se: float
    qb_params: np.ndarray
    qb_cov: np.ndarray
    dispersion: float
    n_waves: int
    launched: int
    successes: int
    converged: bool
    loglike: float
    boot: np.ndarray | None = None
    interval: str = "model"
    boot_failed: int = 0
    hac: MonthHAC | None = None

    def _half_width(self, vector: np.ndarray, level: float) -> tuple[float, float]:
        """Standard error and half-width of the fixed-b interval of ``vector @ params`` (the
        last entry of ``vector`` weighs ``logit_rho``)."""
        if self.hac is None:
            raise ValueError("this fit has no Newey-West covariance (interval is not fixed_b)")
        se = float(np.sqrt(max(vector @ self.hac.cov @ vector, 0.0)))
        return se, self.hac.critical(level) * se

    @property
    def rho(self) -> float:
        return float(expit(self.logit_rho))

    def rho_ci(self, level: float = 0.95) -> tuple[float, float]:
        """The interval of rho: fixed-b or bootstrap percentiles when made so, else Wald on the
        logit scale."""
        if self.hac is not None:
            unit = np.zeros(len(self.hac.cov))
            unit[-1] = 1.0
            half = self._half_width(unit, level)[1]
            return float(expit(self.logit_rho - half)), float(expit(self.logit_rho + half))
        if self.boot is not None:
            low, high = np.percentile(self.boot[:, -1], _tails(level))
            return float(expit(low)), float(expit(high))
        z = stats.norm.ppf(0.5 + level / 2)
        return (
            float(expit(self.logit_rho - z * self.logit_rho_se)),
            float(expit(self.logit_rho + z * self.logit_rho_se)),
        )

    def _beta_binomial_rows(self, level: float) -> list[dict]:
        """The logit-mean terms with the headline interval (bootstrap when there is one) and
        the model's Wald interval (``*_model``)."""
        z = stats.norm.ppf(0.5 + level / 2)
        se_model = np.sqrt(np.clip(np.diag(self.cov), 0, None))
        rows = []
        for j, (term, b, s) in enumerate(zip(self.terms, self.params, se_model, strict=True)):
            p_value = None
            if self.hac is not None:
                unit = np.zeros(len(self.hac.cov))
                unit[j] = 1.0
                se, half = self._half_width(unit, level)
                low, high, p_value = b - half, b + half, self.hac.p_value(float(b), se)
            elif self.boot is None:
                se, low, high = s, b - z * s, b + z * s
            else:
                draws = self.boot[:, j]
                se = float(np.std(draws, ddof=1))
                low, high = np.percentile(draws, _tails(level))
            rows.append(
                {
                    "model": "beta_binomial",
                    "term": term,
                    "estimate": float(b),
                    "se": float(se),
                    "ci_low": float(low),
                    "ci_high": float(high),
                    "p_value": _p_value(b, se) if p_value is None else p_value,
                    "se_model": float(s),
                    "ci_low_model": float(b - z * s),
                    "ci_high_model": float(b + z * s),
                }
            )
        return rows

    def coefficients(self, level: float = 0.95) -> pd.DataFrame:
        """``model, term, estimate, se, ci_low, ci_high, p_value`` for both models, plus the
        beta-binomial's model-based ``se_model, ci_low_model, ci_high_model`` and the
        ``interval`` its headline interval comes from."""
        z = stats.norm.ppf(0.5 + level / 2)
        rows = self._beta_binomial_rows(level)
        se = np.sqrt(np.clip(np.diag(self.qb_cov), 0, None))
        for term, b, s in zip(self.terms, self.qb_params, se, strict=True):
            rows.append(
                {
                    "model": "quasi_binomial",
                    "term": term,
                    "estimate": float(b),
                    "se": float(s),
                    "ci_low": float(b - z * s),
                    "ci_high": float(b + z * s),
                    "p_value": _p_value(b, s),
                }
            )
        low, high = self.rho_ci(level)
        rows.append(
            {
                "model": "beta_binomial",
                "term": "rho",
                "estimate": self.rho,
                "se": float("nan"),
                "ci_low": low,
                "ci_high": high,
                "p_value": float("nan"),
            }
        )
        rows.append(
            {
                "model": "quasi_binomial",
                "term": "dispersion",
                "estimate": self.dispersion,
                "se": float("nan"),
                "ci_low": float("nan"),
                "ci_high": float("nan"),
                "p_value": float("nan"),
            }
        )
        table = pd.DataFrame(rows)
        table["interval"] = np.where(table["model"] == "beta_binomial", self.interval, "model")
        return table


def _tails(level: float) -> list[float]:
    """The percentiles (0-100) of a two-sided ``level`` interval."""
    return [50 * (1 - level), 50 * (1 + level)]


def _p_value(estimate: float, se: float) -> float:
    """Two-sided normal p-value of ``estimate / se`` (NaN without a positive ``se``)."""
    return float(2 * stats.norm.sf(abs(estimate / se))) if se > 0 else float("nan")


def _design(launched: np.ndarray, years: np.ndarray, time: str) -> tuple[np.ndarray, tuple]:
    log2n = np.log2(np.asarray(launched, dtype=float))
    years = np.asarray(years, dtype=float)
    if time == "linear":
        return np.column_stack([np.ones_like(log2n), log2n, years]), TERMS
    if time == "year":
        year = np.floor(years).astype(int)  # whole years since the origin
        levels = np.unique(year)
        dummies = (year[:, None] == levels[None, :]).astype(float)
        return np.column_stack([log2n, dummies]), ("log2_salvo", *[f"year{v}" for v in levels])
    raise ValueError(f"time {time!r} is not 'linear' or 'year'")


def fit_interception(
    launched: Sequence[float],
    successes: Sequence[float],
    years: Sequence[float],
    *,
    time: str = "linear",
    months: np.ndarray | None = None,
    interval: str = DEFAULT_INTERVAL,
    n_boot: int = N_BOOT,
    block_months: int = BLOCK_MONTHS,
    seed: int | None = SEED,
) -> InterceptionFit:
    """Beta-binomial ML and quasi-binomial GLM of ``successes / launched`` on
    ``log2(launched)`` and time: ``linear`` in years, or ``year`` effects (one level per whole
    year since the origin, a sensitivity).

    ``months`` gives a month code per wave (:func:`~analysis.models.salvo.month_codes`;
    without it, 30.4-day blocks of ``years``). With ``interval="fixed_b"`` (the default) the
    headline intervals are Newey-West over calendar months with a fixed-b critical value
    (:func:`beta_binomial_hac`): the waves of one month share weather, targets and defences,
    and a month resembles its neighbours. With ``"cluster_bootstrap"`` the beta-binomial is
    refitted on ``n_boot`` resamples of whole calendar months; when fewer than
    :data:`MIN_CONVERGED` of the refits converge the model interval is kept and ``interval``
    says so. With fewer than :data:`~analysis.models.salvo.MIN_BOOT_MONTHS` months the model
    interval is kept too.
    """
    if interval not in INTERVALS:
        raise ValueError(f"interval {interval!r} is not one of {', '.join(INTERVALS)}")
    n = np.asarray(launched, dtype=float)
    k = np.asarray(successes, dtype=float)
    if np.any(n <= 0) or np.any(k < 0) or np.any(k > n):
        raise ValueError("need 0 <= successes <= launched and launched > 0")
    x, terms = _design(n, np.asarray(years, dtype=float), time)
    glm = GLM(k / n, x, family=families.Binomial(), var_weights=n).fit(scale="X2")
    start = np.r_[np.asarray(glm.params), logit(0.05)]
    model = BetaBinomialRegression(k, x, n)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            result = model.fit(start_params=start, method="newton", maxiter=200, disp=False)
            converged = bool(result.mle_retvals.get("converged", False))
        except np.linalg.LinAlgError:  # a separated level makes the Hessian singular
            converged = False
        if not converged:
            result = model.fit(start_params=start, method="bfgs", maxiter=5000, disp=False)
            converged = bool(result.mle_retvals.get("converged", False))
        params = np.asarray(result.params)
        cov = np.linalg.pinv(-model.hessian(params))
    p = x.shape[1]
    boot, failed, label, hac = None, 0, "model", None
    if months is None:
        t = np.asarray(years, dtype=float)
        months = np.floor((t - t.min()) * 12).astype("int64")
    if interval != "model" and len(np.unique(months)) < MIN_BOOT_MONTHS:
        label = "model (too few months)"
    elif interval == "fixed_b":
        hac, label = beta_binomial_hac(x, k, n, params, np.asarray(months)), "fixed_b"
    elif interval == "cluster_bootstrap":
        counts = month_bootstrap_counts(
            np.asarray(months), n_boot=n_boot, block_months=block_months, seed=seed
        )
        draws, good = refit_beta_binomial(x, k, n, params, counts)
        failed = int((~good).sum())
        if good.mean() >= MIN_CONVERGED:
            boot, label = draws[good], "cluster_bootstrap"
        else:
            label = "model (bootstrap refits failed)"
    return InterceptionFit(
        terms=terms,
        params=params[:p],
        cov=cov[:p, :p],
        logit_rho=float(params[-1]),
        logit_rho_se=float(np.sqrt(max(cov[-1, -1], 0))),
        qb_params=np.asarray(glm.params),
        qb_cov=np.asarray(glm.cov_params()),
        dispersion=float(glm.scale),
        n_waves=len(n),
        launched=int(n.sum()),
        successes=int(k.sum()),
        converged=converged,
        loglike=float(model.loglike(params)),
        boot=boot,
        interval=label,
        boot_failed=failed,
        hac=hac,
    )


def beta_binomial_hac(
    x: np.ndarray, k: np.ndarray, n: np.ndarray, params: np.ndarray, months: np.ndarray
) -> MonthHAC:
    """Newey-West covariance over calendar months of the beta-binomial estimates (the
    logit-mean terms, then ``logit_rho``): each wave's influence ``H^-1 s_i`` (its score
    ``s_i`` through the inverse of the negative Hessian ``H``) summed per month, with the
    fixed-b critical value of a regressor that is not time (the salvo size), and ``rho`` from
    the month means of the Pearson residuals."""
    ones = np.ones((1, len(n)))
    hessian = beta_binomial_hessian(x, k, n, params[None], ones)[0]
    terms = _observation_terms(x, k, n, params[None], second=False)
    scores = np.column_stack([x * terms["eta"][0][:, None], terms["g"][0]])
    influence = scores @ np.linalg.pinv(-hessian)
    mu, rho = expit(x @ params[:-1]), expit(params[-1])
    pearson = (k - n * mu) / np.sqrt(n * mu * (1 - mu) * (1 + (n - 1) * rho))
    return month_hac(influence, months, pearson, "location")


def _observation_terms(
    x: np.ndarray, k: np.ndarray, n: np.ndarray, params: np.ndarray, *, second: bool
) -> dict[str, np.ndarray]:
    """Per-wave derivatives of the beta-binomial log-likelihood with respect to the linear
    predictor ``eta`` and ``g = logit_rho``, for every row of ``params`` ``(B, p + 1)``;
    with ``s = (1 - rho) / rho = exp(-g)``, ``a = mu s`` and ``b = (1 - mu) s``. The second
    derivatives (trigamma, slow) only when ``second``."""
    mu = np.clip(expit(params[:, :-1] @ x.T), 1e-12, 1 - 1e-12)
    s = np.exp(-np.clip(params[:, -1:], -30, 30))
    a, b = mu * s, (1 - mu) * s
    common = digamma(s) - digamma(n + s)
    d_a = digamma(k + a) - digamma(a) + common
    d_b = digamma(n - k + b) - digamma(b) + common
    slope = s * mu * (1 - mu)  # d a / d eta = - d b / d eta
    out = {"eta": slope * (d_a - d_b), "g": -(a * d_a + b * d_b)}
    if second:
        common1 = polygamma(1, s) - polygamma(1, n + s)
        l_aa = polygamma(1, k + a) - polygamma(1, a) + common1
        l_bb = polygamma(1, n - k + b) - polygamma(1, b) + common1
        out["eta_eta"] = slope**2 * (l_aa - 2 * common1 + l_bb) + slope * (1 - 2 * mu) * (d_a - d_b)
        out["eta_g"] = -(slope * (a * (l_aa - common1) + b * (common1 - l_bb)) + out["eta"])
        out["g_g"] = a**2 * l_aa + 2 * a * b * common1 + b**2 * l_bb + a * d_a + b * d_b
    return out


def beta_binomial_gradient(
    x: np.ndarray, k: np.ndarray, n: np.ndarray, params: np.ndarray, weights: np.ndarray
) -> np.ndarray:
    """Gradient ``(B, p + 1)`` of the weighted beta-binomial log-likelihood at each row of
    ``params`` (the logit-mean terms, then ``logit_rho``), weights ``(B, n)``."""
    terms = _observation_terms(x, k, n, params, second=False)
    return np.column_stack([(weights * terms["eta"]) @ x, (weights * terms["g"]).sum(1)])


def beta_binomial_hessian(
    x: np.ndarray, k: np.ndarray, n: np.ndarray, params: np.ndarray, weights: np.ndarray
) -> np.ndarray:
    """Hessian ``(B, p + 1, p + 1)`` of the weighted beta-binomial log-likelihood (analytic,
    digamma and trigamma); ``params`` may be one row for every row of ``weights``."""
    terms = _observation_terms(x, k, n, params, second=True)
    p = x.shape[1]
    hess = np.empty((len(weights), p + 1, p + 1))
    scaled = weights * terms["eta_eta"]
    for i in range(p):
        for j in range(i, p):
            hess[:, i, j] = hess[:, j, i] = scaled @ (x[:, i] * x[:, j])
    hess[:, :p, p] = hess[:, p, :p] = (weights * terms["eta_g"]) @ x
    hess[:, p, p] = (weights * terms["g_g"]).sum(1)
    return hess


def refit_beta_binomial(
    x: np.ndarray,
    k: np.ndarray,
    n: np.ndarray,
    start: np.ndarray,
    weights: np.ndarray,
    *,
    max_iter: int = 60,
    tol: float = 1e-7,
) -> tuple[np.ndarray, np.ndarray]:
    """Beta-binomial ML refits, one per row of ``weights`` (bootstrap draw counts), all at
    once from ``start`` (the full-sample estimate). Returns the ``(B, p + 1)`` estimates and
    which converged.

    Newton steps with each replicate's Hessian held at ``start`` (its trigamma terms are
    slow and a replicate's estimate lies close to the full sample's) and renewed every eight
    iterations for the replicates still moving, so an iteration mostly costs one gradient of
    the replicates not yet converged; a replicate whose steps grow has them halved."""
    k, n = np.asarray(k, dtype=float), np.asarray(n, dtype=float)
    start = np.asarray(start, dtype=float)
    inverse = np.linalg.pinv(beta_binomial_hessian(x, k, n, start[None], weights))
    params = np.tile(start, (len(weights), 1))
    size, previous = np.ones(len(weights)), np.full(len(weights), np.inf)
    converged = np.zeros(len(weights), dtype=bool)
    for iteration in range(max_iter):
        todo = np.flatnonzero(~converged)
        if iteration and iteration % 8 == 0:  # slow replicates: a fresh Hessian
            fresh = beta_binomial_hessian(x, k, n, params[todo], weights[todo])
            inverse[todo] = np.linalg.pinv(fresh)
        grad = beta_binomial_gradient(x, k, n, params[todo], weights[todo])
        step = np.matmul(inverse[todo], grad[..., None])[..., 0]
        norm = np.abs(step).max(axis=1)
        done = norm < tol
        converged[todo[done]] = True
        if converged.all() or not np.isfinite(norm).any():
            break
        size[todo] = np.where(norm > previous[todo], size[todo] / 2, np.minimum(2 * size[todo], 1))
        params[todo] -= np.where(done, 0.0, size[todo])[:, None] * step
        previous[todo] = norm
    good = converged & np.isfinite(params).all(axis=1)
    return params, good


def doubling_effect(
    fit: InterceptionFit, salvo: float, years: float, level: float = 0.95
) -> dict[str, float]:
    """Defeat rate at ``salvo`` and at ``2 * salvo`` (same time) and their difference in
    percentage points (linear-time fit only). The intervals (``*_ci_low``, ``*_ci_high``) are
    fixed-b (delta method on the Newey-West covariance over months) or the bootstrap
    percentiles when the fit was made so, else the delta method's on the model's; the
    delta-method intervals are also given as ``*_model``, with ``interval`` naming the
    headline one."""
    z = stats.norm.ppf(0.5 + level / 2)
    x1 = np.array([1.0, np.log2(salvo), years])
    x2 = x1 + np.array([0.0, 1.0, 0.0])
    out: dict = {}
    for name, x in (("rate", x1), ("rate_doubled", x2)):
        eta, se = x @ fit.params, float(np.sqrt(x @ fit.cov @ x))
        out[name] = float(expit(eta))
        out[f"{name}_ci_low_model"] = float(expit(eta - z * se))
        out[f"{name}_ci_high_model"] = float(expit(eta + z * se))
    p1, p2 = out["rate"], out["rate_doubled"]
    grad = p2 * (1 - p2) * x2 - p1 * (1 - p1) * x1
    se = float(np.sqrt(grad @ fit.cov @ grad))
    out["change_points"] = 100 * (p2 - p1)
    out["change_ci_low_model"] = 100 * (p2 - p1 - z * se)
    out["change_ci_high_model"] = 100 * (p2 - p1 + z * se)
    for name in ("rate", "rate_doubled", "change"):
        out[f"{name}_ci_low"] = out[f"{name}_ci_low_model"]
        out[f"{name}_ci_high"] = out[f"{name}_ci_high_model"]
    if fit.hac is not None:
        for name, x in (("rate", x1), ("rate_doubled", x2)):
            half = fit._half_width(np.r_[x, 0.0], level)[1]
            eta = float(x @ fit.params)
            out[f"{name}_ci_low"], out[f"{name}_ci_high"] = expit(eta - half), expit(eta + half)
        half = 100 * fit._half_width(np.r_[grad, 0.0], level)[1]
        out["change_ci_low"] = out["change_points"] - half
        out["change_ci_high"] = out["change_points"] + half
    elif fit.boot is not None:
        beta = fit.boot[:, : len(x1)]
        r1, r2 = expit(beta @ x1), expit(beta @ x2)
        for name, draws in (("rate", r1), ("rate_doubled", r2), ("change", 100 * (r2 - r1))):
            low, high = np.percentile(draws, _tails(level))
            out[f"{name}_ci_low"], out[f"{name}_ci_high"] = float(low), float(high)
    out["interval"] = fit.interval
    out["n_boot"] = 0 if fit.boot is None else len(fit.boot)
    return out


def wilson(successes, trials, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for ``successes / trials`` (arrays)."""
    k = np.asarray(successes, dtype=float)
    n = np.asarray(trials, dtype=float)
    z = stats.norm.ppf(0.5 + level / 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = k / n
        centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
        half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
    return centre - half, centre + half


def _pooled(sample: pd.DataFrame, by: str | pd.Series) -> pd.DataFrame:
    grouped = sample.groupby(by, observed=True)
    out = grouped.agg(
        waves=("launched", "size"),
        timed_waves=("time_known", "sum"),
        launched=("launched", "sum"),
        successes=("successes", "sum"),
    )
    out["rate"] = out["successes"] / out["launched"]
    out["ci_low"], out["ci_high"] = wilson(out["successes"], out["launched"])
    return out


def _years(dates: pd.Series, origin: pd.Timestamp) -> np.ndarray:
    return (
        np.asarray((pd.DatetimeIndex(dates) - origin) / pd.Timedelta(days=1), dtype=float)
        / DAYS_PER_YEAR
    )


@dataclass(frozen=True)
class _Choices:
    """The modelling choices of one :func:`interception_model` run."""

    origin: pd.Timestamp
    timed_only: bool
    min_waves: int
    level: float
    interval: str = DEFAULT_INTERVAL
    n_boot: int = N_BOOT
    block_months: int = BLOCK_MONTHS
    seed: int | None = SEED

    def fit(self, sample: pd.DataFrame) -> tuple[InterceptionFit, np.ndarray]:
        """The main fit of a sample (``date, launched, successes``) with its headline
        interval, and the sample's years since the origin."""
        t = _years(sample["date"], self.origin)
        fit = fit_interception(
            sample["launched"],
            sample["successes"],
            t,
            months=month_codes(sample["date"]),
            interval=self.interval,
            n_boot=self.n_boot,
            block_months=self.block_months,
            seed=self.seed,
        )
        return fit, t


@dataclass
class _Rows:
    """Rows and table parts collected class by class, measure by measure."""

    coefficients: list[pd.DataFrame] = field(default_factory=list)
    fits: list[dict] = field(default_factory=list)
    effects: list[dict] = field(default_factory=list)
    sensitivity: list[dict] = field(default_factory=list)
    by_year: list[pd.DataFrame] = field(default_factory=list)
    by_salvo: list[pd.DataFrame] = field(default_factory=list)
    exclusions: list[dict] = field(default_factory=list)


_COEFFICIENT_COLUMNS = [
    "weapon_class",
    "measure",
    "model",
    "term",
    "estimate",
    "se",
    "ci_low",
    "ci_high",
    "p_value",
    "n_waves",
]
_BY_YEAR_COLUMNS = [
    "weapon_class",
    "measure",
    "year",
    "waves",
    "timed_waves",
    "launched",
    "successes",
    "rate",
    "ci_low",
    "ci_high",
]


def interception_model(
    waves: pd.DataFrame,
    strikes: pd.DataFrame,
    *,
    classes: Sequence[str] = CLASSES,
    timed_only: bool = True,
    min_waves: int = MIN_WAVES,
    origin: str | pd.Timestamp | None = None,
    level: float = 0.95,
    interval: str = DEFAULT_INTERVAL,
    n_boot: int = N_BOOT,
    block_months: int = BLOCK_MONTHS,
    seed: int | None = SEED,
) -> ModelResult:
    """Defeat-rate (headline) and kinetic-only models per class; see the module docstring.

    The headline intervals (coefficients, rho, doubling effect) are fixed-b Newey-West over
    calendar months by default; a bootstrap of whole months (``interval="cluster_bootstrap"``
    with ``n_boot``, ``block_months``, ``seed``) is an option (see :func:`fit_interception`);
    the model's Wald intervals stay beside them as ``*_model``.
    The ``sensitivity`` table gives each other specification's doubling effect in points
    (``doubling_points``), and the summary their range (``*_doubling_points_spec_min/max``).

    Tables: ``coefficients`` (class, measure, model, term, estimate, se, CI, p, n_waves),
    ``fits`` (one row per class × measure: waves, pooled rate, rho, dispersion, converged),
    ``effects`` (rate at the median salvo and at twice it, change in points),
    ``sensitivity`` (the defeat-rate salvo coefficient under other choices), ``by_year``
    (pooled observed rate per class, measure and year, all eligible waves, Wilson CI),
    ``by_salvo`` (pooled defeat rate per salvo-size bin, model sample) and ``exclusions``.
    """
    origin_ts = pd.Timestamp(origin) if origin is not None else as_timestamps(waves["date"]).min()
    if interval not in INTERVALS:
        raise ValueError(f"interval {interval!r} is not one of {', '.join(INTERVALS)}")
    choices = _Choices(
        origin_ts, timed_only, min_waves, level, interval, n_boot, block_months, seed
    )
    rows = _Rows()
    summary: dict[str, float | int | str | None] = {
        "origin": str(origin_ts.date()),
        "population": "timed waves" if timed_only else "all waves",
        "model": "beta-binomial ML (GenericLikelihoodModel); quasi-binomial GLM as check",
        "salvo_term": "log2(launched of the class): coefficient = change in logit per doubling",
        "interval": interval,
        "n_boot": n_boot if interval == "cluster_bootstrap" else 0,
        "block_months": block_months,
    }
    for weapon_class in classes:
        frame = class_waves(waves, strikes, weapon_class)
        rows.exclusions.append(_exclusion_row(frame, weapon_class))
        summary[f"{weapon_class}_capped_waves"] = rows.exclusions[-1]["capped"]
        for measure in MEASURES:
            _fit_measure(frame, weapon_class, measure, choices, rows, summary)
    coefficients = _ordered(rows.coefficients, _COEFFICIENT_COLUMNS)
    by_year = _ordered(rows.by_year, _BY_YEAR_COLUMNS)
    _record_defeat_rates(summary, by_year)
    _headline(summary, classes)
    return ModelResult(
        name="interception",
        summary=summary,
        tables={
            "coefficients": coefficients,
            "fits": pd.DataFrame(rows.fits),
            "effects": pd.DataFrame(rows.effects),
            "sensitivity": pd.DataFrame(rows.sensitivity),
            "by_year": by_year,
            "by_salvo": _ordered(rows.by_salvo),
            "exclusions": pd.DataFrame(rows.exclusions),
        },
        assumptions=ASSUMPTIONS,
        caveats=CAVEATS,
    )


def _exclusion_row(frame: pd.DataFrame, weapon_class: str) -> dict:
    """How many of a class's waves each exclusion or adjustment touches."""
    return {
        "weapon_class": weapon_class,
        "waves_launched": len(frame),
        "untimed": int((~frame["time_known"]).sum()),
        "counts_missing": int(frame["counts_missing"].sum()),
        "allocated_across_classes": int(frame["allocated_across_classes"].sum()),
        "lumped_row_in_wave": int(frame["mixed_in_wave"].sum()),
        "capped": int((frame["capped"] & frame["eligible"]).sum()),
        "split_reported": int(frame["split_reported"].sum()),
    }


def _fit_measure(
    frame: pd.DataFrame,
    weapon_class: str,
    measure: str,
    choices: _Choices,
    rows: _Rows,
    summary: dict,
) -> None:
    """Pool one class and measure by year, fit it when it has enough waves, and record both."""
    every = measure_sample(frame, weapon_class, measure, timed_only=False)
    if len(every):
        rows.by_year.append(
            _pooled(every, "year").reset_index().assign(weapon_class=weapon_class, measure=measure)
        )
    sample = measure_sample(frame, weapon_class, measure, timed_only=choices.timed_only)
    key = f"{weapon_class}_{measure}"
    if len(sample) < choices.min_waves:
        rows.fits.append(
            {
                "weapon_class": weapon_class,
                "measure": measure,
                "n_waves": len(sample),
                "fitted": False,
            }
        )
        summary[f"{key}_n_waves"] = len(sample)
        return
    fit, t = choices.fit(sample)
    coef = fit.coefficients(choices.level).assign(
        weapon_class=weapon_class, measure=measure, n_waves=fit.n_waves
    )
    rows.coefficients.append(coef)
    rows.fits.append(_fit_row(fit, weapon_class, measure, choices.level))
    effect = _effect_row(fit, sample, t, weapon_class, measure, choices)
    rows.effects.append(effect)
    _record_fit(summary, key, coef, fit, effect)
    if measure == "defeat":
        rows.by_salvo.append(_salvo_bins(sample, weapon_class))
        rows.sensitivity.extend(_sensitivity_rows(frame, sample, fit, t, weapon_class, choices))
        _record_spec_range(summary, rows.sensitivity, weapon_class)


def _fit_row(fit: InterceptionFit, weapon_class: str, measure: str, level: float) -> dict:
    """One row of the ``fits`` table: the sample, pooled rate, rho and fit diagnostics."""
    low, high = fit.rho_ci(level)
    return {
        "weapon_class": weapon_class,
        "measure": measure,
        "n_waves": fit.n_waves,
        "fitted": True,
        "launched": fit.launched,
        "successes": fit.successes,
        "pooled_rate": fit.successes / fit.launched,
        "rho": fit.rho,
        "rho_ci_low": low,
        "rho_ci_high": high,
        "pearson_dispersion": fit.dispersion,
        "converged": fit.converged,
        "loglike": fit.loglike,
        "interval": fit.interval,
        "boot_failed": fit.boot_failed,
    }


def _effect_row(
    fit: InterceptionFit,
    sample: pd.DataFrame,
    t: np.ndarray,
    weapon_class: str,
    measure: str,
    choices: _Choices,
) -> dict:
    """One row of the ``effects`` table: doubling the median salvo at the median date."""
    salvo_ref = float(np.median(sample["launched"]))
    t_ref = float(np.median(t))
    return {
        "weapon_class": weapon_class,
        "measure": measure,
        "salvo": salvo_ref,
        "salvo_doubled": 2 * salvo_ref,
        "reference_date": choices.origin + pd.Timedelta(days=round(t_ref * DAYS_PER_YEAR)),
        **doubling_effect(fit, salvo_ref, t_ref, choices.level),
    }


def doubling_interval(waves_sample: pd.DataFrame, **options) -> tuple[float, float, float]:
    """The doubling effect in percentage points with its interval, ``(change, low, high)``,
    by the code path of the report (:func:`interception_model`).

    ``waves_sample``: one row per wave of one class, with ``date`` (calendar months are the
    bootstrap's clusters), ``launched`` (> 0) and ``successes`` (defeated, at most launched;
    ``defeated`` is used when there is no ``successes`` column, as in
    :func:`simulate_interception`). Time is counted from the first date; the effect is taken
    at the median salvo and median date. ``options``: ``interval``, ``n_boot``,
    ``block_months``, ``seed`` and ``level``.
    """
    sample = waves_sample
    if "successes" not in sample:
        sample = sample.assign(successes=sample["defeated"])
    dates = as_timestamps(sample["date"])
    sample = sample.assign(date=dates)
    choices = _Choices(dates.min(), True, 0, **{"level": 0.95, **options})
    fit, t = choices.fit(sample)
    salvo, years = float(np.median(sample["launched"])), float(np.median(t))
    effect = doubling_effect(fit, salvo, years, choices.level)
    return effect["change_points"], effect["change_ci_low"], effect["change_ci_high"]


def _record_fit(
    summary: dict, key: str, coef: pd.DataFrame, fit: InterceptionFit, effect: dict
) -> None:
    """The salvo coefficient, rho, dispersion and doubling effect of one fit, rounded."""
    b = coef[(coef["model"] == "beta_binomial") & (coef["term"] == "log2_salvo")].iloc[0]
    summary[f"{key}_n_waves"] = fit.n_waves
    summary[f"{key}_log2_salvo"] = round(float(b["estimate"]), 4)
    summary[f"{key}_log2_salvo_ci_low"] = round(float(b["ci_low"]), 4)
    summary[f"{key}_log2_salvo_ci_high"] = round(float(b["ci_high"]), 4)
    summary[f"{key}_rho"] = round(fit.rho, 4)
    summary[f"{key}_pearson_dispersion"] = round(fit.dispersion, 3)
    summary[f"{key}_doubling_points"] = round(float(effect["change_points"]), 2)
    summary[f"{key}_doubling_points_ci_low"] = round(float(effect["change_ci_low"]), 2)
    summary[f"{key}_doubling_points_ci_high"] = round(float(effect["change_ci_high"]), 2)
    summary[f"{key}_doubling_points_ci_low_model"] = round(effect["change_ci_low_model"], 2)
    summary[f"{key}_doubling_points_ci_high_model"] = round(effect["change_ci_high_model"], 2)
    summary[f"{key}_interval"] = fit.interval


def _sensitivity_rows(
    frame: pd.DataFrame,
    sample: pd.DataFrame,
    fit: InterceptionFit,
    t: np.ndarray,
    weapon_class: str,
    choices: _Choices,
) -> list[dict]:
    """The defeat-rate salvo coefficient of the main fit and of each other choice, with each
    choice's doubling effect in points at the main sample's median salvo and median date.
    The other choices keep their model intervals (they are compared by their estimates)."""
    variants = [("main", fit, "beta_binomial"), ("quasi_binomial", fit, "quasi_binomial")]
    other = measure_sample(frame, weapon_class, "defeat", timed_only=not choices.timed_only)
    if len(other) >= choices.min_waves and len(other) != len(sample):
        other_t = _years(other["date"], choices.origin)
        variants.append(
            (
                "all_waves" if choices.timed_only else "timed_waves",
                fit_interception(other["launched"], other["successes"], other_t, interval="model"),
                "beta_binomial",
            )
        )
    variants.append(
        (
            "year_effects",
            fit_interception(
                sample["launched"], sample["successes"], t, time="year", interval="model"
            ),
            "beta_binomial",
        )
    )
    salvo, years = float(np.median(sample["launched"])), float(np.median(t))
    return [
        _sensitivity_row(vfit, variant, model, weapon_class, choices.level)
        | {"doubling_points": spec_doubling_points(vfit, model, salvo, years)}
        for variant, vfit, model in variants
    ]


def spec_doubling_points(fit: InterceptionFit, model: str, salvo: float, years: float) -> float:
    """The doubling effect in points of any fit (linear time or one level per year, either
    model's coefficients) at ``salvo`` and ``years`` since the origin; NaN when the year of
    ``years`` has no level."""
    params = fit.params if model == "beta_binomial" else fit.qb_params
    coef = dict(zip(fit.terms, params, strict=True))
    if "years" in coef:
        eta = coef["const"] + coef["log2_salvo"] * np.log2(salvo) + coef["years"] * years
    else:
        level = coef.get(f"year{int(np.floor(years))}")
        if level is None:
            return float("nan")
        eta = level + coef["log2_salvo"] * np.log2(salvo)
    return float(100 * (expit(eta + coef["log2_salvo"]) - expit(eta)))


def _sensitivity_row(
    fit: InterceptionFit, variant: str, model: str, weapon_class: str, level: float
) -> dict:
    """The salvo coefficient of one variant's fit."""
    row = fit.coefficients(level)
    row = row[(row["model"] == model) & (row["term"] == "log2_salvo")].iloc[0]
    return {
        "weapon_class": weapon_class,
        "variant": variant,
        "n_waves": fit.n_waves,
        "estimate": row["estimate"],
        "ci_low": row["ci_low"],
        "ci_high": row["ci_high"],
        "p_value": row["p_value"],
    }


def _record_spec_range(summary: dict, sensitivity: list[dict], weapon_class: str) -> None:
    """The lowest and highest doubling effect over the reasonable specifications."""
    points = [
        r["doubling_points"]
        for r in sensitivity
        if r["weapon_class"] == weapon_class and np.isfinite(r["doubling_points"])
    ]
    if points:
        key = f"{weapon_class}_defeat_doubling_points_spec"
        summary[f"{key}_min"] = round(float(min(points)), 2)
        summary[f"{key}_max"] = round(float(max(points)), 2)
        summary[f"{key}_count"] = len(points)


def _ordered(parts: list[pd.DataFrame], columns: list[str] | None = None) -> pd.DataFrame:
    """The parts stacked (empty when there are none), with ``columns`` in order when given."""
    table = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    if columns is not None and len(table):
        table = table.loc[:, columns]
    return table


def _record_defeat_rates(summary: dict, by_year: pd.DataFrame) -> None:
    """The pooled observed defeat rate of every class and year, rounded."""
    if not len(by_year):
        return
    pooled = by_year[(by_year["measure"] == "defeat")]
    for row in pooled.itertuples(index=False):
        summary[f"{row.weapon_class}_defeat_rate_{row.year}"] = round(float(row.rate), 4)


def _salvo_bins(sample: pd.DataFrame, weapon_class: str) -> pd.DataFrame:
    edges = SALVO_BINS[weapon_class]
    labels = [
        f"{int(lo)}+" if np.isinf(hi) else f"{int(lo)}-{int(hi) - 1}"
        for lo, hi in zip(edges[:-1], edges[1:], strict=True)
    ]
    bins = pd.cut(sample["launched"], edges, right=False, labels=labels)
    out = (
        _pooled(sample, bins)
        .reset_index(names="salvo")
        .assign(weapon_class=weapon_class, measure="defeat")
    )
    return out.loc[
        :,
        [
            "weapon_class",
            "measure",
            "salvo",
            "waves",
            "launched",
            "successes",
            "rate",
            "ci_low",
            "ci_high",
        ],
    ]


def _headline(summary: dict, classes: Sequence[str]) -> None:
    parts = []
    for weapon_class in classes:
        key = f"{weapon_class}_defeat"
        if f"{key}_doubling_points" not in summary:
            continue
        parts.append(
            f"{weapon_class}: doubling the salvo changes the defeat rate by "
            f"{summary[f'{key}_doubling_points']:+.1f} points "
            f"(95% CI {summary[f'{key}_doubling_points_ci_low']:+.1f} to "
            f"{summary[f'{key}_doubling_points_ci_high']:+.1f})"
        )
    summary["headline"] = "; ".join(parts)


ASSUMPTIONS = (
    "Defeat rate = (destroyed + not_reach_goal) / launched per wave and class (headline); "
    "kinetic-only = destroyed / launched, for strike drones only in waves whose drone "
    "not_reach_goal > 0 (split reported), for missiles in every wave.",
    "Missiles: not_reach_goal is mostly empty, so a missile's defeat is in practice its "
    "destroyed count; missile destroyed is taken to mean shot down throughout.",
    "Beta-binomial regression by maximum likelihood: logit of the mean defeat rate linear in "
    "log2(salvo of the class) and years since the first wave; one intra-wave correlation rho "
    "per model.",
    "Confidence intervals (95%) are Newey-West over calendar months with fixed-b critical "
    "values: each wave's pull on the estimates is summed per month (waves of one month share "
    "weather, targets and defences) and the variance allows for months that resemble their "
    "neighbours (Bartlett kernel, bandwidth ceil(1.3 sqrt(months))). In simulations with "
    "dependence between waves and between months these intervals held their nominal level, "
    "where a bootstrap of whole months (interval='cluster_bootstrap') did not. The Wald "
    "intervals from the numerical Hessian, which treat waves as independent, are kept beside "
    "them (ci_low_model, ci_high_model) and are narrower.",
    "Sample: timed waves with at least one of the class launched; waves with missing counts, "
    "with destroyed allocated across classes, or with a lumped mixed row that includes the "
    "class are excluded; destroyed + not_reach_goal above launched is capped at launched.",
    "The doubling effect is evaluated at the sample's median salvo and median date.",
)
CAVEATS = (
    "Reporting practice changed: before 2024-07 the drone not_reach_goal is empty (drones lost "
    "to electronic warfare are either inside destroyed or not counted; the data do not say "
    "which), from 2024-07 to 2025-07 they are split out, and from 2025-08 'destroyed' means "
    "downed or suppressed with not_reach_goal 0. The defeat rate is the only measure that is "
    "comparable across these periods; the headline uses it.",
    "From 2025 the strike-drone counts include decoys (Gerbera and others) that the data do not "
    "separate; a decoy that is shot down or lost counts as defeated.",
    "Observational association, not a causal saturation effect: large salvos and small ones "
    "differ in targets (defended cities against front-line regions), routes and in how fully "
    "they are reported; targets and defence coverage are not in the data, so the salvo "
    "coefficient mixes saturation with these differences.",
    "The kinetic-only drone sample (split-reporting waves) is mostly 2024-09 to 2025-07 and "
    "selects waves that reported a split.",
    "Ballistic missiles also hide in mixed_missile rows (S-300/400 and Iskander-M lumped, "
    "mostly 2026); those waves are excluded, so the 2026 ballistic sample is thin and "
    "ballistic salvos in the remaining waves can still be part of a larger combined attack.",
    "The Wilson intervals of the pooled yearly rates treat weapons as independent; waves are "
    "over-dispersed, so the true uncertainty is larger.",
)


def simulate_interception(
    n_waves: int = 300,
    *,
    slope: float = -0.3,
    intercept: float = 2.5,
    time_slope: float = 0.0,
    rho: float = 0.05,
    salvo_range: tuple[float, float] = (2, 600),
    years: float = 3.0,
    not_reach_share: float = 0.3,
    origin: str = "2022-10-01",
    month_share: float = 0.0,
    ar: float = 0.0,
    salvo_month_sd: float = 0.0,
    seed: int | None = None,
) -> tuple[pd.DataFrame, dict[str, float]]:
    """Waves with a known saturation slope: ``n`` log-uniform on ``salvo_range`` (times a
    factor common to the calendar month, log-normal with sd ``salvo_month_sd``, so that large
    salvos come in runs as in the real data), the wave's
    defeat share ``p ~ Beta(mu (1 - rho) / rho, (1 - mu) (1 - rho) / rho)`` with
    ``logit(mu) = intercept + slope * log2(n) + time_slope * t``, ``k ~ Binomial(n, p)``
    (``rho = 0``: plain binomial). The waves' shares may be dependent while each keeps that
    beta distribution (a Gaussian copula, :func:`~analysis.models.salvo.dependent_normals`:
    ``month_share`` of the latent variance common to a calendar month, AR(1) ``ar`` from wave
    to wave), so the mean model stays exactly true. A share ``not_reach_share`` of the
    defeated is reported as ``not_reach_goal``. Returns a :func:`class_waves`-like table (all
    timed, all eligible) and the truth (``intercept``, ``slope``, ``time_slope``, ``rho``)."""
    rng = np.random.default_rng(seed)
    lo, hi = np.log(salvo_range[0]), np.log(salvo_range[1])
    t = np.sort(rng.uniform(0.0, years, n_waves))
    dates = pd.Timestamp(origin) + pd.to_timedelta(np.round(t * DAYS_PER_YEAR), unit="D")
    months = month_codes(dates)
    log_n = rng.uniform(lo, hi, n_waves)
    if salvo_month_sd:
        log_n = log_n + salvo_month_sd * rng.standard_normal(int(months.max()) + 1)[months]
    n = np.maximum(1, np.round(np.exp(log_n))).astype("int64")
    mu = expit(intercept + slope * np.log2(n) + time_slope * t)
    if rho > 0:
        size = (1 - rho) / rho
        if month_share or ar:
            latent = dependent_normals(dates, month_share=month_share, ar=ar, rng=rng)
            p = stats.beta.ppf(stats.norm.cdf(latent), mu * size, (1 - mu) * size)
        else:
            p = rng.beta(mu * size, (1 - mu) * size)
    else:
        p = mu
    k = rng.binomial(n, p)
    lost = rng.binomial(k, not_reach_share)
    frame = pd.DataFrame(
        {
            "wave_id": np.arange(n_waves),
            "date": dates,
            "year": dates.year,
            "time_known": True,
            "launched": n,
            "destroyed": k - lost,
            "not_reach_goal": lost,
            "split_reported": lost > 0,
            "counts_missing": False,
            "allocated_across_classes": False,
            "mixed_in_wave": False,
            "eligible": True,
            "defeated": k,
            "kinetic": k - lost,
            "capped": False,
        }
    )
    truth = {"intercept": intercept, "slope": slope, "time_slope": time_slope, "rho": rho}
    return frame, truth


def true_doubling_points(truth: dict[str, float], salvo: float, years: float) -> float:
    """The doubling effect in points that :func:`simulate_interception`'s ``truth`` implies at
    ``salvo`` and ``years`` since its origin."""
    eta = truth["intercept"] + truth["slope"] * np.log2(salvo) + truth["time_slope"] * years
    return float(100 * (expit(eta + truth["slope"]) - expit(eta)))


@dataclass(frozen=True)
class RecentShare:
    """The share of a class defeated over the last ``months`` complete calendar months
    (``first``..``last`` month starts): ``share`` with its ``low``/``high`` interval at
    ``level``, from ``waves`` waves and ``launched`` weapons."""

    weapon_class: str
    months: int
    first: pd.Timestamp | None
    last: pd.Timestamp | None
    share: float
    low: float
    high: float
    waves: int
    launched: int
    level: float = 0.95


def _complete_months(dates: pd.Series, months: int) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The first and last month starts of the last ``months`` complete calendar months of
    ``dates`` (the month of the last date counts only when that date is its last day)."""
    last_day = pd.Timestamp(dates.max())
    last = last_day.to_period("M")
    if last_day != last.end_time.normalize():
        last -= 1
    return (last - (months - 1)).start_time, last.start_time


def recent_defeat_share(
    waves: pd.DataFrame,
    strikes: pd.DataFrame,
    weapon_class: str = STRIKE_DRONE,
    *,
    months: int = 3,
    level: float = 0.95,
) -> RecentShare:
    """The pooled defeat rate (defeated / launched, timed and untimed waves) of a class over
    the last ``months`` complete months, with a Newey-West interval over the waves in time
    order and a fixed-b critical value: a wave's defeat share resembles its neighbours'
    (the same defences, weather and targets), so waves are not independent trials.

    Each wave's influence on the ratio ``R = sum k / sum n`` is ``(k - R n) / sum n``; its
    Bartlett long-run variance (bandwidth ``ceil(1.3 sqrt(waves))``) gives the standard
    error, and the critical value is the fixed-b one for a mean at the influence's own lag-1
    correlation. The interval is clipped to [0, 1]."""
    frame = class_waves(waves, strikes, weapon_class)
    sample = measure_sample(frame, weapon_class, "defeat", timed_only=False)
    nan = float("nan")
    if sample.empty:
        return RecentShare(weapon_class, months, None, None, nan, nan, nan, 0, 0, level)
    dates = as_timestamps(sample["date"])
    first, last = _complete_months(dates, months)
    inside = ((dates >= first) & (dates < last + pd.offsets.MonthBegin(1))).to_numpy()
    chosen = sample[inside].assign(_date=dates[inside]).sort_values("_date", kind="stable")
    n = chosen["launched"].to_numpy(float)
    k = chosen["successes"].to_numpy(float)
    share, low, high = ratio_interval(n, k, level)
    return RecentShare(
        weapon_class, months, first, last, share, low, high, len(n), int(n.sum()), level
    )


#: Fewest waves for a ratio's interval: with fewer, the Newey-West variance means nothing.
MIN_RATIO_WAVES = 3


def ratio_interval(n: np.ndarray, k: np.ndarray, level: float = 0.95) -> tuple[float, float, float]:
    """The pooled share ``R = sum k / sum n`` of waves in time order with a Newey-West interval
    (Bartlett, bandwidth ``ceil(1.3 sqrt(waves))``) and the fixed-b critical value of a mean at
    the influence's own lag-1 correlation, clipped to [0, 1]; NaN with fewer than
    :data:`MIN_RATIO_WAVES` waves or nothing launched."""
    n, k = np.asarray(n, dtype=float), np.asarray(k, dtype=float)
    nan = float("nan")
    if len(n) < MIN_RATIO_WAVES or n.sum() <= 0:
        return nan, nan, nan
    share = float(k.sum() / n.sum())
    influence = (k - share * n) / n.sum()
    bandwidth = hac_bandwidth(len(n))
    se = float(np.sqrt(bartlett_sum(influence, bandwidth)))
    rho = ar1_for_critical_value(influence)
    critical = max(
        fixed_b_critical_value(len(n), bandwidth, 0.0, level=level, design="location"),
        fixed_b_critical_value(len(n), bandwidth, rho, level=level, design="location"),
    )
    return share, max(0.0, share - critical * se), min(1.0, share + critical * se)


def monthly_defeat_share(
    waves: pd.DataFrame,
    strikes: pd.DataFrame,
    weapon_class: str = STRIKE_DRONE,
    *,
    level: float = 0.95,
) -> pd.DataFrame:
    """Per complete calendar month, the pooled share of a class defeated (every wave with the
    class) with its :func:`ratio_interval`: ``month, waves, launched, defeated, share, low,
    high`` (NaN interval for months with fewer than :data:`MIN_RATIO_WAVES` waves). The month
    of the last wave counts only when that wave falls on the month's last day."""
    frame = class_waves(waves, strikes, weapon_class)
    sample = measure_sample(frame, weapon_class, "defeat", timed_only=False)
    columns = ["month", "waves", "launched", "defeated", "share", "low", "high"]
    if sample.empty:
        return pd.DataFrame(columns=columns)
    dates = as_timestamps(sample["date"])
    sample = sample.assign(_date=dates, month=dates.dt.to_period("M").dt.start_time)
    last_complete = _complete_months(dates, 1)[1]
    sample = sample[sample["month"] <= last_complete]  # a month still running is left out
    rows = []
    for month, part in sample.sort_values("_date", kind="stable").groupby("month"):
        n, k = part["launched"].to_numpy(float), part["successes"].to_numpy(float)
        share, low, high = ratio_interval(n, k, level)
        if not np.isfinite(share) and n.sum() > 0:
            share = float(k.sum() / n.sum())
        rows.append([month, len(n), int(n.sum()), int(k.sum()), share, low, high])
    return pd.DataFrame(rows, columns=columns)
