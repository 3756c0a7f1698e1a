"""Exact hypergeometric interval: ties with alpha/2 decided exactly, and work bounded by the population size."""

import math
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import analysis as A
from analysis import hypergeometric as H


def _tail_at_least(x, n, population, satisfied):
    """P(X >= x) as a fraction, summed term by term from binomial coefficients (the reference)."""
    total = sum(math.comb(satisfied, k) * math.comb(population - satisfied, n - k) for k in range(x, n + 1))
    return Fraction(total, math.comb(population, n))


def _reference_limits(x, n, population, confidence):
    """The acceptance set by brute force over every feasible M, in exact rational arithmetic."""
    half = (1 - Fraction(repr(confidence))) / 2
    feasible = range(x, population - (n - x) + 1)
    low = min(m for m in feasible if _tail_at_least(x, n, population, m) > half)
    high = max(m for m in feasible if 1 - _tail_at_least(x + 1, n, population, m) > half)
    return low, high


@pytest.mark.parametrize(
    ("x", "n", "population", "confidence", "low", "high"),
    [
        (0, 1, 40, 0.5, 0, 29),  # P(X <= 0 | M = 30) = 10/40 = alpha/2 exactly: 30 is rejected
        (1, 1, 40, 0.5, 11, 40),  # P(X >= 1 | M = 10) = 10/40
        (3, 3, 5, 0.8, 4, 5),  # P(X >= 3 | M = 3) = 1/10
        (3, 3, 6, 0.9, 4, 6),  # P(X >= 3 | M = 3) = 1/20
    ],
)
def test_ties_with_half_alpha_are_decided_exactly(x, n, population, confidence, low, high):
    interval = A.proportion_interval(x, n, method="exact", population=population, confidence=confidence)
    assert (interval.low_count, interval.high_count) == (low, high)
    assert (low, high) == _reference_limits(x, n, population, confidence)
    assert (interval.low, interval.high) == (low / population, high / population)


#: Confidence levels whose alpha/2 is a simple fraction, where exact ties happen.
TIE_PRONE = st.one_of(st.integers(1, 99).map(lambda k: k / 100), st.integers(1, 39).map(lambda k: k / 40),
                      st.sampled_from([0.5, 0.8, 0.9, 0.95, 0.98, 0.99]))


@st.composite
def small_samples(draw, max_population=40):
    population = draw(st.integers(1, max_population))
    n = draw(st.integers(1, population))
    return draw(st.integers(0, n)), n, population


@settings(max_examples=300)
@given(sample=small_samples(), confidence=TIE_PRONE)
def test_limits_match_exact_rational_reference(sample, confidence):
    x, n, population = sample
    interval = A.proportion_interval(x, n, method="exact", population=population, confidence=confidence)
    assert (interval.low_count, interval.high_count) == _reference_limits(x, n, population, confidence)


def _reference_limits_at(x, n, population, half):
    feasible = range(x, population - (n - x) + 1)
    low = min(m for m in feasible if _tail_at_least(x, n, population, m) > half)
    high = max(m for m in feasible if 1 - _tail_at_least(x + 1, n, population, m) > half)
    return low, high


@settings(max_examples=300)
@given(sample=small_samples(), data=st.data())
def test_limits_at_a_tail_value_match_the_reference(sample, data):
    """alpha/2 set to an exact tail probability of the sample itself: every draw holds a tie."""
    x, n, population = sample
    satisfied = data.draw(st.integers(x, population - (n - x)))
    upper = data.draw(st.booleans())
    tail = _tail_at_least(x, n, population, satisfied)
    half = tail if upper else 1 - _tail_at_least(x + 1, n, population, satisfied)
    if not 0 < half < Fraction(1, 2):
        return
    low, high, method = H.count_limits(x, n, population, half)
    assert method == "exact"
    assert (low, high) == _reference_limits_at(x, n, population, half)


