"""Interval properties: containment, nesting across confidence levels, finite population behaviour."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

import analysis as A

EPS = 1e-12
INFINITE = ["wilson", "wilsoncc", "exact", "jeffreys", "agresti-coull"]
FINITE = ["wilson", "exact", "adjusted-wald"]


@st.composite
def samples(draw, max_n=2000):
    n = draw(st.integers(1, max_n))
    x = draw(st.integers(0, n))
    return x, n


@st.composite
def finite_samples(draw, max_population=3000):
    population = draw(st.integers(2, max_population))
    n = draw(st.integers(2, population))
    x = draw(st.integers(0, n))
    return x, n, population


@given(sample=samples(), method=st.sampled_from(INFINITE), confidence=st.floats(0.5, 0.999))
def test_interval_contains_estimate(sample, method, confidence):
    x, n = sample
    interval = A.proportion_interval(x, n, confidence=confidence, method=method)
    assert 0.0 <= interval.low <= x / n + EPS
    assert x / n - EPS <= interval.high <= 1.0


@given(sample=finite_samples(), method=st.sampled_from(["wilson", "exact"]))
def test_finite_interval_contains_estimate(sample, method):
    x, n, population = sample
    interval = A.proportion_interval(x, n, population=population, method=method)
    assert 0.0 <= interval.low <= x / n + EPS
    assert x / n - EPS <= interval.high <= 1.0


@given(
    sample=samples(),
    method=st.sampled_from(INFINITE),
    levels=st.tuples(st.floats(0.5, 0.999), st.floats(0.5, 0.999)).map(sorted),
)
def test_interval_widens_with_confidence(sample, method, levels):
    x, n = sample
    narrow = A.proportion_interval(x, n, confidence=levels[0], method=method)
    wide = A.proportion_interval(x, n, confidence=levels[1], method=method)
    assert wide.low <= narrow.low + EPS
    assert wide.high >= narrow.high - EPS


@given(
    sample=finite_samples(),
    method=st.sampled_from(FINITE),
    levels=st.tuples(st.floats(0.5, 0.999), st.floats(0.5, 0.999)).map(sorted),
)
def test_finite_interval_widens_with_confidence(sample, method, levels):
    x, n, population = sample
    narrow = A.proportion_interval(x, n, confidence=levels[0], method=method, population=population)
    wide = A.proportion_interval(x, n, confidence=levels[1], method=method, population=population)
    assert wide.low <= narrow.low + EPS
    assert wide.high >= narrow.high - EPS


@given(sample=finite_samples(), confidence=st.floats(0.5, 0.999))
def test_wilson_fpc_lies_inside_plain_wilson(sample, confidence):
    x, n, population = sample
    plain = A.proportion_interval(x, n, confidence=confidence)
    fpc = A.proportion_interval(x, n, confidence=confidence, population=population)
    assert plain.low - EPS <= fpc.low <= fpc.high <= plain.high + EPS


@given(sample=samples(max_n=3000), method=st.sampled_from(["wilson", "exact"]))
def test_census_collapses_to_the_observed_rate(sample, method):
    x, n = sample
    interval = A.proportion_interval(x, n, population=n, method=method)
    assert interval.low == pytest.approx(x / n, abs=EPS)
    assert interval.high == pytest.approx(x / n, abs=EPS)


def test_exact_census_counts():
    interval = A.proportion_interval(972, 1043, population=1043, method="exact")
    assert (interval.low_count, interval.high_count) == (972, 972)


@pytest.mark.parametrize("method", INFINITE)
@pytest.mark.parametrize(("x", "n"), [(0, 1), (1, 1), (0, 50), (50, 50), (1, 2)])
def test_edges_stay_in_unit_interval(method, x, n):
    interval = A.proportion_interval(x, n, method=method)
    assert 0.0 <= interval.low <= interval.high <= 1.0
    if x == n and method != "agresti-coull":
        assert interval.high == 1.0
    if x == 0 and method != "agresti-coull":
        assert interval.low == 0.0


def test_jeffreys_edges_are_set():
    assert A.proportion_interval(0, 10, method="jeffreys").low == 0.0
    assert A.proportion_interval(10, 10, method="jeffreys").high == 1.0


def test_interval_is_frozen():
    interval = A.proportion_interval(3, 10)
    with pytest.raises(AttributeError):
        interval.low = 0.0  # type: ignore[misc]


def test_long_hiep_wilson_fpc_is_narrower_than_binomial():
    plain = A.proportion_interval(972, 1043)
    fpc = A.proportion_interval(972, 1043, population=1269)
    assert fpc.high - fpc.low < 0.5 * (plain.high - plain.low)
    assert fpc.low > 0.9
