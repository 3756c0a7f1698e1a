"""The exact hypergeometric interval for the number M of satisfied households, with bounded work.

Acceptance-set convention over the feasible ``M`` in ``[x, N - (n - x)]``:
``L = min{M : P(X >= x | M) > alpha/2}`` and ``U = max{M : P(X <= x | M) > alpha/2}``.

Ties are decided exactly. A tail can equal alpha/2 exactly (0 of 1 respondent from 40 households at
50 %: P(X <= 0 | M = 30) = 10/40 = 1/4), and the strict comparison must then not hang on the last bit
of a float. SciPy's tails agree with exact rational arithmetic to about 1e-14 (relative); a tail
within `TIE_TOLERANCE` of alpha/2 is recomputed as a fraction with integer arithmetic, with alpha read
exactly from the confidence level's decimal form (0.95 -> 1/40 for alpha/2). When that computation
would be too large (`EXACT_TIE_MAX_BITS`, `EXACT_TIE_MAX_WORK`), the near-tie is counted inside the
acceptance set: the interval can then only widen, never narrow.

Work is bounded. SciPy's hypergeometric tail costs time roughly proportional to N (7 s for the
interval at N = 10^11 with n = 100, 168 s at 10^12). Beyond `EXACT_MAX_POPULATION` households the
interval is its binomial limit (Clopper–Pearson on x of n), labelled ``binomial-limit``: the limit
leaves out the finite population correction, so it is never narrower than the exact interval in any
case measured (docs/statistics.md), and differs from it by about 0.5 * sqrt(n) / N at 95 %.

SciPy's ``hypergeom`` takes ``(k, M=population size, n=successes in population, N=draws)``; the
wrappers here hide that trap.
"""

from __future__ import annotations

import functools
import math
from fractions import Fraction
from typing import NamedTuple

from scipy.stats import binom, hypergeom

from ._validation import to_fraction
from .binomial import clopper_pearson_limits

__all__ = [
    "EXACT_MAX_POPULATION",
    "CountLimits",
    "count_limits",
    "exact_prob_at_least",
    "half_alpha",
    "prob_at_least",
    "prob_at_most",
    "threshold_p_value",
]

#: Largest population (households on the list) for which the exact hypergeometric route runs; above
#: it the binomial limit is used. About 25 ms for the whole interval at this size (docs/statistics.md).
EXACT_MAX_POPULATION = 10**7
#: Relative distance from alpha/2 within which a floating-point tail is re-decided exactly.
TIE_TOLERANCE = 1e-9
#: Exact tie decisions are made while log2 C(N, n) is at most this many bits ...
EXACT_TIE_MAX_BITS = 30_000
#: ... and (terms summed) x (bits) stays at most this: a few tens of milliseconds.
EXACT_TIE_MAX_WORK = 30_000_000

#: Steps walked over the single pmf term at x = 0 or x = n before bisection takes over.
WALK_STEPS = 256

EXACT = "exact"
BINOMIAL_LIMIT = "binomial-limit"


class CountLimits(NamedTuple):
    """Limits (L, U) on the number of satisfied households and the route that computed them."""

    low: int
    high: int
    method: str


def half_alpha(confidence: float) -> Fraction:
    """Return alpha/2 exactly, the confidence level read through its decimal form (0.95 -> 1/40)."""
    return (1 - to_fraction(confidence, "confidence")) / 2


def prob_at_least(x: int, n: int, population: int, satisfied: int) -> float:
    """Return P(X >= x) for n draws from `population` holding `satisfied` successes."""
    return float(hypergeom.sf(x - 1, population, satisfied, n))


def prob_at_most(x: int, n: int, population: int, satisfied: int) -> float:
    """Return P(X <= x) for n draws from `population` holding `satisfied` successes."""
    return float(hypergeom.cdf(x, population, satisfied, n))


