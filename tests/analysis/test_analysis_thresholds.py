"""Exact threshold checks: boundaries, threshold types and published figures."""

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

import analysis as A


@pytest.mark.parametrize(
    ("x", "n", "threshold", "expected"),
    [
        (9, 10, 0.9, True),
        (27, 30, 0.9, True),
        (799, 1000, 0.8, False),
        (800, 1000, 0.8, True),
        (1808, 2009, 0.9, False),
        (8, 10, 0.8, True),
        (7, 10, 0.7, True),
        (29, 100, 0.29, True),
        (57, 100, 0.57, True),
        (0, 10, 0, True),
        (10, 10, 1, True),
        (9, 10, 1, False),
        (0, 0, 0.5, False),
        (0, 0, 0, False),
    ],
)
def test_boundaries(x, n, threshold, expected):
    assert A.meets(x, n, threshold) is expected


@pytest.mark.parametrize(
    "threshold", [0.9, "0.9", "0.90", " 0.90 ", Decimal("0.90"), Fraction(9, 10), "9/10"]
)
def test_threshold_types_agree(threshold):
    assert A.to_fraction(threshold) == Fraction(9, 10)
    assert A.meets(9, 10, threshold)
    assert not A.meets(89_999, 100_000, threshold)


def test_float_threshold_read_through_decimal_repr():
    assert A.to_fraction(0.1 + 0.2) == Fraction("0.30000000000000004")
    assert A.to_fraction(0.57) == Fraction(57, 100)


def test_long_hiep_published_figures():
    # Xã Long Hiệp, 2023: 972 of 1,043 phiếu satisfied = 93.19 % (truncated, never rounded up).
    assert A.meets(972, 1043, 0.9)
    assert A.meets(972, 1043, "0.9319")
    assert not A.meets(972, 1043, "0.932")
    assert 10_000 * 972 // 1043 == 9319


@given(x=st.integers(0, 5000), extra=st.integers(0, 5000), pct=st.integers(0, 100))
def test_meets_equals_integer_arithmetic(x, extra, pct):
    n = x + extra
    expected = n > 0 and 100 * x >= pct * n
    assert A.meets(x, n, pct / 100) is expected
    assert A.meets(x, n, f"{pct / 100}") is expected
