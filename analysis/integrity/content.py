"""Indicators on what the answers say: full coverage, outlier villages (copied opinions: ``opinions``)."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

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


def _logits(x: np.ndarray, n: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Empirical logits of x successes in n trials (half a count added to each side) and their variances."""
    return np.log((x + 0.5) / (n - x + 0.5)), 1 / (x + 0.5) + 1 / (n - x + 0.5)


@lru_cache(maxsize=256)
def _chi2_low(df: int) -> float:
    return float(chi2.ppf(0.1, df))


def _spreads(n: np.ndarray, x: np.ndarray, floor: float) -> np.ndarray:
    """For every village at once, how much villages' true rates scatter on the logit scale, judged from the
    other villages: an upper 90 % confidence bound (chi-square, as a handful of villages says little) of the
    variance of their logits, less their mean sampling variance; never below ``floor``.

    Each village's others are taken in one canonical order (sorted by counts), so villages with the same
    counts get bit-for-bit the same spread, as their exact computation would.
    """
    k = len(n)
    if k - 1 < 3:
        return np.full(k, floor)
    order = np.lexsort((x, n))
    ranked_n, ranked_x = n[order], x[order]
    starts = np.ones(k, dtype=bool)
    starts[1:] = (ranked_n[1:] != ranked_n[:-1]) | (ranked_x[1:] != ranked_x[:-1])
    first = np.empty(k, dtype=np.int64)  # each village's place: the first of its counts in the sorted order
    first[order] = np.maximum.accumulate(np.where(starts, np.arange(k), 0))
    place = np.arange(k - 1)
    others = order[place + (place >= first[:, None])]  # row i: every village but (one with) i's counts
    values, variances = _logits(x, n)
    logits, sampling = values[others], variances[others]
    centred = logits - logits.mean(axis=1)[:, None]
    sample = (centred * centred).sum(axis=1) / (k - 2)
    excess = sample * (k - 2) / _chi2_low(k - 2) - sampling.mean(axis=1)
    return np.maximum(floor, np.sqrt(np.where(excess > 0, excess, 0.0)))


def _round(n: np.ndarray, x: np.ndarray, floor: float) -> tuple[np.ndarray, np.ndarray]:
    """Two-sided p-values of every village against the others (one array computation), and the spreads.

    A village's count is compared with X binomial(n, p), logit(p) normal around the other villages' pooled
    logit with the spread and that logit's own variance; the tails are averaged over 60 Gauss-Hermite
    nodes, each village's row summed in the same order.
    """
    rest_n, rest_x = n.sum() - n, x.sum() - x
    centre, variance = _logits(rest_x, rest_n)
    spread = _spreads(n, x, floor)
    scale = np.sqrt(spread ** 2 + variance)
    p = 1 / (1 + np.exp(-(centre[:, None] + scale[:, None] * _NODES)))
    low = (binom.cdf(x[:, None], n[:, None], p) * _WEIGHTS).sum(axis=1)
    high = (binom.sf(x[:, None] - 1, n[:, None], p) * _WEIGHTS).sum(axis=1)
    return np.minimum(1.0, 2 * np.minimum(low, high)), spread


def outlier_villages(units: Iterable[tuple[str, int, int]], *, alpha: float = 0.001,
                     min_spread: float = MIN_SPREAD) -> tuple[Indicator, ...]:
    """Flag villages ``(code, respondents, satisfied)`` whose rate departs from the other villages' by more
    than villages ordinarily differ.

    Honest villages do not share one true rate, so a plain test of equal rates flags every large survey.
    Each village's count is compared with a binomial whose rate scatters around the other villages' pooled
    rate on the logit scale (normal, standard deviation: the pooled rate's own uncertainty and the spread
    between villages, see `_spreads`), two-sided; p-values are Bonferroni-adjusted for the number of
    villages with respondents, and a village is flagged when the adjusted p-value is below `alpha`. The most
    extreme village is flagged first and left out before the next round, so one deviant village does not
    make the others look unusual. Each round tests every village in one array computation (``_round``).
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
    codes = [code for code, _n, _x in rows]
    n = np.array([n for _code, n, _x in rows], dtype=np.int64)
    x = np.array([x for _code, _n, x in rows], dtype=np.int64)
    while len(codes) >= 2:
        total_n, total_x = int(n.sum()), int(x.sum())
        if total_x in (0, total_n):
            break  # every answer is the same: nothing stands out
        p_values, spreads = _round(n, x, float(min_spread))
        worst = int(np.argmin(p_values))
        p_value, code, vn, vx = float(p_values[worst]), codes[worst], int(n[worst]), int(x[worst])
        rest_n, rest_x = total_n - vn, total_x - vx
        adjusted = min(1.0, p_value * tested)
        if adjusted >= alpha:
            break
        found.append(Indicator("outlier_village", "warning", code, {
            "respondents": vn,
            "satisfied": vx,
            "rate": vx / vn,
            "rest_respondents": rest_n,
            "rest_rate": rest_x / rest_n,
            "direction": "above" if vx * rest_n > rest_x * vn else "below",
            "spread": float(spreads[worst]),
            "p_value": p_value,
            "adjusted_p_value": adjusted,
            "alpha": alpha,
        }))
        del codes[worst]
        n, x = np.delete(n, worst), np.delete(x, worst)
    return tuple(found)