def _support(n: int, population: int, satisfied: int) -> tuple[int, int]:
    return max(0, n - (population - satisfied)), min(n, satisfied)


def _terms(x: int, n: int, population: int, satisfied: int) -> int:
    """How many pmf terms the shorter of P(X >= x) and its complement sums."""
    low, high = _support(n, population, satisfied)
    upper = max(0, high - max(x, low) + 1)
    lower = max(0, min(x, high + 1) - low)
    return min(upper, lower)


def _bits(n: int, population: int) -> float:
    """log2 C(N, n), the size of the integers an exact tail is made of."""
    return (math.lgamma(population + 1) - math.lgamma(n + 1) - math.lgamma(population - n + 1)) / math.log(2)


def _sum_pmf_numerators(first: int, last: int, n: int, population: int, satisfied: int) -> int:
    """Return sum over k in [first, last] of C(M, k) C(N - M, n - k), by the exact ratio recurrence."""
    if first > last:
        return 0
    rest = population - satisfied
    term = math.comb(satisfied, first) * math.comb(rest, n - first)
    total = term
    for k in range(first, last):
        term = term * (satisfied - k) * (n - k) // ((k + 1) * (rest - n + k + 1))
        total += term
    return total


def exact_prob_at_least(x: int, n: int, population: int, satisfied: int) -> Fraction:
    """Return P(X >= x) as an exact fraction, summing the shorter side of the distribution."""
    low, high = _support(n, population, satisfied)
    if x <= low:
        return Fraction(1)
    if x > high:
        return Fraction(0)
    whole = math.comb(population, n)
    if high - x + 1 <= x - low:
        return Fraction(_sum_pmf_numerators(x, high, n, population, satisfied), whole)
    return 1 - Fraction(_sum_pmf_numerators(low, x - 1, n, population, satisfied), whole)


def _exact_affordable(x: int, n: int, population: int, satisfied: int) -> bool:
    bits = max(_bits(n, population), 64.0)
    return bits <= EXACT_TIE_MAX_BITS and _terms(x, n, population, satisfied) * bits <= EXACT_TIE_MAX_WORK


def _tail_exceeds(tail: float, x_at_least: int, n: int, population: int, satisfied: int,
                  limit: Fraction, *, upper_tail: bool) -> bool:
    """Decide ``tail > limit`` where `tail` is P(X >= x_at_least) (or its complement, P(X < x_at_least)).

    Far from the limit the float decides; near it the exact fraction does, or, when that is too
    costly, the answer is True (M stays in the acceptance set, so the interval can only widen).
    """
    bound = float(limit)
    if abs(tail - bound) > TIE_TOLERANCE * bound:
        return tail > bound
    if not _exact_affordable(x_at_least, n, population, satisfied):
        return True
    exact = exact_prob_at_least(x_at_least, n, population, satisfied)
    return (exact if upper_tail else 1 - exact) > limit


def _accepts_low(x: int, n: int, population: int, satisfied: int, limit: Fraction) -> bool:
    """Whether P(X >= x | M) > alpha/2."""
    return _tail_exceeds(prob_at_least(x, n, population, satisfied), x, n, population, satisfied, limit,
                         upper_tail=True)


def _accepts_high(x: int, n: int, population: int, satisfied: int, limit: Fraction) -> bool:
    """Whether P(X <= x | M) > alpha/2."""
    return _tail_exceeds(prob_at_most(x, n, population, satisfied), x + 1, n, population, satisfied, limit,
                         upper_tail=False)


def _binomial_limit(x: int, n: int, population: int, limit: Fraction) -> CountLimits:
    """The limit of the acceptance set as N grows with n fixed: Clopper–Pearson, scaled to counts."""
    low_rate, high_rate = clopper_pearson_limits(x, n, float(1 - 2 * limit))
    first, last = x, population - (n - x)
    point = Fraction(x * population, n)  # the estimate in households, which the limits must hold
    low = max(first, min(math.ceil(low_rate * population), math.floor(point)))
    high = min(last, max(math.floor(high_rate * population), math.ceil(point)))
    return CountLimits(low, high, BINOMIAL_LIMIT)


