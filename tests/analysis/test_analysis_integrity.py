"""Integrity indicators: each one triggered and not triggered, on honest patterns that used to cry wolf."""

import json
import random
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import analysis as A
from analysis import integrity as I

T0 = datetime(2026, 3, 2, 8, 0, 0, tzinfo=UTC)


def as_json(indicator) -> str:
    """The evidence as a publication snapshot freezes it (times as ISO text); raises if not JSON-able."""
    return json.dumps(dict(indicator.evidence), default=lambda v: v.isoformat(), allow_nan=False)


# Bursts -----------------------------------------------------------------------------------------------

def meeting(answers: int = 60, *, others: int = 60):
    """A meeting: ``answers`` households of T01 over the hall's Wi-Fi at random moments of two hours;
    ``others`` households of the commune answer from home over three weeks."""
    draw = random.Random(7)
    times = [T0 + timedelta(hours=11, seconds=draw.uniform(0, 7200)) for i in range(answers)]
    addresses, villages = ["hall"] * answers, ["T01"] * answers
    for i in range(others):
        times.append(T0 + timedelta(days=i % 21, hours=12 + i % 5, minutes=i))
        addresses.append(f"home-{i}")
        villages.append(f"T0{2 + i % 3}")
    return times, addresses, villages


def test_a_declared_meeting_is_expected_and_noted():
    times, addresses, villages = meeting()
    declared = [("T01", T0 + timedelta(hours=11), T0 + timedelta(hours=13))]
    (note,) = A.bursts(times, addresses, villages, meetings=declared)
    assert (note.kind, note.severity, note.subject) == ("declared_meeting", "info", "T01")
    assert note.evidence["answers"] == 60 and note.evidence["addresses"] == 1
    as_json(note)


def test_an_undeclared_meeting_is_a_warning_about_a_crowd_not_an_alert():
    times, addresses, villages = meeting()
    (indicator,) = A.bursts(times, addresses, villages)
    assert indicator.kind == "burst" and indicator.severity == "warning" and indicator.subject == "hall"
    assert indicator.evidence["crowd"] and not indicator.evidence["one_by_one"]
    assert indicator.evidence["villages"] == ("T01",) and indicator.evidence["answers"] == 60
    other_village = [("T02", T0 + timedelta(hours=11), T0 + timedelta(hours=13))]
    assert [i.kind for i in A.bursts(times, addresses, villages, meetings=other_village)] == ["burst"]


def test_a_zalo_wave_over_shared_carrier_addresses_raises_nothing():
    times, addresses = [], []
    for i in range(150):  # 150 households over 10 carrier addresses, most within an hour of the post
        minutes = (i * 37) % 60 if i % 10 else 300 + i * 41
        times.append(T0 + timedelta(minutes=minutes, seconds=i))
        addresses.append(f"carrier-{(i * 7) % 10}")
    assert A.bursts(times, addresses, ["T01"] * 150) == ()


def test_one_person_entering_slips_one_by_one_is_caught():
    times = [T0 + timedelta(seconds=30 * i) for i in range(6)] + [T0 + timedelta(hours=3)]
    (indicator,) = A.bursts(times, ["c1"] * 7)
    assert indicator.subject == "c1" and indicator.evidence["answers"] == 6
    assert indicator.evidence["one_by_one"] and indicator.evidence["min_gap_seconds"] == 30
    assert indicator.evidence["address_answers"] == 7
    as_json(indicator)


def test_sparse_answers_just_under_the_session_gap_are_not_one_by_one():
    # A session holds no gap over 10 minutes by construction: evenly spread sparse answers are what it keeps
    seconds = [0, 457, 949, 1479, 2067, 2568, 3038]
    (indicator,) = A.bursts([T0 + timedelta(seconds=s) for s in seconds] + [T0 + timedelta(minutes=10, seconds=s)
                                                                           for s in (5, 35, 65, 95, 125, 155)],
                            ["carrier"] * 7 + ["home"] * 6, min_answers=6)
    assert indicator.subject == "home"  # 30 s apart, like clockwork
    assert A.bursts([T0 + timedelta(seconds=s) for s in seconds], ["carrier"] * 7) == ()


