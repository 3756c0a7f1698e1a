"""A few seeded honest simulations raise no alarm, and planted fraud is still caught (issue 15, item 8).

The measured rates over many simulated surveys are in docs/benchmarks.md (bench/indicator_false_alarms.py);
these tests keep a handful of those surveys as a fast guard. The seeds are the first of the benchmark's.
"""
import numpy as np
import pytest

from analysis import integrity as I
from bench import _integrity_sims as S
from bench import _keying_sims as K

SEEDS = range(6)


def alarms(found) -> list:
    return [i for i in found if i.severity != "info"]


@pytest.mark.parametrize("seed", SEEDS)
def test_honest_opinions_raise_nothing(seed):
    for phieu in (100, 1000, 3000):
        o = S.honest_opinions(np.random.default_rng(seed), phieu)
        assert alarms(I.identical_opinions(o.texts, o.villages)) == [], phieu


@pytest.mark.parametrize("seed", SEEDS)
def test_honest_web_traffic_raises_nothing(seed):
    for traffic in (S.honest_web(np.random.default_rng(seed), 3000), S.zalo_village(np.random.default_rng(seed)),
                    S.meeting_village(np.random.default_rng(seed))):
        assert alarms(I.bursts(traffic.times, traffic.addresses, traffic.villages, meetings=traffic.meetings)) == []


@pytest.mark.parametrize("seed", SEEDS)
def test_honest_keying_raises_nothing(seed):
    for phieu in (300, 3000):
        assert alarms(I.fast_keying(K.honest_keying(np.random.default_rng(seed), phieu).batches())) == [], phieu


@pytest.mark.parametrize("seed", SEEDS)
def test_villages_that_differ_honestly_raise_nothing(seed):
    for phieu, spread in ((1000, 0.3), (20000, 0.3), (5000, 0.5)):
        tallies = K.honest_tallies(np.random.default_rng(seed), phieu, spread=spread)
        assert alarms(I.outlier_villages(tallies)) == [], (phieu, spread)


@pytest.mark.parametrize("seed", SEEDS)
def test_planted_fraud_is_caught(seed):
    rng = np.random.default_rng(seed)
    o = S.honest_opinions(rng, 3000)
    village = S.plant_copies(rng, o, 6)
    assert [i.subject for i in I.identical_opinions(o.texts, o.villages)] == [village]
    traffic = S.honest_web(rng, 3000)
    address = S.plant_stuffing(rng, traffic, 15, shared_address=True)
    found = alarms(I.bursts(traffic.times, traffic.addresses, traffic.villages, meetings=traffic.meetings))
    assert [i.subject for i in found] == [address]
    keying = K.honest_keying(rng, 3000)
    keyer = K.plant_fast_keying(rng, keying, 60, 3.0)
    assert [i.evidence["keyer"] for i in I.fast_keying(keying.batches())] == [keyer]


def test_an_undeclared_meeting_is_still_pointed_out():
    for seed in SEEDS:
        traffic = S.meeting_village(np.random.default_rng(seed), declared=False)
        (found,) = alarms(I.bursts(traffic.times, traffic.addresses, traffic.villages))
        assert found.subject == "hall-T01" and found.evidence["crowd"] and found.severity == "warning"