def test_every_small_population_matches_the_reference_at_levels_of_five_percent():
    """Every sample of up to 10 households at 5 %, 10 %, …, 95 %: the levels where ties are common."""
    for population in range(1, 11):
        for n in range(1, population + 1):
            for x in range(n + 1):
                for k in range(1, 20):
                    confidence = k / 20
                    interval = A.proportion_interval(x, n, method="exact", population=population,
                                                     confidence=confidence)
                    expected = _reference_limits(x, n, population, confidence)
                    assert (interval.low_count, interval.high_count) == expected, (x, n, population, confidence)


@given(sample=small_samples(max_population=60), data=st.data())
def test_exact_tail_matches_the_term_by_term_sum(sample, data):
    x, n, population = sample
    satisfied = data.draw(st.integers(0, population))
    at_least = data.draw(st.integers(0, n + 1))
    assert H.exact_prob_at_least(at_least, n, population, satisfied) == _tail_at_least(
        at_least, n, population, satisfied)


def test_a_near_tie_too_large_to_settle_exactly_widens_never_narrows(monkeypatch):
    monkeypatch.setattr(H, "EXACT_TIE_MAX_WORK", 0)
    interval = A.proportion_interval(0, 1, method="exact", population=40, confidence=0.5)
    assert interval.high_count == 30  # the tie counted inside the acceptance set


@pytest.mark.parametrize("population", [H.EXACT_MAX_POPULATION + 1, 10**8, 10**12])
def test_beyond_the_size_bound_the_binomial_limit_is_used_and_labelled(population):
    interval = A.proportion_interval(90, 100, method="exact", population=population)
    assert interval.method == "exact-binomial-limit"
    plain = A.proportion_interval(90, 100, method="exact")  # Clopper–Pearson
    assert interval.low == pytest.approx(plain.low, abs=1.0 / population)
    assert interval.high == pytest.approx(plain.high, abs=1.0 / population)
    assert interval.low_count <= 90 * population // 100 <= interval.high_count
    test = A.threshold_test(90, 100, population, "0.8")
    assert test.method == "binomial-limit"
    assert 0.0 < test.p_value < 0.01


def test_at_the_size_bound_the_exact_route_still_runs():
    interval = A.proportion_interval(90, 100, method="exact", population=H.EXACT_MAX_POPULATION)
    assert interval.method == "exact"
    assert A.threshold_test(90, 100, H.EXACT_MAX_POPULATION, "0.8").method == "exact"


def test_binomial_limit_is_within_a_millionth_just_beyond_the_bound(monkeypatch):
    population = 2 * H.EXACT_MAX_POPULATION
    limit = A.proportion_interval(90, 100, method="exact", population=population)
    monkeypatch.setattr(H, "EXACT_MAX_POPULATION", population)
    exact = A.proportion_interval(90, 100, method="exact", population=population)
    assert exact.method == "exact" and limit.method == "exact-binomial-limit"
    assert abs(limit.low - exact.low) < 1e-6 and abs(limit.high - exact.high) < 1e-6
    assert limit.low <= exact.low and limit.high >= exact.high


@given(sample=small_samples(max_population=300), confidence=st.floats(0.5, 0.999))
def test_binomial_limit_never_narrower_than_exact_by_more_than_one_household(sample, confidence):
    x, n, population = sample
    limit = H.half_alpha(confidence)
    exact = H.count_limits(x, n, population, limit)
    approx = H._binomial_limit(x, n, population, limit)
    assert approx.low <= exact.low + 1 and approx.high >= exact.high - 1


@given(sample=small_samples(max_population=2000), all_satisfied=st.booleans(), confidence=TIE_PRONE)
def test_walk_from_the_end_at_0_or_100_percent_agrees_with_bisection(sample, all_satisfied, confidence):
    _, n, population = sample
    x = n if all_satisfied else 0
    limit = H.half_alpha(confidence)
    walked = H.count_limits(x, n, population, limit)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(H, "WALK_STEPS", 0)
        assert H.count_limits(x, n, population, limit) == walked
