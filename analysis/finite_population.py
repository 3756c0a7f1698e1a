"""Finite-population inference for one unit: most households answer, so the FPC matters.

Notation: N households on the list, n respondents, x satisfied. The exact hypergeometric route (ties
decided exactly, work bounded by the population size) lives in `analysis.hypergeometric`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from ._validation import check_sample, to_fraction
from .binomial import wilson_limits
from .hypergeometric import EXACT, threshold_p_value

__all__ = [
    "NonresponseBounds",
    "ThresholdTest",
    "adjusted_wald_fpc",
    "nonresponse_bounds",
    "threshold_test",
    "wilson_fpc_limits",
]


def wilson_fpc_limits(x: int, n: int, population: int, z: float) -> tuple[float, float]:
    """Return Wilson limits with n replaced by n* = n(N - 1)/(N - n) (O'Neill 2021)."""
    p = x / n
    if n == population:
        return p, p
    n_star = n * (population - 1) / (population - n)
    return wilson_limits(p, n_star, z)


def _fpc_factor(n: int, population: int) -> float:
    """Return (N - n)/(N - 1), defined as 0 for a census."""
    return 0.0 if n == population else (population - n) / (population - 1)


def adjusted_wald_fpc(x: int, n: int, population: int, z: float) -> tuple[float, float, float, float]:
    """Return Bonett's adjusted Wald with FPC as (estimate, standard error, low, high).

    The estimate is (x + 2)/(n + 4), as in R statpsych ``ci.prop.fpc``; limits are clipped to [0, 1].
    """
    estimate = (x + 2) / (n + 4)
    se = math.sqrt(estimate * (1.0 - estimate) / (n + 4) * _fpc_factor(n, population))
    return estimate, se, max(0.0, estimate - z * se), min(1.0, estimate + z * se)


@dataclass(frozen=True, slots=True)
class ThresholdTest:
    """Exact one-sided test of "population satisfaction >= threshold".

    Attributes
    ----------
    successes, trials, population : int
        Satisfied respondents, respondents and households on the list.
    threshold : Fraction
        The tested rate t, read exactly.
    null_count : int
        M0 - 1 with M0 = ceil(t * N): the largest number of satisfied households under the null.
    p_value : float
        P(X >= x | M = M0 - 1); 0 when the null is empty (t = 0).
    method : str
        ``exact`` (hypergeometric), or ``binomial-limit`` beyond
        `analysis.hypergeometric.EXACT_MAX_POPULATION` households, where P(X >= x) is taken from
        Binomial(n, (M0 - 1)/N) so that the work stays bounded.
    """

    successes: int
    trials: int
    population: int
    threshold: Fraction
    null_count: int
    p_value: float
    method: str = EXACT


def threshold_test(
    successes: int, trials: int, population: int, threshold: float | str | Decimal | Fraction
) -> ThresholdTest:
    """Test exactly whether at least a share `threshold` of all households is satisfied.

    The null hypothesis is M < ceil(t * N); small p-values support "threshold met in the population".
    """
    x, n, big_n = check_sample(successes, trials, population)
    if big_n == 0:
        raise ValueError("population must be positive")
    t = to_fraction(threshold)
    m0 = math.ceil(t * big_n)  # exact: Fraction arithmetic
    if m0 == 0:
        return ThresholdTest(x, n, big_n, t, -1, 0.0)
    p_value, method = threshold_p_value(x, n, big_n, m0 - 1)
    return ThresholdTest(x, n, big_n, t, m0 - 1, min(1.0, max(0.0, p_value)), method)


@dataclass(frozen=True, slots=True)
class NonresponseBounds:
    """Rates if every non-respondent were dissatisfied (`worst`) or satisfied (`best`)."""

    successes: int
    respondents: int
    population: int
    worst: float
    best: float


def nonresponse_bounds(successes: int, respondents: int, population: int) -> NonresponseBounds:
    """Return the worst/best case rates x/N and (x + N - n)/N over all households."""
    x, n, big_n = check_sample(successes, respondents, population)
    if big_n == 0:
        raise ValueError("population must be positive")
    return NonresponseBounds(x, n, big_n, x / big_n, (x + big_n - n) / big_n)
