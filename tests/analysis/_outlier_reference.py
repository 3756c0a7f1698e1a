"""The outlier-village test as it was before it was vectorised (issue 18): one village at a time, exact
variance and mean (``statistics``), one pair of SciPy calls per village. Kept as the reference the array
version must agree with; ``trace`` collects each round's p-values."""
import math
import statistics

import numpy as np
from scipy.stats import binom, chi2

from analysis.integrity.content import _NODES, _WEIGHTS, MIN_SPREAD


def logit(x: int, n: int) -> tuple[float, float]:
    return math.log((x + 0.5) / (n - x + 0.5)), 1 / (x + 0.5) + 1 / (n - x + 0.5)


def spread(others, floor: float) -> float:
    if len(others) < 3:
        return floor
    logits = [logit(x, n) for _code, n, x in others]
    sample = statistics.variance(value for value, _var in logits)
    upper = sample * (len(logits) - 1) / chi2.ppf(0.1, len(logits) - 1)
    excess = upper - statistics.fmean(var for _value, var in logits)
    return max(floor, math.sqrt(excess) if excess > 0 else 0.0)


def tails(x: int, n: int, centre: float, scale: float) -> tuple[float, float]:
    p = 1 / (1 + np.exp(-(centre + scale * _NODES)))
    return float(_WEIGHTS @ binom.cdf(x, n, p)), float(_WEIGHTS @ binom.sf(x - 1, n, p))


def round_tests(rows, min_spread: float = MIN_SPREAD) -> list[tuple]:
    """(p-value, code, n, x, rest n, rest x, spread) of every village of ``rows`` ((code, n, x)) in one round."""
    total_n, total_x = sum(n for _, n, _ in rows), sum(x for _, _, x in rows)
    tests = []
    for index, (code, n, x) in enumerate(rows):
        rest_n, rest_x = total_n - n, total_x - x
        centre, variance = logit(rest_x, rest_n)
        s = spread(rows[:index] + rows[index + 1:], float(min_spread))
        low, high = tails(x, n, centre, math.sqrt(s ** 2 + variance))
        tests.append((min(1.0, 2 * min(low, high)), code, n, x, rest_n, rest_x, s))
    return tests


def outlier_villages(units, *, alpha: float = 0.001, min_spread: float = MIN_SPREAD, trace=None) -> list[dict]:
    """The flagged villages as (code, evidence) in order, as the old function found them."""
    rows = [(code, n, x) for code, n, x in units if n]
    tested, found = len(rows), []
    while len(rows) >= 2:
        total_n, total_x = sum(n for _, n, _ in rows), sum(x for _, _, x in rows)
        if total_x in (0, total_n):
            break
        tests = round_tests(rows, min_spread)
        if trace is not None:
            trace.append(tests)
        worst = min(range(len(tests)), key=lambda i: tests[i][0])
        p_value, code, n, x, rest_n, rest_x, s = tests[worst]
        adjusted = min(1.0, p_value * tested)
        if adjusted >= alpha:
            break
        found.append((code, {"respondents": n, "satisfied": x, "rate": x / n, "rest_respondents": rest_n,
                             "rest_rate": rest_x / rest_n,
                             "direction": "above" if x * rest_n > rest_x * n else "below", "spread": s,
                             "p_value": p_value, "adjusted_p_value": adjusted, "alpha": alpha}))
        del rows[worst]
    return found
