"""The vectorised outlier-village test agrees with the village-at-a-time function it replaced (issue 18):
the same p-values and spreads to 1e-12, the same villages flagged in the same order."""
import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.integrity import content
from analysis.integrity.content import outlier_villages
from tests.analysis import _outlier_reference as reference


def close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


@st.composite
def communes(draw, max_villages: int = 25):
    """Villages (code, respondents, satisfied): small and large, alike and apart, repeated counts."""
    size = draw(st.integers(1, max_villages))
    pool = draw(st.lists(st.integers(1, 3000), min_size=1, max_size=4))  # few sizes: equal counts recur
    rows = []
    for index in range(size):
        n = draw(st.sampled_from(pool) | st.integers(0, 3000))
        share = draw(st.sampled_from([0.0, 0.5, 0.9, 0.95, 1.0]) | st.floats(0, 1))
        x = draw(st.integers(0, n) | st.just(round(n * share)))
        rows.append((f"v{index}", n, x))
    return rows


@settings(max_examples=100)
@given(communes(), st.sampled_from([0.0, 0.1, content.MIN_SPREAD, 0.6]))
def test_one_round_has_the_same_p_values_and_spreads(rows, min_spread):
    rows = [row for row in rows if row[1]]
    if len(rows) < 2 or sum(x for *_, x in rows) in (0, sum(n for _, n, _ in rows)):
        return
    n = np.array([r[1] for r in rows], dtype=np.int64)
    x = np.array([r[2] for r in rows], dtype=np.int64)
    p_values, spreads = content._round(n, x, float(min_spread))
    for (p_value, *_rest, spread), new_p, new_spread in zip(reference.round_tests(rows, min_spread), p_values,
                                                            spreads, strict=True):
        assert close(p_value, float(new_p)) and close(spread, float(new_spread))


def _agree_or_tied(old: list, new: tuple, trace: list) -> None:
    """Same villages in the same order; a different choice only between villages whose p-values tie."""
    for index, (code, evidence) in enumerate(old):
        if index >= len(new):
            break
        if new[index].subject != code:  # two villages with equal p-values (up to rounding): either is right
            p_values = {t[1]: t[0] for t in trace[index]}
            assert close(p_values[code], p_values[new[index].subject]), (code, new[index].subject)
            return
        for key, value in evidence.items():
            found = new[index].evidence[key]
            assert close(value, found) if isinstance(value, float) else value == found, key
    assert len(old) == len(new) or any(
        len({round(t[0], 12) for t in tests}) < len(tests) for tests in trace)


@settings(max_examples=100)
@given(communes(), st.sampled_from([0.001, 0.05, 0.5]))
def test_the_same_villages_are_flagged_in_the_same_order(rows, alpha):
    trace: list = []
    old = reference.outlier_villages(rows, alpha=alpha, trace=trace)
    _agree_or_tied(old, outlier_villages(rows, alpha=alpha), trace)


def test_planted_outliers_and_equal_villages():
    # two villages with the same counts tie exactly: the first is flagged first, as before
    rows = [(f"v{i}", 400, 376 + i % 5) for i in range(30)] + [("low", 400, 300), ("high", 400, 400),
                                                              ("twin", 400, 300)]
    old = reference.outlier_villages(rows, alpha=0.05)
    new = outlier_villages(rows, alpha=0.05)
    assert [code for code, _ in old] == [i.subject for i in new] == ["high", "low", "twin"]
    for (_code, evidence), indicator in zip(old, new, strict=True):
        assert close(evidence["p_value"], indicator.evidence["p_value"])
