"""Bursts: many web phiếu from one network address in a short time, more than its ordinary use explains.

An address is not a device. A mobile carrier puts hundreds of subscribers behind a few shared addresses
(carrier-grade NAT), neighbours share a Wi-Fi, and at a village meeting, the guidance's own second way
of collecting phiếu, the whole village may answer over the meeting hall's Wi-Fi. So a burst from one
address is judged against two honest explanations, not against a fixed count:

* **Its share of the traffic.** The address's web answers are cut into sessions (consecutive answers at
  most ``gap`` apart). In the session's villages and time, the address's count is compared with its share
  of those villages' web answers outside the session (a beta-binomial: the share is uncertain), the
  session's first and last answers, which define it, left out. A link shared in a village's Zalo group
  brings a wave of answers over every address at once: each address keeps its share, nothing is flagged.
  One person filling in a pile of slips, or an undeclared meeting, stands out.
* **Its rhythm.** Answers from different households arrive at random moments, so some come close together;
  one person entering slips one after another leaves a gap of at least one phiếu's time between any two.
  The chance that random moments in the session's span are all at least its smallest gap apart is
  ``(1 - (k - 1) * gap / span) ** (k - 2)``.

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

from scipy.stats import betabinom

from .._validation import check_count
from .indicator import Indicator

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
        if self._totals is not None:
            return sum(self.total(v) for v in self._totals.keys() | self._cumulative.keys())
        return sum(sums[-1] for sums in self._cumulative.values())


def _sessions(moments: list[tuple[datetime, Village]], gap: timedelta) -> list[list[tuple[datetime, Village]]]:
    """Cut one address's answers (sorted by time) where two follow each other more than ``gap`` apart."""
    sessions: list[list[tuple[datetime, Village]]] = []
    for moment in moments:
        if sessions and moment[0] - sessions[-1][-1][0] <= gap:
            sessions[-1].append(moment)
        else:
            sessions.append([moment])
    return sessions


def _regularity(times: list[datetime]) -> tuple[float, float]:
    """P-value of answers this evenly spaced if their moments were random in the span, and the smallest gap."""
    k = len(times)
    gaps = [(b - a).total_seconds() for a, b in zip(times, times[1:], strict=False)]
    span, smallest = sum(gaps), min(gaps)
    if span <= 0:
        return 1.0, 0.0
    return max(0.0, 1 - (k - 1) * smallest / span) ** (k - 2), smallest


def _in_meeting(moment: datetime, village: Village, meetings: list[tuple[Village, datetime, datetime]],
                slack: timedelta) -> int | None:
    for index, (where, start, end) in enumerate(meetings):
        if where == village and start - slack <= moment <= end + slack:
            return index
    return None


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
    if len(timestamps) != len(addresses):
        raise ValueError(f"got {len(timestamps)} timestamps but {len(addresses)} addresses")
    villages = [None] * len(timestamps) if villages is None else villages
    if len(villages) != len(timestamps):
        raise ValueError(f"got {len(timestamps)} timestamps but {len(villages)} villages")
    for name, value in (("gap", gap), ("slack", slack)):
        if not isinstance(value, timedelta) or value < timedelta(0) or (name == "gap" and not value):
            raise ValueError(f"{name} must be a positive timedelta, got {value!r}")
    if check_count(min_answers, "min_answers") < 3:
        raise ValueError("min_answers must be at least 3")
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float)) or not 0 < alpha < 1:
        raise ValueError(f"alpha must lie strictly between 0 and 1, got {alpha!r}")
    meetings = list(meetings)
    traffic = traffic or Traffic.from_answers(timestamps, villages)
    streams: dict[str, list[tuple[datetime, Village]]] = {}
    totals: Counter = Counter()
    covered: dict[int, list[str | None]] = {}
    for moment, address, village in zip(timestamps, addresses, villages, strict=True):
        meeting = _in_meeting(moment, village, meetings, slack) if meetings else None
        if meeting is not None:
            covered.setdefault(meeting, []).append(address)
        if address is None:
            continue
        totals[(address, village)] += 1
        if meeting is None:
            streams.setdefault(address, []).append((moment, village))
    sessions = [(address, session) for address, stream in streams.items()
                for session in _sessions(sorted(stream, key=lambda m: m[0]), gap) if len(session) >= min_answers]
    found = [_meeting_note(meetings[index], answers) for index, answers in sorted(covered.items())
             if len(answers) >= min_answers]
    tests = 2 * len(sessions)
    for address, session in sessions:
        indicator = _judge(address, session, traffic, totals, tests, alpha, share_weight)
        if indicator is not None:
            found.append(indicator)
    return tuple(found)


