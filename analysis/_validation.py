"""Shared input checks for the statistics package (private)."""

from __future__ import annotations

import math
import numbers
from decimal import Decimal
from fractions import Fraction

from scipy.special import ndtri

__all__ = [
    "check_confidence",
    "check_count",
    "check_positive",
    "check_sample",
    "to_fraction",
    "z_value",
]


def check_count(value: object, name: str) -> int:
    """Return `value` as an int after checking it is a non-negative integer."""
    if type(value) is int and value >= 0:  # fast path: tallies build hundreds of thousands of counts
        return value
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    value = int(value)
    if value < 0:
        raise ValueError(f"{name} must be non-negative, got {value}")
    return value


def check_sample(successes: object, trials: object, population: object = None) -> tuple[int, int, int | None]:
    """Check ``0 <= successes <= trials`` (``<= population`` when given) and return them as ints."""
    x = check_count(successes, "successes")
    n = check_count(trials, "trials")
    if x > n:
        raise ValueError(f"successes ({x}) cannot exceed trials ({n})")
    if population is None:
        return x, n, None
    big_n = check_count(population, "population")
    if n > big_n:
        raise ValueError(f"trials ({n}) cannot exceed population ({big_n})")
    return x, n, big_n


def check_positive(value: object, name: str) -> float:
    """Check that `value` is a positive real number and return it as a float."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not value > 0:
        raise ValueError(f"{name} must be a positive number, got {value!r}")
    return float(value)


def check_confidence(confidence: object) -> float:
    """Check that the confidence level is a real number strictly between 0 and 1."""
    if isinstance(confidence, bool) or not isinstance(confidence, numbers.Real):
        raise ValueError(f"confidence must be a number, got {confidence!r}")
    level = float(confidence)
    if not 0.0 < level < 1.0:
        raise ValueError(f"confidence must lie strictly between 0 and 1, got {confidence!r}")
    return level


def z_value(confidence: float) -> float:
    """Return the two-sided standard normal quantile for `confidence`."""
    return float(ndtri(0.5 + 0.5 * confidence))


def to_fraction(value: object, name: str = "threshold") -> Fraction:
    """Read a rate in [0, 1] exactly; a float is read through its decimal repr (0.9 -> 9/10)."""
    if isinstance(value, bool):
        raise ValueError(f"{name} must be a number or a decimal string, got {value!r}")
    try:
        if isinstance(value, float):
            if not math.isfinite(value):
                raise ValueError
            result = Fraction(repr(float(value)))
        elif isinstance(value, str):
            result = Fraction(value.strip())
        elif isinstance(value, (Fraction, Decimal, numbers.Rational)):
            result = Fraction(value)
        else:
            raise ValueError
    except (ValueError, ZeroDivisionError, ArithmeticError):
        raise ValueError(f"{name} must be a finite number or a decimal string, got {value!r}") from None
    if not 0 <= result <= 1:
        raise ValueError(f"{name} must lie in [0, 1], got {value!r}")
    return result
