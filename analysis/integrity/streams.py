"""Web answers split for `bursts`: each address's stream outside declared meetings, the meetings' answers, and
sessions of answers at most a gap apart; and the checks of `bursts`' arguments."""
from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Sequence
from datetime import datetime, timedelta

from .._validation import check_count

#: A village as the caller names it (None: unknown).
Village = Hashable | None


def _check_burst_arguments(timestamps: Sequence[datetime], addresses: Sequence[str | None],
                           villages: Sequence[Village] | None, gap: timedelta, slack: timedelta,
                           min_answers: int, alpha: float) -> Sequence[Village]:
    """Refuse arguments `bursts` cannot use; return the villages (all None when not given)."""
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
    return villages


def _streams(timestamps: Sequence[datetime], addresses: Sequence[str | None], villages: Sequence[Village],
             meetings: list[tuple[Village, datetime, datetime]], slack: timedelta,
             ) -> tuple[dict[str, list[tuple[datetime, Village]]], Counter, dict[int, list[str | None]]]:
    """Each address's answers outside declared meetings, the answers per address and per (address,
    village), and the addresses of the answers each meeting covered."""
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
        totals[address] += 1  # every village's
        if meeting is None:
            streams.setdefault(address, []).append((moment, village))
    return streams, totals, covered


def _in_meeting(moment: datetime, village: Village, meetings: list[tuple[Village, datetime, datetime]],
                slack: timedelta) -> int | None:
    for index, (where, start, end) in enumerate(meetings):
        if where == village and start - slack <= moment <= end + slack:
            return index
    return None


def _sessions(moments: list[tuple[datetime, Village]], gap: timedelta) -> list[list[tuple[datetime, Village]]]:
    """Cut one address's answers (sorted by time) where two follow each other more than ``gap`` apart."""
    sessions: list[list[tuple[datetime, Village]]] = []
    for moment in moments:
        if sessions and moment[0] - sessions[-1][-1][0] <= gap:
            sessions[-1].append(moment)
        else:
            sessions.append([moment])
    return sessions
