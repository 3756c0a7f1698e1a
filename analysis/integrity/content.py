"""Indicators on what the answers say: full coverage, outlier villages (copied opinions: ``opinions``)."""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable

import numpy as np
from numpy.polynomial.hermite_e import hermegauss
from scipy.stats import binom, chi2

from .._validation import check_count, check_sample
from .indicator import Indicator
from .opinions import NO_OPINION, identical_opinions, normalise_opinion

__all__ = ["NO_OPINION", "full_coverage", "identical_opinions", "normalise_opinion", "outlier_villages"]

#: Villages differ honestly: a village's true rate is taken to scatter at least this much (standard
#: deviation on the logit scale: 0.25 lets a commune at 95 % hold villages from 93.7 % to 96.1 % as one
#: standard deviation) around the other villages' rate, more when the other villages scatter more.
MIN_SPREAD = 0.25
_NODES, _WEIGHTS = hermegauss(60)
_WEIGHTS = _WEIGHTS / _WEIGHTS.sum()


def full_coverage(units: Iterable[tuple[str, int, int]]) -> tuple[Indicator, ...]:
    """Flag villages ``(code, households, respondents)`` where coverage reaches 100 %.

    Exactly 100 % is ``info`` (a full census happens but deserves a look); above 100 % is ``alert``
    (more phiếu than households on the list).
    """
    found = []
    for code, households, respondents in units:
        big_n = check_count(households, "households")
        n = check_count(respondents, "respondents")
        if n and n >= big_n:
            found.append(
                Indicator(
                    "full_coverage",
                    "alert" if n > big_n else "info",
                    code,
                    {"households": big_n, "respondents": n},
                )
            )
    return tuple(found)


def _logit(x: int, n: int) -> tuple[float, float]:
    """Empirical logit of x successes in n trials (half a count added to each side) and its variance."""
    return math.log((x + 0.5) / (n - x + 0.5)), 1 / (x + 0.5) + 1 / (n - x + 0.5)


def _spread(others: list[tuple[str, int, int]], floor: float) -> float:
    """How much villages' true rates scatter on the logit scale, judged from the other villages: an upper
    90 % confidence bound (chi-square, as a handful of villages says little) of the variance of their
    logits, less their mean sampling variance; never below ``floor``."""
    if len(others) < 3:
        return floor
    logits = [_logit(x, n) for _code, n, x in others]
    sample = statistics.variance(value for value, _var in logits)
    upper = sample * (len(logits) - 1) / chi2.ppf(0.1, len(logits) - 1)
    excess = upper - statistics.fmean(var for _value, var in logits)
    return max(floor, math.sqrt(excess) if excess > 0 else 0.0)


def _tails(x: int, n: int, centre: float, spread: float) -> tuple[float, float]:
    """P(X <= x) and P(X >= x) for X binomial(n, p) with logit(p) normal(centre, spread)."""
    p = 1 / (1 + np.exp(-(centre + spread * _NODES)))
    return float(_WEIGHTS @ binom.cdf(x, n, p)), float(_WEIGHTS @ binom.sf(x - 1, n, p))


def outlier_villages(units: Iterable[tuple[str, int, int]], *, alpha: float = 0.001,
                     min_spread: float = MIN_SPREAD) -> tuple[Indicator, ...]:
    """Flag villages ``(code, respondents, satisfied)`` whose rate departs from the other villages' by more
    than villages ordinarily differ.

    Honest villages do not share one true rate, so a plain test of equal rates flags every large survey.
    Each village's count is compared with a binomial whose rate scatters around the other villages' pooled
    rate on the logit scale (normal, standard deviation: the pooled rate's own uncertainty and the spread
    between villages, see `_spread`), two-sided; p-values are Bonferroni-adjusted for the number of
    villages with respondents, and a village is flagged when the adjusted p-value is below `alpha`. The most
    extreme village is flagged first and left out before the next round, so one deviant village does not
    make the others look unusual.
    """
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float)) or not 0 < alpha < 1:
        raise ValueError(f"alpha must lie strictly between 0 and 1, got {alpha!r}")
    if isinstance(min_spread, bool) or not isinstance(min_spread, (int, float)) or not min_spread >= 0:
        raise ValueError(f"min_spread must be a non-negative number, got {min_spread!r}")
    rows = []
    for code, respondents, satisfied in units:
        x, n, _ = check_sample(satisfied, respondents)
        if n:
            rows.append((code, n, x))
    tested, found = len(rows), []
    while len(rows) >= 2:
        total_n, total_x = sum(n for _, n, _ in rows), sum(x for _, _, x in rows)
        if total_x in (0, total_n):
            break  # every answer is the same: nothing stands out
        tests = []
        for index, (code, n, x) in enumerate(rows):
            rest_n, rest_x = total_n - n, total_x - x
            centre, variance = _logit(rest_x, rest_n)
            spread = _spread(rows[:index] + rows[index + 1:], float(min_spread))
            low, high = _tails(x, n, centre, math.sqrt(spread ** 2 + variance))
            tests.append((min(1.0, 2 * min(low, high)), code, n, x, rest_n, rest_x, spread))
        worst = min(range(len(tests)), key=lambda i: tests[i][0])
        p_value, code, n, x, rest_n, rest_x, spread = tests[worst]
        adjusted = min(1.0, p_value * tested)
        if adjusted >= alpha:
            break
        found.append(Indicator("outlier_village", "warning", code, {
            "respondents": n,
            "satisfied": x,
            "rate": x / n,
            "rest_respondents": rest_n,
            "rest_rate": rest_x / rest_n,
            "direction": "above" if x * rest_n > rest_x * n else "below",
            "spread": spread,
            "p_value": p_value,
            "adjusted_p_value": adjusted,
            "alpha": alpha,
        }))
        del rows[worst]
    return tuple(found)
