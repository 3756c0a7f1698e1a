"""Integrity indicators: each one triggered and not triggered."""

from datetime import datetime, timedelta

import pytest

import analysis as A

T0 = datetime(2026, 3, 2, 8, 0, 0)


def test_burst_from_one_client():
    times = [T0 + timedelta(seconds=30 * i) for i in range(6)] + [T0 + timedelta(hours=3)]
    clients = ["c1"] * 7
    (indicator,) = A.bursts(times, clients)
    assert indicator.kind == "burst" and indicator.subject == "c1"
    assert indicator.evidence["answers"] == 6 and indicator.evidence["client_answers"] == 7
    assert indicator.severity == "warning"


def test_burst_alert_and_parameters():
    times = [T0 + timedelta(seconds=5 * i) for i in range(10)]
    (indicator,) = A.bursts(times, ["c1"] * 10)
    assert indicator.severity == "alert"
    assert A.bursts(times, ["c1"] * 10, min_answers=11) == ()


def test_no_burst_when_spread_out_or_from_many_clients():
    spread = [T0 + timedelta(minutes=15 * i) for i in range(10)]
    assert A.bursts(spread, ["c1"] * 10) == ()
    close = [T0 + timedelta(seconds=i) for i in range(10)]
    assert A.bursts(close, [f"c{i}" for i in range(10)]) == ()
    assert A.bursts(close, [None] * 10) == ()


def test_fast_keying():
    batches = [("b1", 50, 1500.0), ("b2", 40, 1300.0), ("b3", 60, 300.0), ("tiny", 2, 1.0)]
    (indicator,) = A.fast_keying(batches)
    assert indicator.subject == "b3"
    assert indicator.evidence["seconds_per_form"] == 5.0
    assert indicator.evidence["median_seconds_per_form"] == 30.0


def test_no_fast_keying():
    assert A.fast_keying([("b1", 50, 1500.0), ("b2", 3, 0.0)]) == ()
    assert A.fast_keying([]) == ()


def test_identical_opinions():
    texts = ["Đề nghị  nâng cấp đường liên thôn."] * 4 + ["đề nghị nâng cấp đường LIÊN THÔN"] + ["Không"] * 30
    (indicator,) = A.identical_opinions(texts)
    assert indicator.evidence["copies"] == 5
    assert indicator.evidence["text"] == "đề nghị nâng cấp đường liên thôn"
    assert indicator.evidence["positions"] == (0, 1, 2, 3, 4)


def test_no_identical_opinions():
    texts = ["Đề nghị nâng cấp đường liên thôn"] * 4 + [None, "", "Không có ý kiến.", "Nhất trí"] * 10
    assert A.identical_opinions(texts) == ()


def test_full_coverage():
    found = A.full_coverage([("A", 100, 100), ("B", 100, 101), ("C", 100, 99), ("D", 0, 0)])
    assert [(i.subject, i.severity) for i in found] == [("A", "info"), ("B", "alert")]
    assert A.full_coverage([("C", 100, 99)]) == ()


def test_answers_outside_window():
    start, end = T0, T0 + timedelta(days=28)
    times = [T0 - timedelta(hours=1), T0, T0 + timedelta(days=3), end, end + timedelta(seconds=1)]
    (indicator,) = A.answers_outside_window(times, start, end)
    assert indicator.evidence["before"] == 1 and indicator.evidence["after"] == 1
    assert indicator.evidence["positions"] == (0, 4)
    assert A.answers_outside_window(times[1:4], start, end) == ()


def test_outlier_village():
    villages = [("A", 100, 90), ("B", 100, 88), ("C", 100, 91), ("D", 100, 89), ("E", 100, 55)]
    (indicator,) = A.outlier_villages(villages)
    assert indicator.subject == "E" and indicator.evidence["direction"] == "below"
    assert indicator.evidence["adjusted_p_value"] < 0.001


def test_no_outlier_village():
    assert A.outlier_villages([("A", 100, 90), ("B", 100, 85), ("C", 100, 93)]) == ()
    assert A.outlier_villages([("A", 100, 100), ("B", 50, 50)]) == ()
    assert A.outlier_villages([("A", 100, 60), ("B", 0, 0)]) == ()


def test_indicator_evidence_is_read_only():
    (indicator,) = A.full_coverage([("A", 1, 2)])
    with pytest.raises(TypeError):
        indicator.evidence["households"] = 5  # type: ignore[index]


def test_identical_opinions_parameters():
    texts = ["Không có ý kiến"] * 6
    assert A.identical_opinions(texts) == ()
    (indicator,) = A.identical_opinions(texts, ignore=())
    assert indicator.evidence["copies"] == 6
    assert A.identical_opinions(texts, ignore=(), min_copies=7) == ()


def test_one_deviant_village_does_not_flag_the_others():
    villages = [(f"v{i}", 5000, 4990 + i % 3) for i in range(50)] + [("bad", 5000, 4000)]
    found = A.outlier_villages(villages)
    assert [indicator.subject for indicator in found] == ["bad"]


def test_outliers_in_both_directions_are_flagged_in_order_of_extremity():
    villages = [(f"v{i}", 500, 440 + i % 5) for i in range(30)] + [("low", 400, 250), ("high", 500, 500)]
    found = A.outlier_villages(villages)
    assert [(i.subject, i.evidence["direction"]) for i in found] == [("low", "below"), ("high", "above")]
