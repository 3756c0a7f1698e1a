"""Indicators on when answers arrived: bursts, paper keying speed, the collection window."""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from .._validation import check_count, check_positive
from .indicator import Indicator

__all__ = ["answers_outside_window", "bursts", "fast_keying"]


def bursts(
    timestamps: Sequence[datetime],
    clients: Sequence[str | None],
    *,
    window: timedelta = timedelta(minutes=10),
    min_answers: int = 5,
) -> tuple[Indicator, ...]:
    """Flag clients (hashed IP/device) that sent at least `min_answers` web answers within `window`.

    Severity is ``alert`` from twice `min_answers`. A None client is unknown and skipped.
    """
    if len(timestamps) != len(clients):
        raise ValueError(f"got {len(timestamps)} timestamps but {len(clients)} clients")
    if not isinstance(window, timedelta) or window <= timedelta(0):
        raise ValueError(f"window must be a positive timedelta, got {window!r}")
    if check_count(min_answers, "min_answers") < 2:
        raise ValueError("min_answers must be at least 2")
    by_client: dict[str, list[datetime]] = {}
    for moment, client in zip(timestamps, clients, strict=True):
        if client is not None:
            by_client.setdefault(client, []).append(moment)
    found = []
    for client, moments in by_client.items():
        moments.sort()
        best, best_start, start = 0, 0, 0
        for end, moment in enumerate(moments):
            while moment - moments[start] > window:
                start += 1
            if end - start + 1 > best:
                best, best_start = end - start + 1, start
        if best >= min_answers:
            found.append(
                Indicator(
                    "burst",
                    "alert" if best >= 2 * min_answers else "warning",
                    client,
                    {
                        "answers": best,
                        "first": moments[best_start],
                        "last": moments[best_start + best - 1],
                        "window_seconds": window.total_seconds(),
                        "client_answers": len(moments),
                    },
                )
            )
    return tuple(found)


def fast_keying(
    batches: Iterable[tuple[str, int, float]], *, min_seconds_per_form: float = 15.0, min_forms: int = 5
) -> tuple[Indicator, ...]:
    """Flag paper batches keyed implausibly fast: seconds elapsed / phiếu below the minimum.

    A batch is ``(batch_id, forms, seconds_elapsed)``; only its mean time per phiếu is known. Batches
    with fewer than `min_forms` phiếu are too small to judge. The median over all judged batches is
    given as context.
    """
    limit = check_positive(min_seconds_per_form, "min_seconds_per_form")
    smallest = check_count(min_forms, "min_forms")
    paces = []
    for batch_id, forms, seconds in batches:
        forms = check_count(forms, "forms")
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not seconds >= 0:
            raise ValueError(f"batch {batch_id}: seconds elapsed must be non-negative, got {seconds!r}")
        if forms and forms >= smallest:
            paces.append((batch_id, forms, float(seconds), seconds / forms))
    if not paces:
        return ()
    median = statistics.median(pace for *_, pace in paces)
    return tuple(
        Indicator(
            "fast_keying",
            "warning",
            str(batch_id),
            {
                "forms": forms,
                "seconds": seconds,
                "seconds_per_form": pace,
                "median_seconds_per_form": median,
                "min_seconds_per_form": limit,
            },
        )
        for batch_id, forms, seconds, pace in paces
        if pace < limit
    )


def answers_outside_window(
    timestamps: Sequence[datetime], start: datetime, end: datetime
) -> tuple[Indicator, ...]:
    """Flag answers timed before `start` or after `end` (both inclusive bounds of the window)."""
    if end < start:
        raise ValueError("the collection window ends before it starts")
    early = [i for i, moment in enumerate(timestamps) if moment < start]
    late = [i for i, moment in enumerate(timestamps) if moment > end]
    if not early and not late:
        return ()
    outside = [timestamps[i] for i in early + late]
    return (
        Indicator(
            "outside_window",
            "alert",
            None,
            {
                "before": len(early),
                "after": len(late),
                "positions": tuple(early + late),
                "earliest": min(outside),
                "latest": max(outside),
                "start": start,
                "end": end,
            },
        ),
    )