def _share_belief(mine_out: int, others_out: int, mine_else: int, others_else: int,
                  weight: float) -> tuple[float, float]:
    """Beta parameters of an address's share of its villages' web answers: a uniform prior, the address's
    share in the other villages worth `ELSEWHERE` answers, its answers and the others' in its villages
    outside the session, all worth at most ``weight`` answers (an address's share drifts over four weeks)."""
    a, b = 1.0, 1.0
    if mine_else + others_else:
        share = mine_else / (mine_else + others_else)
        a, b = a + ELSEWHERE * share, b + ELSEWHERE * (1 - share)
    a, b = a + mine_out, b + others_out
    if a + b > weight:
        a, b = a * weight / (a + b), b * weight / (a + b)
    return a, b


def _judge(address: str, session: list[tuple[datetime, Village]], traffic: Traffic, totals: Counter,
           tests: int, alpha: float, weight: float) -> Indicator | None:
    """The indicator of one session of one address, or None when its share and rhythm explain it."""
    times = [moment for moment, _village in session]
    first, last, k = times[0], times[-1], len(session)
    where = Counter(village for _moment, village in session)
    seen = max(k, sum(traffic.between(v, first, last) for v in where))
    mine = sum(totals[(address, v)] for v in where)
    everyone = max(sum(traffic.total(v) for v in where), seen + mine - k)
    mine_out, others_out = mine - k, everyone - seen - (mine - k)
    mine_else = sum(n for (owner, v), n in totals.items() if owner == address and v not in where)
    others_else = max(0, traffic.grand_total() - everyone - mine_else)
    a, b = _share_belief(mine_out, others_out, mine_else, others_else, weight)
    p_share = float(betabinom.sf(k - 3, seen - 2, a, b))
    p_regular, smallest = _regularity(times)
    share_adj, regular_adj = min(1.0, p_share * tests), min(1.0, p_regular * tests)
    if min(share_adj, regular_adj) >= alpha:
        return None
    gaps = [(later - earlier).total_seconds() for earlier, later in zip(times, times[1:], strict=False)]
    return Indicator("burst", "alert" if max(share_adj, regular_adj) < alpha else "warning", address, {
        "answers": k,
        "first": first,
        "last": last,
        "villages": tuple(str(v) for v, _n in where.most_common() if v is not None),
        "village_answers": seen,
        "address_answers": mine,
        "share_elsewhere": mine_out / (everyone - seen) if everyone > seen else None,
        "crowd": share_adj < alpha,
        "one_by_one": regular_adj < alpha,
        "min_gap_seconds": smallest,
        "median_gap_seconds": statistics.median(gaps),
        "p_share": p_share,
        "p_regular": p_regular,
        "adjusted_p_value": min(share_adj, regular_adj),
        "alpha": alpha,
    })


def _meeting_note(meeting: tuple[Village, datetime, datetime], addresses: list[str | None]) -> Indicator:
    village, start, end = meeting
    return Indicator("declared_meeting", "info", None if village is None else str(village), {
        "answers": len(addresses),
        "addresses": len({a for a in addresses if a is not None}),
        "start": start,
        "end": end,
    })
