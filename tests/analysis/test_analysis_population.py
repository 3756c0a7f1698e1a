"""Threshold test, non-response bounds, coverage, dispositions and sample size."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

import analysis as A


def test_threshold_test_uses_exact_ceiling():
    # ceil(0.9 * 1269) = ceil(1142.1) = 1143, so the null is M <= 1142.
    result = A.threshold_test(972, 1043, 1269, "0.90")
    assert result.null_count == 1142
    assert result.p_value < 1e-6
    assert result.threshold == A.to_fraction("0.9")


def test_threshold_test_integer_boundary():
    # t * N is an integer: ceil(0.8 * 100) = 80 exactly, not 81 through float noise.
    assert A.threshold_test(45, 50, 100, 0.8).null_count == 79
    assert A.threshold_test(45, 50, 100, "0.57").null_count == 56


def test_threshold_test_weak_evidence():
    assert A.threshold_test(40, 50, 100, 0.8).p_value > 0.5


def test_threshold_zero_has_empty_null():
    assert A.threshold_test(3, 10, 50, 0).p_value == 0.0


@given(
    population=st.integers(1, 400),
    data=st.data(),
    threshold=st.integers(0, 100).map(lambda p: p / 100),
)
def test_threshold_p_value_is_a_probability_and_falls_with_more_satisfied(population, data, threshold):
    n = data.draw(st.integers(0, population))
    x = data.draw(st.integers(0, n))
    p = A.threshold_test(x, n, population, threshold).p_value
    assert 0.0 <= p <= 1.0
    if x < n:
        assert A.threshold_test(x + 1, n, population, threshold).p_value <= p + 1e-12


def test_nonresponse_bounds_long_hiep():
    bounds = A.nonresponse_bounds(972, 1043, 1269)
    assert bounds.worst == pytest.approx(972 / 1269)
    assert bounds.best == pytest.approx((972 + 226) / 1269)
    assert bounds.worst <= 972 / 1043 <= bounds.best


def test_coverage_of_thi_trung():
    # Thôn Thị Trung, 2023: 648 of 918 households asked = 70.6 %.
    result = A.coverage(648, 918)
    assert result.rate == pytest.approx(0.70588, abs=1e-5)
    assert A.meets(648, 918, "0.70")
    assert A.coverage(0, 0).rate is None


def test_dispositions_summary():
    result = A.dispositions(918, answered=648, refused=12, not_reached=30)
    assert result.approached == 660
    assert result.pending == 918 - 690
    assert result.coverage == pytest.approx(648 / 918)
    assert result.response_rate == pytest.approx(648 / 660)
    assert A.dispositions(10, 0).response_rate is None


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"population": 1000}, 278),
        ({"population": 1000, "response_rate": 0.8}, 348),
        ({"population": 200}, 132),
        ({"population": 1}, 1),
        ({"population": 10**7}, 385),
        ({"population": 1269, "margin": 0.03, "expected": 0.9}, 296),
        ({"population": 300, "response_rate": 0.1}, 300),
    ],
)
def test_sample_size(kwargs, expected):
    assert A.sample_size(**kwargs) == expected


@given(population=st.integers(1, 10**6), margin=st.floats(0.01, 0.2), rate=st.floats(0.05, 1.0))
def test_sample_size_is_within_population(population, margin, rate):
    n = A.sample_size(population, margin=margin, response_rate=rate)
    assert 1 <= n <= population
