"""Stratified estimate of a satisfaction rate, villages (thôn) as strata.

p_st = sum W_h p_h, v(p_st) = sum W_h^2 (1 - f_h) p_h q_h / (n_h - 1), df = n - H: the estimator of
R ``survey`` with ``svydesign(ids=~1, strata=~thon, fpc=~N_h)``. The estimate is computed
exactly (fractions) and then rounded once to float.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction

from scipy.special import expit, logit
from scipy.stats import t as student_t

from ._validation import check_confidence, check_sample
from .hypergeometric import BINOMIAL_LIMIT, count_limits, half_alpha

__all__ = ["STRATIFIED_METHODS", "StratifiedEstimate", "stratified_proportion"]

#: Interval methods on the stratified estimate.
STRATIFIED_METHODS = ("logit-t", "wald-t")
#: The fallback used when the design variance is 0 at an estimate of 0 or 1 with at most one village
#: partly surveyed (its exact interval, exact counts elsewhere).
EXACT_FALLBACK = "exact-hypergeometric"
#: The same beyond `analysis.hypergeometric.EXACT_MAX_POPULATION` households: its binomial limit.
EXACT_LIMIT_FALLBACK = "exact-binomial-limit"
#: The fallback when the design variance is 0 at another estimate (every partly surveyed village at
#: 0 % or 100 %, or with one respondent) or no degrees of freedom are left: exact limits per village,
#: Bonferroni-combined.
STRATA_FALLBACK = "exact-hypergeometric-strata"
#: The same when some village is above the exact size bound and its binomial limit was used.
STRATA_LIMIT_FALLBACK = "exact-binomial-limit-strata"
#: The last resort for a partly surveyed population whose interval would still have zero width: the
#: rates if every household that did not answer were dissatisfied / satisfied.
NONRESPONSE_FALLBACK = "nonresponse-bounds"


@dataclass(frozen=True, slots=True)
class StratifiedEstimate:
    """Stratified rate with its design-based uncertainty and the edge cases that shaped it.

    Attributes
    ----------
    estimate, standard_error, low, high : float
        Rate, its standard error and confidence limits, all over the estimable strata.
    confidence : float
        Confidence level of the interval.
    degrees_of_freedom : int
        n - H over the strata with at least one respondent.
    design_effect : float or None
        Kish deff = v_design / v_SRS, with v_SRS = (1 - n/N) p q / (n - 1) for the same estimable
        households; None when v_SRS is 0 or undefined.
    interval_method : str
        ``wald-t`` or ``logit-t`` as asked, unless a fallback was needed:

        - ``exact-hypergeometric`` when the design variance is 0 at an estimate of 0 or 1 and at most
          one village was partly surveyed: that village's exact interval plus the exact counts of the
          others (``exact-binomial-limit`` above `analysis.hypergeometric.EXACT_MAX_POPULATION`).
          The counts of several partly surveyed villages are never pooled into one sample: with
          unequal shares surveyed, a pooled interval would overstate what is known;
        - ``exact-hypergeometric-strata`` when the design variance is 0 with several villages partly
          surveyed, or at another estimate although some village was partly surveyed (each such
          village at 0 % or 100 %, or with a single respondent), or when no degrees of freedom are
          left (one respondent per village): the exact hypergeometric limits of every partly
          surveyed village,
          each at level 1 - alpha/K for K such villages (Bonferroni), summed over the villages, so
          that the interval holds with at least the stated confidence;
        - ``nonresponse-bounds`` when the interval would still have zero width although not every
          household answered: from the rate if every household on the list that did not answer
          (villages without respondents included) were dissatisfied to the rate if all were
          satisfied. It assumes nothing about who answered.

        A zero-width interval is returned only when every household on the list answered.
    households, respondents, satisfied : int
        Totals over the estimable strata.
    unestimable_strata : tuple of int
        Indices of strata with no respondent. They are left out and the weights of the others are
        renormalised; `unestimable_weight` is the share of all households they hold.
    single_respondent_strata : tuple of int
        Indices of strata with one respondent and f_h < 1: the variance term is undefined and is
        left out, so `variance_complete` is False and the standard error is understated.
    census_strata : tuple of int
        Indices of strata where every household answered (variance term 0).
    """

    estimate: float
    standard_error: float
    low: float
    high: float
    confidence: float
    degrees_of_freedom: int
    design_effect: float | None
    interval_method: str
    households: int
    respondents: int
    satisfied: int
    unestimable_strata: tuple[int, ...]
    unestimable_weight: float
    single_respondent_strata: tuple[int, ...]
    census_strata: tuple[int, ...]
    variance_complete: bool


def _checked_strata(strata: Iterable[Sequence[int]]) -> list[tuple[int, int, int]]:
    """Validate the (households, respondents, satisfied) tuples."""
    checked = []
    for index, stratum in enumerate(strata):
        if isinstance(stratum, (str, bytes)) or len(stratum) != 3:
            raise ValueError(f"stratum {index} must be a (households, respondents, satisfied) tuple")
        households, respondents, satisfied = stratum
        try:
            x, n, big_n = check_sample(satisfied, respondents, households)
        except ValueError as error:
            raise ValueError(f"stratum {index}: {error}") from None
        checked.append((big_n, n, x))
    if not checked:
        raise ValueError("at least one stratum is required")
    return checked


def _strata_limits(strata: list[tuple[int, int, int]], limit: Fraction) -> tuple[float, float, str]:
    """Sum the exact count limits of the partly surveyed strata, each at alpha/2 / K (Bonferroni).

    Every stratum's interval holds with probability at least 1 - alpha/K, so all K hold together
    with probability at least 1 - alpha, and so does their sum; fully surveyed strata add their
    exact count. Strata above the exact size bound use the binomial limit and the label says so.
    """
    partial = [s for s in strata if s[1] < s[0]]
    share = limit / max(1, len(partial))
    low = high = sum(x_h for big_n_h, n_h, x_h in strata if n_h == big_n_h)
    used = STRATA_FALLBACK
    for big_n_h, n_h, x_h in partial:
        low_h, high_h, route = count_limits(x_h, n_h, big_n_h, share)
        low, high = low + low_h, high + high_h
        if route == BINOMIAL_LIMIT:
            used = STRATA_LIMIT_FALLBACK
    total = sum(s[0] for s in strata)
    return low / total, high / total, used


def _variance(estimable: list[tuple[int, tuple[int, int, int]]], big_n: int) -> tuple[float, list, list]:
    """The stratified variance of the estimate, with the single-respondent and fully surveyed strata."""
    variance = 0.0
    single, census = [], []
    for index, (big_n_h, n_h, x_h) in estimable:
        weight = big_n_h / big_n
        p_h = x_h / n_h
        if n_h == big_n_h:
            census.append(index)
        elif n_h == 1:
            single.append(index)
        else:
            variance += weight**2 * (1.0 - n_h / big_n_h) * p_h * (1.0 - p_h) / (n_h - 1)
    return variance, single, census


def _interval(strata: list[tuple[int, int, int]], estimate: float, variance: float, df: int, level: float,
              method: str) -> tuple[float, float, str]:
    """The interval of the estimate and its method: logit-t or Wald-t, else the exact fallbacks."""
    limit = half_alpha(level)
    if variance == 0.0 or df == 0:
        low, high, used = _strata_limits(strata, limit)
        if estimate in (0.0, 1.0) and variance == 0.0 and sum(s[1] < s[0] for s in strata) <= 1:
            used = EXACT_LIMIT_FALLBACK if used == STRATA_LIMIT_FALLBACK else EXACT_FALLBACK
        return low, high, used
    se = math.sqrt(variance)
    t_quantile = float(student_t.ppf(0.5 + 0.5 * level, df))
    if method == "wald-t":
        return max(0.0, estimate - t_quantile * se), min(1.0, estimate + t_quantile * se), method
    centre = float(logit(estimate))
    half = t_quantile * se / (estimate * (1.0 - estimate))
    return float(expit(centre - half)), float(expit(centre + half)), method


def stratified_proportion(
    strata: Iterable[Sequence[int]], *, confidence: float = 0.95, method: str = "logit-t"
) -> StratifiedEstimate:
    """Estimate the rate over all households, villages as strata.

    Parameters
    ----------
    strata : iterable of (households, respondents, satisfied)
        One tuple per village: N_h, n_h, x_h.
    confidence : float, default 0.95
        Two-sided confidence level.
    method : {"logit-t", "wald-t"}, default "logit-t"
        Interval on the estimate with n - H degrees of freedom; Wald-t limits are clipped to [0, 1].

    Raises
    ------
    ValueError
        On invalid tuples, an unknown method, or when no stratum has a respondent.
    """
    checked = _checked_strata(strata)
    level = check_confidence(confidence)
    if method not in STRATIFIED_METHODS:
        raise ValueError(
            f"unknown stratified interval method {method!r}; expected one of {STRATIFIED_METHODS}"
        )
    unestimable = tuple(i for i, (_, n, _) in enumerate(checked) if n == 0)
    estimable = [(i, s) for i, s in enumerate(checked) if s[1] > 0]
    if not estimable:
        raise ValueError("no stratum has respondents: the rate cannot be estimated")
    all_households = sum(s[0] for s in checked)
    big_n = sum(s[0] for _, s in estimable)
    n = sum(s[1] for _, s in estimable)
    x = sum(s[2] for _, s in estimable)

    estimate = float(sum(Fraction(big_n_h * x_h, n_h) for _, (big_n_h, n_h, x_h) in estimable) / big_n)
    variance, single, census = _variance(estimable, big_n)
    se = math.sqrt(variance)
    df = n - len(estimable)

    v_srs = (1.0 - n / big_n) * estimate * (1.0 - estimate) / (n - 1) if n > 1 else 0.0
    deff = variance / v_srs if v_srs > 0.0 else None

    low, high, used = _interval([s for _, s in estimable], estimate, variance, df, level, method)
    all_respondents = sum(s[1] for s in checked)
    if all_respondents < all_households and not low < high:
        low, high = x / all_households, (x + all_households - all_respondents) / all_households
        used = NONRESPONSE_FALLBACK
    return StratifiedEstimate(
        estimate=estimate,
        standard_error=se,
        low=low,
        high=high,
        confidence=level,
        degrees_of_freedom=df,
        design_effect=deff,
        interval_method=used,
        households=big_n,
        respondents=n,
        satisfied=x,
        unestimable_strata=unestimable,
        unestimable_weight=(all_households - big_n) / all_households if all_households else 0.0,
        single_respondent_strata=tuple(single),
        census_strata=tuple(census),
        variance_complete=not single,
    )
