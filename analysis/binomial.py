"""Confidence limits for one proportion when the population is treated as infinite.

Each function takes validated counts (``0 <= x <= n``, ``n >= 1``) and the normal quantile or
confidence level, and returns ``(low, high)``. Plain Wald is deliberately absent: it has zero width
at 100 %, which is the common case in these surveys.
"""

from __future__ import annotations

import math

from scipy.stats import beta

__all__ = [
    "agresti_coull_limits",
    "clopper_pearson_limits",
    "jeffreys_limits",
    "wilson_cc_limits",
    "wilson_limits",
]


def wilson_limits(p: float, n: float, z: float) -> tuple[float, float]:
    """Return the Wilson score limits for the rate `p`; `n` may be an effective (non-integer) size."""
    denom = 2.0 * (n + z * z)
    center = (2.0 * n * p + z * z) / denom
    delta = z / denom * math.sqrt(4.0 * n * p * (1.0 - p) + z * z)
    low = 0.0 if p == 0.0 else max(0.0, center - delta)
    high = 1.0 if p == 1.0 else min(1.0, center + delta)
    return low, high


def wilson_cc_limits(x: int, n: int, z: float) -> tuple[float, float]:
    """Return the Wilson limits with continuity correction (Newcombe 1998, method 4)."""
    p = x / n
    q = 1.0 - p
    denom = 2.0 * (n + z * z)
    center = (2.0 * n * p + z * z) / denom
    if x == 0:
        low = 0.0
    else:
        root = math.sqrt(z * z - 2.0 - 1.0 / n + 4.0 * p * (n * q + 1.0))
        low = max(0.0, center - (1.0 + z * root) / denom)
    if x == n:
        high = 1.0
    else:
        root = math.sqrt(z * z + 2.0 - 1.0 / n + 4.0 * p * (n * q - 1.0))
        high = min(1.0, center + (1.0 + z * root) / denom)
    return low, high


def clopper_pearson_limits(x: int, n: int, confidence: float) -> tuple[float, float]:
    """Return the Clopper–Pearson ("exact") limits from beta quantiles."""
    alpha = 1.0 - confidence
    low = 0.0 if x == 0 else float(beta.ppf(alpha / 2.0, x, n - x + 1))
    high = 1.0 if x == n else float(beta.ppf(1.0 - alpha / 2.0, x + 1, n - x))
    return low, high


def jeffreys_limits(x: int, n: int, confidence: float) -> tuple[float, float]:
    """Return equal-tailed Jeffreys limits, with L = 0 at x = 0 and U = 1 at x = n."""
    alpha = 1.0 - confidence
    low = 0.0 if x == 0 else float(beta.ppf(alpha / 2.0, x + 0.5, n - x + 0.5))
    high = 1.0 if x == n else float(beta.ppf(1.0 - alpha / 2.0, x + 0.5, n - x + 0.5))
    return low, high


def agresti_coull_limits(x: int, n: int, z: float) -> tuple[float, float]:
    """Return Agresti–Coull limits, clipped to [0, 1]."""
    n_tilde = n + z * z
    p_tilde = (x + z * z / 2.0) / n_tilde
    half = z * math.sqrt(p_tilde * (1.0 - p_tilde) / n_tilde)
    return max(0.0, p_tilde - half), min(1.0, p_tilde + half)
