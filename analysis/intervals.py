"""One entry point for confidence intervals on a single proportion."""

from __future__ import annotations

from dataclasses import dataclass

from ._validation import check_confidence, check_sample, z_value
from .binomial import (
    agresti_coull_limits,
    clopper_pearson_limits,
    jeffreys_limits,
    wilson_cc_limits,
    wilson_limits,
)
from .finite_population import adjusted_wald_fpc, wilson_fpc_limits
from .hypergeometric import BINOMIAL_LIMIT, count_limits, half_alpha

__all__ = ["EXACT_BINOMIAL_LIMIT", "FINITE_METHODS", "INFINITE_METHODS", "Interval", "proportion_interval"]

#: Methods for a sample treated as drawn from an infinite population (no `population`).
INFINITE_METHODS = ("wilson", "wilsoncc", "exact", "jeffreys", "agresti-coull")
#: Methods that use the finite population correction (need `population`).
FINITE_METHODS = ("wilson", "exact", "adjusted-wald")
#: The method reported by ``exact`` with a population above
#: `analysis.hypergeometric.EXACT_MAX_POPULATION`: the binomial limit of the hypergeometric interval.
EXACT_BINOMIAL_LIMIT = "exact-binomial-limit"


@dataclass(frozen=True, slots=True)
class Interval:
    """A two-sided confidence interval for a proportion.

    Attributes
    ----------
    low, high : float
        Limits as proportions in [0, 1].
    method : str
        Method key as passed to `proportion_interval`, except ``exact-binomial-limit`` when ``exact``
        was asked with a population above `analysis.hypergeometric.EXACT_MAX_POPULATION`: the work
        is then bounded by taking the interval's binomial limit (Clopper–Pearson on the counts,
        scaled to households), which is wider than the exact interval by about 0.5 * sqrt(n) / N.
    confidence : float
        Confidence level.
    estimate : float
        Point estimate: x/n, except (x + 2)/(n + 4) for ``adjusted-wald``.
    successes, trials : int
        The counts the interval was computed from.
    population : int or None
        Households on the list when the finite population correction was used.
    standard_error : float or None
        Standard error for the Wald-type methods, None for score and exact methods.
    low_count, high_count : int or None
        For ``exact`` with a population: limits on the number of satisfied households (ties with
        alpha/2 decided exactly, see `analysis.hypergeometric`).
    """

    low: float
    high: float
    method: str
    confidence: float
    estimate: float
    successes: int
    trials: int
    population: int | None = None
    standard_error: float | None = None
    low_count: int | None = None
    high_count: int | None = None


def proportion_interval(
    successes: int,
    trials: int,
    *,
    confidence: float = 0.95,
    method: str = "wilson",
    population: int | None = None,
) -> Interval:
    """Return a confidence interval for ``successes / trials``.

    Parameters
    ----------
    successes, trials : int
        Satisfied respondents and respondents (``trials >= 1``).
    confidence : float, default 0.95
        Two-sided confidence level in (0, 1).
    method : str, default "wilson"
        Without `population`: ``wilson``, ``wilsoncc``, ``exact`` (Clopper–Pearson), ``jeffreys``,
        ``agresti-coull``. With `population`: ``wilson`` (Wilson-FPC, O'Neill 2021), ``exact``
        (hypergeometric acceptance set), ``adjusted-wald`` (Bonett, with FPC).
    population : int, optional
        Households on the list N; switches to finite-population methods.

    Raises
    ------
    ValueError
        On invalid counts, a confidence outside (0, 1), an unknown method, or a method that does not
        match the presence of `population`.
    """
    x, n, big_n = check_sample(successes, trials, population)
    level = check_confidence(confidence)
    if n == 0:
        raise ValueError("trials must be positive to compute an interval")
    allowed = INFINITE_METHODS if big_n is None else FINITE_METHODS
    if method not in allowed:
        where = "without a population" if big_n is None else "with a population"
        raise ValueError(f"unknown interval method {method!r} {where}; expected one of {', '.join(allowed)}")
    z = z_value(level)
    common = {"method": method, "confidence": level, "successes": x, "trials": n, "population": big_n}
    if big_n is None:
        if method == "wilson":
            low, high = wilson_limits(x / n, n, z)
        elif method == "wilsoncc":
            low, high = wilson_cc_limits(x, n, z)
        elif method == "exact":
            low, high = clopper_pearson_limits(x, n, level)
        elif method == "jeffreys":
            low, high = jeffreys_limits(x, n, level)
        else:
            low, high = agresti_coull_limits(x, n, z)
        return Interval(low, high, estimate=x / n, **common)
    if method == "wilson":
        low, high = wilson_fpc_limits(x, n, big_n, z)
        return Interval(low, high, estimate=x / n, **common)
    if method == "exact":
        low_count, high_count, route = count_limits(x, n, big_n, half_alpha(level))
        if route == BINOMIAL_LIMIT:
            common["method"] = EXACT_BINOMIAL_LIMIT
        return Interval(
            low_count / big_n,
            high_count / big_n,
            estimate=x / n,
            low_count=low_count,
            high_count=high_count,
            **common,
        )
    estimate, se, low, high = adjusted_wald_fpc(x, n, big_n, z)
    return Interval(low, high, estimate=estimate, standard_error=se, **common)