def _all_satisfied_lower(n: int, population: int, limit: Fraction) -> int | None:
    """At x = n, ``min{M : P(X = n | M) > alpha/2}`` without SciPy, or None to leave it to bisection.

    P(X = n | M) = C(M, n) / C(N, n) is one product, and neighbours follow from
    P(X = n | M - 1) = P(X = n | M) (M - n) / M. The walk starts at N (P = 1) when n is large, where
    the limit is a few households away, and otherwise at the guess N (alpha/2)^(1/n); it gives up
    after `WALK_STEPS` steps or on underflow.
    """
    accepts = functools.partial(_tail_exceeds, x_at_least=n, n=n, population=population, limit=limit,
                                upper_tail=True)
    if n > WALK_STEPS:
        m, p = population, 1.0
    else:
        m = min(population, max(n, math.ceil(population * float(limit) ** (1.0 / n))))
        p = math.prod((m - i) / (population - i) for i in range(n))
    if p == 0.0:
        return None
    if accepts(p, satisfied=m):
        for _ in range(WALK_STEPS):
            if m == n:
                return m
            following = p * (m - n) / m
            if not accepts(following, satisfied=m - 1):
                return m
            m, p = m - 1, following
        return None
    for _ in range(WALK_STEPS):  # P(X = n | N) = 1 is accepted, so the walk up ends by N
        m, p = m + 1, p * (m + 1) / (m + 1 - n)
        if accepts(p, satisfied=m):
            return m
    return None


def count_limits(x: int, n: int, population: int, limit: Fraction) -> CountLimits:
    """Return the acceptance-set limits (L, U) for the number of satisfied households.

    `limit` is alpha/2 as an exact fraction (`half_alpha`). Counts must already be valid with
    ``n >= 1``. Both tails are monotone in M, so each limit is found by bisection; at x = 0 the lower
    limit and at x = n the upper one are the feasible ends without any evaluation, and the other
    limit (one pmf term, the common case of a village at 0 % or 100 %) is first sought by a short
    walk over that term (`_all_satisfied_lower`), much cheaper than SciPy's tail.
    """
    if population > EXACT_MAX_POPULATION:
        return _binomial_limit(x, n, population, limit)
    first, last = x, population - (n - x)
    if x == 0:
        lower = first
    else:
        lower = _all_satisfied_lower(n, population, limit) if x == n else None
        if lower is None:
            lo, hi = first, last  # P(X >= x | last) = 1, so a lower limit exists
            while lo < hi:
                mid = (lo + hi) // 2
                if _accepts_low(x, n, population, mid, limit):
                    hi = mid
                else:
                    lo = mid + 1
            lower = lo
    if x == n:
        upper = last
    else:
        # At x = 0, by symmetry (count the dissatisfied): P(X = 0 | M) = P(X' = n | N - M).
        mirrored = _all_satisfied_lower(n, population, limit) if x == 0 else None
        upper = None if mirrored is None else population - mirrored
        if upper is None:
            lo, hi = first, last  # P(X <= x | first) = 1, so an upper limit exists
            while lo < hi:
                mid = (lo + hi + 1) // 2
                if _accepts_high(x, n, population, mid, limit):
                    lo = mid
                else:
                    hi = mid - 1
            upper = lo
    return CountLimits(lower, upper, EXACT)


def threshold_p_value(x: int, n: int, population: int, null_count: int) -> tuple[float, str]:
    """Return P(X >= x | M = null_count) and the route: exact, or the binomial limit beyond the size bound."""
    if population > EXACT_MAX_POPULATION:
        return float(binom.sf(x - 1, n, null_count / population)), BINOMIAL_LIMIT
    return prob_at_least(x, n, population, null_count), EXACT