def test_a_pile_of_slips_on_a_busy_carrier_address_is_an_alert():
    times, addresses, villages = [], [], []
    for i in range(400):  # three weeks of ordinary traffic over 10 carrier addresses and homes
        times.append(T0 + timedelta(days=i % 21, hours=1 + (i * 13) % 14, minutes=(i * 17) % 60))
        addresses.append(f"carrier-{i % 10}" if i % 2 else f"home-{i}")
        villages.append(f"T0{i % 4}")
    start = T0 + timedelta(days=5, hours=14)
    for i in range(15):  # 15 slips of T02, 50 to 90 s each, through carrier-3
        times.append(start + timedelta(seconds=sum(50 + (j * 29) % 40 for j in range(i + 1))))
        addresses.append("carrier-3")
        villages.append("T02")
    (indicator,) = A.bursts(times, addresses, villages)
    assert indicator.subject == "carrier-3" and indicator.severity == "alert"
    assert indicator.evidence["answers"] == 15 and indicator.evidence["villages"] == ("T02",)


def test_no_burst_when_spread_out_few_or_unknown():
    spread = [T0 + timedelta(minutes=15 * i) for i in range(10)]
    assert A.bursts(spread, ["c1"] * 10) == ()
    close = [T0 + timedelta(seconds=i) for i in range(10)]
    assert A.bursts(close, [f"c{i}" for i in range(10)]) == ()
    assert A.bursts(close, [None] * 10) == ()
    assert A.bursts(close[:4], ["c1"] * 4) == ()


def test_traffic_counted_in_buckets_is_never_lower_than_exact():
    times = [T0 + timedelta(seconds=37 * i) for i in range(200)]
    villages = ["T1" if i % 3 else "T2" for i in range(200)]
    exact = I.Traffic.from_answers(times, villages)
    buckets: dict = {}
    for moment, village in zip(times, villages, strict=True):
        start = moment.replace(second=0)
        buckets[(village, start)] = buckets.get((village, start), 0) + 1
    coarse = I.Traffic.from_buckets([(v, s, n) for (v, s), n in buckets.items()], timedelta(minutes=1))
    for first in range(0, 7000, 333):
        a, b = T0 + timedelta(seconds=first), T0 + timedelta(seconds=first + 900)
        for village in ("T1", "T2", "T3"):
            assert coarse.between(village, a, b) >= exact.between(village, a, b)
    assert exact.total("T1") + exact.total("T2") == exact.grand_total() == coarse.grand_total() == 200


@settings(max_examples=150)
@given(st.lists(st.tuples(st.integers(0, 40 * 24 * 3600), st.sampled_from(["a", "b", "c", None]),
                          st.sampled_from(["T1", "T2"])), max_size=120))
def test_any_traffic_is_judged_without_error(rows):
    times = [T0 + timedelta(seconds=s) for s, _, _ in rows]
    found = A.bursts(times, [a for _, a, _ in rows], [v for _, _, v in rows],
                     meetings=[("T1", T0, T0 + timedelta(days=1))])
    for indicator in found:
        assert indicator.severity in I.SEVERITIES
        as_json(indicator)


def test_burst_parameters():
    with pytest.raises(ValueError):
        A.bursts([T0], ["a", "b"])
    with pytest.raises(ValueError):
        A.bursts([T0], ["a"], ["T1", "T2"])
    with pytest.raises(ValueError):
        A.bursts([T0], ["a"], gap=timedelta(0))
    with pytest.raises(ValueError):
        A.bursts([T0], ["a"], min_answers=2)


# Fast keying ------------------------------------------------------------------------------------------

