"""Bursts: many web phiếu from one network address in a short time, more than its ordinary use explains.

An address is not a device. A mobile carrier puts hundreds of subscribers behind a few shared addresses
(carrier-grade NAT), neighbours share a Wi-Fi, and at a village meeting, the guidance's own second way
of collecting phiếu, the whole village may answer over the meeting hall's Wi-Fi. So a burst from one
address is judged against two honest explanations, not against a fixed count:

* **Its share of the traffic.** The address's web answers are cut into sessions (consecutive answers at
  most ``gap`` apart), and each session into its villages' own runs. In a run's village and time, the
  address's count is compared with its usual share of that village's web answers (at other times, and as
  a weaker guide in the other villages; a beta-binomial, as the share is uncertain and drifts), the run's
  first and last answers, which define it, left out. A link shared in a village's Zalo group brings a wave
  of answers over every address at once: each address keeps its share, nothing is flagged. One person
  filling in a pile of a village's slips, or an undeclared meeting, stands out.
* **Its rhythm.** Answers from different households arrive at random moments, so some come close together;
  one person entering slips one after another leaves a gap of at least one phiếu's time between any two.
  The p-value is the chance that random moments in the session's span are all at least its smallest gap
  apart, among arrangements whose gaps stay under ``gap`` as a session's do (`_regularity`).

Both p-values are Bonferroni-adjusted for every test made; a session is ``warning`` when one falls below
``alpha`` and ``alert`` when both do. Answers of a village during a meeting that staff declared (its village,
start and end, with ``slack`` either side) are expected: they are left out, and the meeting is reported as
``info`` with the answers and addresses it covered, so an auditor can compare it with the meeting's minutes.
"""

from __future__ import annotations

import bisect
import statistics
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from fractions import Fraction
from math import comb

from scipy.stats import betabinom

from .._validation import check_count
from .indicator import Indicator
from .streams import _check_burst_arguments, _sessions, _streams

__all__ = ["Traffic", "bursts"]

Village = Hashable | None
#: What an address's share of the other villages' answers is worth, in answers, as a guide to its share in
#: the villages of a session (carriers' addresses serve many villages; a meeting hall's, one).
ELSEWHERE = 10.0


class Traffic:
    """How many web answers each village received in a stretch of time.

    Built from the answers themselves (`from_answers`, exact) or from counts per time bucket (`from_buckets`,
    as grouped SQL returns them); with buckets, a stretch counts every bucket it touches, so counts can only
    be too high, which makes the share test more lenient, never stricter.
    """

    def __init__(self, buckets: Mapping[Village, Iterable[tuple[datetime, int]]], resolution: timedelta,
                 totals: Mapping[Village, int] | None = None):
        self._resolution = resolution.total_seconds()
        self._totals = None if totals is None else {v: check_count(n, "answers") for v, n in totals.items()}
        self._grand: int | None = None
        self._starts: dict[Village, list[float]] = {}
        self._cumulative: dict[Village, list[int]] = {}
        for village, rows in buckets.items():
            ordered = sorted((moment.timestamp(), check_count(n, "answers")) for moment, n in rows)
            running, sums = 0, [0]
            for _start, n in ordered:
                running += n
                sums.append(running)
            self._starts[village] = [start for start, _n in ordered]
            self._cumulative[village] = sums

    @classmethod
    def from_answers(cls, timestamps: Sequence[datetime], villages: Sequence[Village]) -> Traffic:
        """Exact counts from every web answer's time and village."""
        buckets: dict[Village, list[tuple[datetime, int]]] = {}
        for moment, village in zip(timestamps, villages, strict=True):
            buckets.setdefault(village, []).append((moment, 1))
        return cls(buckets, timedelta(0))

    @classmethod
    def from_buckets(cls, rows: Iterable[tuple[Village, datetime, int]], resolution: timedelta,
                     totals: Mapping[Village, int] | None = None) -> Traffic:
        """Counts per ``(village, bucket start, answers)``, buckets ``resolution`` long; ``totals`` gives
        every village's whole count when the buckets cover only some villages."""
        buckets: dict[Village, list[tuple[datetime, int]]] = {}
        for village, start, n in rows:
            buckets.setdefault(village, []).append((start, n))
        return cls(buckets, resolution, totals)

    def between(self, village: Village, first: datetime, last: datetime) -> int:
        """Answers of ``village`` from ``first`` to ``last`` (inclusive; whole buckets)."""
        starts, sums = self._starts.get(village, []), self._cumulative.get(village, [0])
        low = bisect.bisect_left(starts, first.timestamp() - self._resolution + (1e-6 if self._resolution else 0))
        high = bisect.bisect_right(starts, last.timestamp())
        return sums[high] - sums[low]

    def total(self, village: Village) -> int:
        """Every answer of ``village``."""
        if self._totals is not None:
            return max(self._totals.get(village, 0), self._cumulative.get(village, [0])[-1])
        return self._cumulative.get(village, [0])[-1]

    def grand_total(self) -> int:
        """Every answer of every village."""
        if self._grand is None:
            villages = self._cumulative.keys() | (self._totals.keys() if self._totals is not None else set())
            self._grand = sum(self.total(v) for v in villages)
        return self._grand


