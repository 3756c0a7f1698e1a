"""Every reference row of statistics.md section 6, plus the contract values."""

import math

import pytest

import analysis as A

# (successes, trials, confidence, method, low, high, tolerance)
BINOMIAL_ROWS = [
    (20, 100, 0.95, "exact", 0.1266555521019559, 0.2918426890886281, 1e-12),
    (3, 50, 0.99, "exact", 0.006872485, 0.202706269, 1e-6),
    (0, 10, 0.95, "exact", 0.0, 0.3084971, 1e-6),
    (10, 10, 0.95, "exact", 0.6915029, 1.0, 1e-6),
    (3, 10, 0.95, "wilson", 0.1077913, 0.6032219, 1e-6),
    (3, 10, 0.95, "wilsoncc", 0.08094782, 0.64632928, 1e-6),
    (10, 10, 0.95, "wilson", 0.7224672, 1.0, 1e-6),
    (18, 20, 0.95, "exact", 0.6830173, 0.9876515, 1e-6),
    (18, 20, 0.95, "wilson", 0.6989664, 0.9721335, 1e-6),
    (190, 200, 0.95, "exact", 0.9099725, 0.9757658, 1e-6),
    (190, 200, 0.95, "wilson", 0.9104219, 0.9726174, 1e-6),
    (18, 20, 0.95, "jeffreys", 0.7161467, 0.9786275, 1e-6),
]


@pytest.mark.parametrize(("x", "n", "confidence", "method", "low", "high", "tol"), BINOMIAL_ROWS)
def test_binomial_reference_rows(x, n, confidence, method, low, high, tol):
    interval = A.proportion_interval(x, n, confidence=confidence, method=method)
    assert interval.low == pytest.approx(low, abs=tol)
    assert interval.high == pytest.approx(high, abs=tol)
    assert interval.method == method
    assert interval.estimate == x / n


def test_exact_hypergeometric_acceptance_set():
    interval = A.proportion_interval(3, 10, population=50, method="exact")
    assert (interval.low_count, interval.high_count) == (5, 31)
    assert interval.low == 5 / 50
    assert interval.high == 31 / 50


def test_adjusted_wald_fpc_matches_statpsych():
    interval = A.proportion_interval(12, 100, population=400, method="adjusted-wald")
    assert interval.estimate == pytest.approx(0.1346154, abs=1e-6)
    assert interval.standard_error == pytest.approx(0.0290208, abs=1e-6)
    assert interval.low == pytest.approx(0.07773565, abs=1e-6)
    assert interval.high == pytest.approx(0.1914951, abs=1e-6)


def test_cochran_worked_example():
    z = 1.959963984540054
    n0 = z * z * 0.25 / 0.05**2
    assert n0 == pytest.approx(384.146, abs=1e-3)
    assert n0 / (1 + (n0 - 1) / 1000) == pytest.approx(277.73, abs=1e-2)
    assert A.sample_size(1000) == 278


def test_contract_check_values():
    interval = A.proportion_interval(18, 20, method="wilson")
    assert abs(interval.low - 0.6989664) < 1e-6 and abs(interval.high - 0.9721335) < 1e-6
    assert A.meets(9, 10, 0.9) and not A.meets(1808, 2009, 0.9)
    strat = A.stratified_proportion([(100, 50, 45), (100, 50, 40)])
    assert abs(strat.estimate - 0.85) < 1e-12
    assert strat.degrees_of_freedom == 98
    assert hasattr(A.threshold_test(45, 50, 100, 0.8), "p_value")


def test_threshold_test_matches_direct_hypergeometric_sum():
    # M0 = ceil(0.8 * 100) = 80; p = P(X >= 45 | M = 79, N = 100, n = 50), summed with math.comb.
    total = math.comb(100, 50)
    expected = sum(math.comb(79, k) * math.comb(21, 50 - k) for k in range(45, 51)) / total
    result = A.threshold_test(45, 50, 100, 0.8)
    assert result.null_count == 79
    assert result.p_value == pytest.approx(expected, rel=1e-9)