def hours(keyer: str, pace: float, count: int = 8, forms: int = 60):
    """``count`` hour batches of ``forms`` phiếu at about ``pace`` seconds each."""
    return [(keyer, f"{keyer}/{h}", forms, forms * pace * (1 + 0.06 * ((h * 3) % 5 - 2))) for h in range(count)]


def test_a_keyer_fast_by_nature_is_not_flagged():
    batches = hours("nhanh", 9.0) + hours("cham", 25.0) + hours("vua", 16.0)
    assert A.fast_keying(batches) == ()


def test_an_hour_far_faster_than_the_keyers_own_pace_is_flagged():
    batches = hours("cham", 40.0) + [("cham", "cham/99", 60, 60 * 16.0)] + hours("vua", 15.0)
    (indicator,) = A.fast_keying(batches)
    evidence = indicator.evidence
    assert indicator.subject == "cham/99" and evidence["keyer"] == "cham" and evidence["basis"] == "own"
    assert evidence["seconds_per_form"] == 16.0 and 37 < evidence["own_seconds_per_form"] < 43
    assert evidence["limit_seconds_per_form"] <= 0.5 * evidence["own_seconds_per_form"]
    as_json(indicator)


def test_a_keyer_far_faster_than_everybody_and_an_impossible_pace():
    batches = hours("a", 30.0) + hours("b", 28.0) + hours("c", 32.0) + hours("d", 5.0)
    (indicator,) = A.fast_keying(batches)
    assert indicator.evidence["keyer"] == "d" and indicator.evidence["basis"] == "others"
    (indicator,) = A.fast_keying(hours("a", 20.0) + [("a", "a/99", 40, 100.0)])
    assert indicator.severity == "alert" and indicator.evidence["seconds_per_form"] == 2.5


def test_no_fast_keying():
    assert A.fast_keying([("a", "b1", 50, 1500.0), ("a", "b2", 3, 0.0)]) == ()
    assert A.fast_keying([]) == ()
    with pytest.raises(ValueError):
        A.fast_keying([("a", "b", 5, -1.0)])
    with pytest.raises(ValueError):
        A.fast_keying([], alpha=1.5)


# Other indicators -------------------------------------------------------------------------------------

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


def test_villages_that_differ_as_villages_do_are_not_outliers():
    # 93 % to 97 % in villages of 1,500: a test of equal rates calls three of them outliers
    villages = [("A", 1500, 1395), ("B", 1500, 1455), ("C", 1500, 1425), ("D", 1500, 1410), ("E", 1500, 1440),
                ("F", 1500, 1420)]
    assert A.outlier_villages(villages) == ()
    assert A.outlier_villages([("A", 100, 90), ("B", 100, 85), ("C", 100, 93)]) == ()
    assert A.outlier_villages([("A", 100, 100), ("B", 50, 50)]) == ()
    assert A.outlier_villages([("A", 100, 60), ("B", 0, 0)]) == ()


def test_indicator_evidence_is_read_only():
    (indicator,) = A.full_coverage([("A", 1, 2)])
    with pytest.raises(TypeError):
        indicator.evidence["households"] = 5  # type: ignore[index]


def test_one_deviant_village_does_not_flag_the_others():
    villages = [(f"v{i}", 5000, 4990 + i % 3) for i in range(50)] + [("bad", 5000, 4000)]
    found = A.outlier_villages(villages)
    assert [indicator.subject for indicator in found] == ["bad"]


def test_outliers_in_both_directions_are_flagged_in_order_of_extremity():
    villages = [(f"v{i}", 500, 440 + i % 5) for i in range(30)] + [("low", 400, 250), ("high", 500, 500)]
    found = A.outlier_villages(villages)
    assert [(i.subject, i.evidence["direction"]) for i in found] == [("high", "above"), ("low", "below")]
    assert found[0].evidence["p_value"] <= found[1].evidence["p_value"]
