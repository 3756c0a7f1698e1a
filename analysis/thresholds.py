"""Exact threshold checks: the legal test is arithmetic, never a rounded percentage."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from ._validation import check_sample, to_fraction

__all__ = ["meets", "to_fraction"]


def meets(successes: int, trials: int, threshold: float | str | Decimal | Fraction) -> bool:
    """Decide exactly whether ``successes / trials >= threshold``.

    Parameters
    ----------
    successes, trials : int
        Counts with ``0 <= successes <= trials``.
    threshold : float, str, Decimal or Fraction
        Rate in [0, 1]. A float is read through its decimal repr, so ``0.9`` means 9/10.

    Returns
    -------
    bool
        False when `trials` is 0 (nothing observed cannot meet a threshold).
    """
    x, n, _ = check_sample(successes, trials)
    t = to_fraction(threshold)
    if n == 0:
        return False
    return Fraction(x, n) >= t
