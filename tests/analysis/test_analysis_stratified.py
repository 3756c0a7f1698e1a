"""Stratified estimate by village: formula, edge cases, fallback, properties."""

import math
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.stats import t as student_t

import analysis as A


def _reference(strata):
    """Recompute estimate and variance from the per-respondent weight form N_h / n_h."""
    households = sum(big_n for big_n, n, _ in strata)
    estimate = sum((big_n / n) * x for big_n, n, x in strata) / households
    variance = sum(
        (big_n / households) ** 2 * (1 - n / big_n) * (x / n) * (1 - x / n) / (n - 1)
        for big_n, n, x in strata
    )
    return estimate, variance


def test_two_villages_by_hand():
    result = A.stratified_proportion([(100, 50, 45), (100, 50, 40)])
    # v = 0.25 * 0.5 * (0.09 + 0.16) / 49 for the two strata together
    assert result.standard_error == pytest.approx(math.sqrt(0.03125 / 49), rel=1e-12)
    assert result.interval_method == "logit-t"
    assert result.design_effect == pytest.approx(
        (0.03125 / 49) / ((1 - 100 / 200) * 0.85 * 0.15 / 99), rel=1e-12
    )
    assert result.variance_complete and not result.unestimable_strata


@pytest.mark.parametrize("method", ["wald-t", "logit-t"])
def test_intervals_use_t_with_n_minus_h_df(method):
    strata = [(300, 120, 110), (250, 60, 51), (80, 40, 40), (500, 90, 70)]
    result = A.stratified_proportion(strata, method=method, confidence=0.9)
    estimate, variance = _reference(strata)
    assert result.estimate == pytest.approx(estimate, abs=1e-12)
    assert result.standard_error == pytest.approx(math.sqrt(variance), rel=1e-12)
    assert result.degrees_of_freedom == 310 - 4
    q = student_t.ppf(0.95, 306)
    if method == "wald-t":
        expected = (estimate - q * math.sqrt(variance), estimate + q * math.sqrt(variance))
    else:
        half = q * math.sqrt(variance) / (estimate * (1 - estimate))
        logit = math.log(estimate / (1 - estimate))
        expected = (1 / (1 + math.exp(-(logit - half))), 1 / (1 + math.exp(-(logit + half))))
    assert (result.low, result.high) == pytest.approx(expected, abs=1e-12)
    assert result.interval_method == method


def test_village_without_respondents_is_reported_and_weights_renormalised():
    result = A.stratified_proportion([(100, 50, 45), (100, 50, 40), (50, 0, 0)])
    assert result.estimate == pytest.approx(0.85, abs=1e-12)
    assert result.unestimable_strata == (2,)
    assert result.unestimable_weight == pytest.approx(0.2)
    assert result.households == 200
    assert result.degrees_of_freedom == 98


def test_single_respondent_village_is_reported():
    result = A.stratified_proportion([(100, 50, 45), (40, 1, 1)])
    assert result.single_respondent_strata == (1,)
    assert not result.variance_complete
    assert result.degrees_of_freedom == 51 - 2


def test_census_village_contributes_no_variance():
    with_census = A.stratified_proportion([(100, 50, 45), (30, 30, 20)])
    assert with_census.census_strata == (1,)
    weight = 100 / 130
    assert with_census.standard_error == pytest.approx(math.sqrt(weight**2 * 0.5 * 0.09 / 49), rel=1e-12)


@pytest.mark.parametrize(("satisfied", "expected"), [((50, 40), 1.0), ((0, 0), 0.0)])
def test_all_or_nothing_falls_back_to_exact(satisfied, expected):
    strata = [(100, 50, satisfied[0]), (60, 40, satisfied[1])]
    result = A.stratified_proportion(strata)
    assert result.estimate == expected
    assert result.standard_error == 0.0
    assert result.interval_method == "exact-hypergeometric"
    pooled = A.proportion_interval(sum(satisfied), 90, population=160, method="exact")
    assert (result.low, result.high) == (pooled.low, pooled.high)
    assert result.design_effect is None


def test_full_census_everywhere_is_exact():
    result = A.stratified_proportion([(10, 10, 10), (5, 5, 5)])
    assert (result.low, result.high, result.estimate) == (1.0, 1.0, 1.0)
    partial = A.stratified_proportion([(10, 10, 9), (5, 5, 4)])
    assert partial.low == partial.high == pytest.approx(13 / 15)


def test_binh_tan_all_satisfied_census():
    # Xã Bình Tân, 2024: 5 of 5 ấp, 2,576 of 2,576 households satisfied.
    strata = [(520, 520, 520), (515, 515, 515), (510, 510, 510), (516, 516, 516), (515, 515, 515)]
    result = A.stratified_proportion(strata)
    assert result.estimate == 1.0 and result.low == 1.0 and result.high == 1.0


def test_no_degrees_of_freedom_falls_back_to_exact():
    result = A.stratified_proportion([(10, 1, 1), (10, 1, 0)])
    assert result.degrees_of_freedom == 0
    assert result.interval_method == "exact-hypergeometric"
    assert 0.0 <= result.low <= result.estimate <= result.high <= 1.0


@st.composite
def equal_fraction_strata(draw):
    k = draw(st.integers(1, 5))
    strata = []
    for _ in range(draw(st.integers(1, 8))):
        n = draw(st.integers(1, 200))
        strata.append((k * n, n, draw(st.integers(0, n))))
    return strata


@given(strata=equal_fraction_strata())
def test_equal_sampling_fractions_give_the_pooled_rate(strata):
    result = A.stratified_proportion(strata)
    pooled = Fraction(sum(x for *_, x in strata), sum(n for _, n, _ in strata))
    assert result.estimate == float(pooled)


@st.composite
def any_strata(draw):
    strata = []
    for _ in range(draw(st.integers(1, 6))):
        big_n = draw(st.integers(0, 300))
        n = draw(st.integers(0, big_n))
        strata.append((big_n, n, draw(st.integers(0, n))))
    return strata


@given(strata=any_strata(), method=st.sampled_from(["wald-t", "logit-t"]))
def test_interval_is_ordered_and_in_range(strata, method):
    if all(n == 0 for _, n, _ in strata):
        with pytest.raises(ValueError, match="no stratum has respondents"):
            A.stratified_proportion(strata, method=method)
        return
    result = A.stratified_proportion(strata, method=method)
    assert 0.0 <= result.low <= result.high <= 1.0
    assert result.standard_error >= 0.0
    if result.interval_method != "exact-hypergeometric":
        assert result.low - 1e-12 <= result.estimate <= result.high + 1e-12