def _spacings(n: int, total: int, cap: int) -> int:
    """(n - 1)! times the volume of n spacings in [0, cap] adding up to ``total`` (inclusion-exclusion, exact
    in integers)."""
    return sum((-1) ** j * comb(n, j) * (total - j * cap) ** (n - 1)
               for j in range(min(n, total // cap) + 1 if cap else 1) if total - j * cap > 0)


def _regularity(times: list[datetime], gap: timedelta) -> tuple[float, float]:
    """P-value of answers this evenly spaced if their moments were random, and the smallest gap.

    Given the session's span, random moments leave spacings uniform on the simplex; a session holds no
    spacing above ``gap`` by construction, so the chance that every spacing is at least the smallest one
    seen is taken among the spacings that respect that cap (in milliseconds, exactly).
    """
    gaps = [round((b - a).total_seconds() * 1000) for a, b in zip(times, times[1:], strict=False)]
    n, span, smallest, cap = len(gaps), sum(gaps), min(gaps), round(gap.total_seconds() * 1000)
    if span <= 0:
        return 1.0, 0.0
    whole = _spacings(n, span, cap)
    if whole <= 0:
        return 1.0, smallest / 1000
    return float(Fraction(_spacings(n, span - n * smallest, cap - smallest), whole)), smallest / 1000


def bursts(
    timestamps: Sequence[datetime],
    addresses: Sequence[str | None],
    villages: Sequence[Village] | None = None,
    *,
    meetings: Iterable[tuple[Village, datetime, datetime]] = (),
    traffic: Traffic | None = None,
    gap: timedelta = timedelta(minutes=10),
    min_answers: int = 5,
    alpha: float = 0.001,
    slack: timedelta = timedelta(minutes=30),
    share_weight: float = 30.0,
) -> tuple[Indicator, ...]:
    """Flag sessions of web answers from one address (hashed) that neither its share of the traffic nor
    random arrival explains; report declared meetings that covered answers (see the module's description).

    ``timestamps``, ``addresses`` (None: unknown, skipped) and ``villages`` are parallel: every answer of the
    addresses to judge. ``traffic`` counts every web answer of the survey per village; without it, the
    answers given are taken to be all of them. ``meetings`` are ``(village, start, end)``.
    """
    villages = _check_burst_arguments(timestamps, addresses, villages, gap, slack, min_answers, alpha)
    meetings = list(meetings)
    traffic = traffic or Traffic.from_answers(timestamps, villages)
    streams, totals, covered = _streams(timestamps, addresses, villages, meetings, slack)
    sessions = [(address, session) for address, stream in streams.items()
                for session in _sessions(sorted(stream, key=lambda m: m[0]), gap) if len(session) >= min_answers]
    shares = {(address, id(session)): _village_shares(address, session, gap, min_answers, traffic, totals,
                                                      share_weight) for address, session in sessions}
    tests = len(sessions) + sum(len(found) for found in shares.values())
    found = [_meeting_note(meetings[index], answers) for index, answers in sorted(covered.items())
             if len(answers) >= min_answers]
    for address, session in sessions:
        indicator = _judge(address, session, shares[(address, id(session))], totals[address], tests, alpha, gap)
        if indicator is not None:
            found.append(indicator)
    return tuple(found)


def _share_belief(mine_out: int, others_out: int, mine_else: int, others_else: int,
                  weight: float) -> tuple[float, float]:
    """Beta parameters of an address's share of a village's web answers: a uniform prior, the address's
    share in the other villages worth `ELSEWHERE` answers, its answers and the others' in the village
    outside the session, all worth at most ``weight`` answers (an address's share drifts over four weeks)."""
    a, b = 1.0, 1.0
    if mine_else + others_else:
        share = mine_else / (mine_else + others_else)
        a, b = a + ELSEWHERE * share, b + ELSEWHERE * (1 - share)
    a, b = a + mine_out, b + others_out
    if a + b > weight:
        a, b = a * weight / (a + b), b * weight / (a + b)
    return a, b


def _village_shares(address: str, session: list[tuple[datetime, Village]], gap: timedelta, min_answers: int,
                    traffic: Traffic, totals: Counter, weight: float) -> list[dict]:
    """The share test of each village's own session within an address's session (answers of one village
    at most ``gap`` apart): the village's answers from the address against the address's usual share of
    that village's web answers, the session's first and last answers (which define it) left out."""
    by_village: dict[Village, list[datetime]] = {}
    for moment, village in session:
        by_village.setdefault(village, []).append(moment)
    found = []
    for village, moments in by_village.items():
        for run in _sessions([(moment, village) for moment in moments], gap):
            k = len(run)
            if k < min_answers:
                continue
            first, last = run[0][0], run[-1][0]
            seen = max(k, traffic.between(village, first, last))
            mine = totals[(address, village)]
            everyone = max(traffic.total(village), seen + mine - k)
            mine_out, others_out = mine - k, everyone - seen - (mine - k)
            mine_else = totals[address] - mine
            a, b = _share_belief(mine_out, others_out, mine_else,
                                 max(0, traffic.grand_total() - everyone - mine_else), weight)
            found.append({"p_share": float(betabinom.sf(k - 3, seen - 2, a, b)), "village": village,
                          "village_session_answers": k, "village_answers": seen,
                          "share_elsewhere": mine_out / (everyone - seen) if everyone > seen else None})
    return found


def _judge(address: str, session: list[tuple[datetime, Village]], shares: list[dict], address_answers: int,
           tests: int, alpha: float, gap: timedelta) -> Indicator | None:
    """The indicator of one session of one address, or None when its shares and rhythm explain it."""
    times = [moment for moment, _village in session]
    p_regular, smallest = _regularity(times, gap)
    share = min(shares, key=lambda s: s["p_share"], default=None)
    share_adj = min(1.0, share["p_share"] * tests) if share else 1.0
    regular_adj = min(1.0, p_regular * tests)
    if min(share_adj, regular_adj) >= alpha:
        return None
    where = Counter(village for _moment, village in session)
    gaps = [(later - earlier).total_seconds() for earlier, later in zip(times, times[1:], strict=False)]
    evidence = {
        "answers": len(session),
        "first": times[0],
        "last": times[-1],
        "villages": tuple(str(v) for v, _n in where.most_common() if v is not None),
        "address_answers": address_answers,
        "crowd": share_adj < alpha,
        "one_by_one": regular_adj < alpha,
        "min_gap_seconds": smallest,
        "median_gap_seconds": statistics.median(gaps),
        "p_regular": p_regular,
        "adjusted_p_value": min(share_adj, regular_adj),
        "alpha": alpha,
    }
    if share is not None:
        evidence |= {**share, "village": None if share["village"] is None else str(share["village"])}
    return Indicator("burst", "alert" if max(share_adj, regular_adj) < alpha else "warning", address, evidence)


def _meeting_note(meeting: tuple[Village, datetime, datetime], addresses: list[str | None]) -> Indicator:
    village, start, end = meeting
    return Indicator("declared_meeting", "info", None if village is None else str(village), {
        "answers": len(addresses),
        "addresses": len({a for a in addresses if a is not None}),
        "start": start,
        "end": end,
    })
