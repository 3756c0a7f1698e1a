"""Sample size planning: Cochran's formula with the finite population correction."""

from __future__ import annotations

import math
import numbers

from ._validation import check_confidence, check_count, z_value

__all__ = ["sample_size"]

#: Digits kept before rounding up, so that float noise (277.0000000001) does not add a household.
_ROUNDING_DIGITS = 9


def _check_open_unit(value: object, name: str, *, include_one: bool = False) -> float:
    """Check that `value` is a real number in (0, 1), or (0, 1] when `include_one`."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a number, got {value!r}")
    number = float(value)
    upper_ok = number <= 1.0 if include_one else number < 1.0
    if not (number > 0.0 and upper_ok):
        interval = "(0, 1]" if include_one else "(0, 1)"
        raise ValueError(f"{name} must lie in {interval}, got {value!r}")
    return number


def sample_size(
    population: int,
    *,
    margin: float = 0.05,
    expected: float = 0.5,
    confidence: float = 0.95,
    response_rate: float = 1.0,
) -> int:
    """Return the number of households to approach for a target margin of error.

    n0 = z^2 p q / e^2 and n = n0 / (1 + (n0 - 1)/N), rounded up; then divided by the expected
    response rate and rounded up again; never more than the population.

    Parameters
    ----------
    population : int
        Households on the list N (at least 1).
    margin : float, default 0.05
        Half-width e of the interval, in (0, 1).
    expected : float, default 0.5
        Anticipated rate p, in (0, 1); 0.5 is the most conservative.
    confidence : float, default 0.95
        Two-sided confidence level.
    response_rate : float, default 1.0
        Expected share of approached households that answer, in (0, 1].
    """
    big_n = check_count(population, "population")
    if big_n < 1:
        raise ValueError("population must be at least 1")
    e = _check_open_unit(margin, "margin")
    p = _check_open_unit(expected, "expected")
    rate = _check_open_unit(response_rate, "response_rate", include_one=True)
    z = z_value(check_confidence(confidence))
    n0 = z * z * p * (1.0 - p) / (e * e)
    n = math.ceil(round(n0 / (1.0 + (n0 - 1.0) / big_n), _ROUNDING_DIGITS))
    approached = math.ceil(round(n / rate, _ROUNDING_DIGITS))
    return min(big_n, max(1, approached))
