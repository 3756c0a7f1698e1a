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


@pytest.mark.parametrize(("satisfied", "expected"), [((50, 30), 1.0), ((0, 0), 0.0)])
def test_all_or_nothing_in_one_sampled_village_falls_back_to_its_exact_interval(satisfied, expected):
    strata = [(100, 50, satisfied[0]), (30, 30, satisfied[1])]  # the second village fully surveyed
    result = A.stratified_proportion(strata)
    assert result.estimate == expected
    assert result.standard_error == 0.0
    assert result.interval_method == "exact-hypergeometric"
    village = A.proportion_interval(satisfied[0], 50, population=100, method="exact")
    assert result.low == pytest.approx((village.low * 100 + satisfied[1]) / 130, abs=1e-12)
    assert result.high == pytest.approx((village.high * 100 + satisfied[1]) / 130, abs=1e-12)
    assert result.design_effect is None


@pytest.mark.parametrize("strata", [
    [(1000, 1, 1), (10, 9, 9)],  # the big village's 1 of 1 says almost nothing about its 999 others
    [(1000, 1, 0), (10, 9, 0)],
    [(100, 50, 50), (60, 40, 40)],
])
def test_all_or_nothing_in_several_sampled_villages_never_pools_them(strata):
    """Pooling counts of villages surveyed at different shares overstated: at [(1000, 1, 1), (10, 9, 9)]
    the pooled interval was [0.69, 1] although a big village 10 % satisfied gives 1 of 1 one time in ten."""
    result = A.stratified_proportion(strata)
    assert result.interval_method == "exact-hypergeometric-strata"
    assert result.low < result.estimate or result.estimate == 0.0
    assert result.high > result.estimate or result.estimate == 1.0
    if strata[0] == (1000, 1, 1):
        assert result.low <= (100 + 9) / 1010  # 100 of 1,000 satisfied is not excluded
    if strata[0] == (1000, 1, 0):
        assert result.high >= (900 + 0) / 1010
    pooled = A.proportion_interval(sum(s[2] for s in strata), sum(s[1] for s in strata),
                                   population=sum(s[0] for s in strata), method="exact")
    assert result.low <= pooled.low and result.high >= pooled.high


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


def test_no_degrees_of_freedom_falls_back_to_exact_limits_per_village():
    result = A.stratified_proportion([(10, 1, 1), (10, 1, 0)])
    assert result.degrees_of_freedom == 0
    assert result.interval_method == "exact-hypergeometric-strata"
    assert 0.0 <= result.low <= result.estimate <= result.high <= 1.0


def test_no_degrees_of_freedom_with_unequal_fractions_keeps_the_estimate_inside():
    # Pooling the counts (1 of 2 from 8 households) ignored that the second village is a census:
    # the pooled exact interval started at 2/8, above the estimate 1/8.
    result = A.stratified_proportion([(7, 1, 0), (1, 1, 1)], confidence=0.5)
    assert result.estimate == 0.125
    assert result.low <= result.estimate <= result.high


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
    assert result.low - 1e-12 <= result.estimate <= result.high + 1e-12


@pytest.mark.parametrize(
    ("strata", "worst", "best"),
    [
        ([(100, 100, 95), (100, 70, 70)], 165 / 200, 195 / 200),  # the other village at 100 %
        ([(1000, 1, 0), (10, 10, 10)], 10 / 1010, 1009 / 1010),  # one respondent, variance term undefined
        ([(300, 300, 240), (200, 150, 0), (100, 60, 60)], 300 / 600, 390 / 600),
    ],
)
@pytest.mark.parametrize("method", ["logit-t", "wald-t"])
def test_zero_design_variance_in_a_partly_surveyed_population_is_not_a_point(strata, worst, best, method):
    result = A.stratified_proportion(strata, method=method)
    assert result.standard_error == 0.0
    assert result.interval_method == "exact-hypergeometric-strata"
    assert result.low < result.high
    assert result.low <= result.estimate <= result.high
    assert worst <= result.low and result.high <= best  # never wider than knowing nothing


def test_strata_fallback_is_the_bonferroni_sum_of_exact_village_limits():
    strata = [(300, 300, 240), (200, 150, 0), (100, 60, 60)]
    result = A.stratified_proportion(strata, confidence=0.9)
    # alpha/2 = 0.05 is shared by the two partly surveyed villages: each limit at 0.025, i.e. 95 %.
    second = A.proportion_interval(0, 150, method="exact", population=200, confidence=0.95)
    third = A.proportion_interval(60, 60, method="exact", population=100, confidence=0.95)
    assert result.low == (240 + second.low_count + third.low_count) / 600
    assert result.high == (240 + second.high_count + third.high_count) / 600


@pytest.mark.parametrize(
    "strata",
    [
        [(100, 99, 99)],  # the exact interval of 99 of 100 is the point 100 %
        [(100, 100, 95), (100, 99, 99)],
        [(100, 100, 100), (50, 0, 0)],  # a village without respondents: not a census
    ],
)
def test_a_point_interval_falls_back_to_the_nonresponse_bounds(strata):
    result = A.stratified_proportion(strata)
    households = sum(big_n for big_n, _, _ in strata)
    respondents = sum(n for _, n, _ in strata)
    satisfied = sum(x for *_, x in strata)
    assert result.interval_method == "nonresponse-bounds"
    assert result.low == satisfied / households
    assert result.high == (satisfied + households - respondents) / households
    assert result.low < result.high


def test_exact_fallbacks_beyond_the_exact_size_bound_are_labelled():
    result = A.stratified_proportion([(2 * 10**7, 100, 100), (50, 50, 50)])
    assert result.interval_method == "exact-binomial-limit"
    assert result.low < result.high == 1.0
    several = A.stratified_proportion([(2 * 10**7, 100, 100), (10**7, 50, 50)])
    assert several.interval_method == "exact-binomial-limit-strata"
    assert several.low < several.high == 1.0


@st.composite
def edge_heavy_strata(draw):
    """Villages as NTM data has them: many at 0 % or 100 %, censuses, single respondents, empty ones."""
    strata = []
    for _ in range(draw(st.integers(1, 6))):
        big_n = draw(st.integers(1, 400))
        n = draw(st.one_of(st.just(big_n), st.just(1), st.just(0), st.integers(0, big_n)))
        n = min(n, big_n)
        x = draw(st.one_of(st.just(0), st.just(n), st.integers(0, n)))
        strata.append((big_n, n, x))
    return strata


@given(strata=edge_heavy_strata(), method=st.sampled_from(["wald-t", "logit-t"]),
       confidence=st.sampled_from([0.5, 0.8, 0.9, 0.95, 0.99, 0.999]))
def test_partly_surveyed_population_never_gets_a_zero_width_interval(strata, method, confidence):
    if all(n == 0 for _, n, _ in strata):
        return
    result = A.stratified_proportion(strata, method=method, confidence=confidence)
    households = sum(big_n for big_n, _, _ in strata)
    respondents = sum(n for _, n, _ in strata)
    assert 0.0 <= result.low <= result.high <= 1.0
    assert result.low - 1e-12 <= result.estimate <= result.high + 1e-12
    if respondents < households:
        assert result.low < result.high
    else:
        assert result.low == result.high == pytest.approx(result.estimate, abs=1e-12)
