"""Integrity indicators: anomalies an auditor should look at, computed on plain inputs.

Each function returns a tuple of `Indicator` objects, one per triggered case (empty when nothing is
found). Indicators are prompts for a human check, not proof of fraud; thresholds are parameters.
`severity` is a code: ``info`` (worth a note), ``warning`` (check it), ``alert`` (check it first).
"""

from __future__ import annotations

import statistics
import string
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import MappingProxyType

from scipy.stats import fisher_exact

from ._validation import check_count, check_sample

__all__ = [
    "Indicator",
    "answers_outside_window",
    "bursts",
    "fast_keying",
    "full_coverage",
    "identical_opinions",
    "normalise_opinion",
    "outlier_villages",
]

_STRIP = string.punctuation + string.whitespace + "…“”‘’–—"


@dataclass(frozen=True, slots=True)
class Indicator:
    """One triggered anomaly: `kind`, `severity`, the `subject` it concerns, and its `evidence`."""

    kind: str
    severity: str
    subject: str | None
    evidence: Mapping[str, object] = field(hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "evidence", MappingProxyType(dict(self.evidence)))


def _positive(value: float, name: str) -> float:
    """Check a positive real parameter."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise ValueError(f"{name} must be a positive number, got {value!r}")
    return float(value)


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
            found.append(Indicator(
                "burst", "alert" if best >= 2 * min_answers else "warning", client,
                {"answers": best, "first": moments[best_start], "last": moments[best_start + best - 1],
                 "window_seconds": window.total_seconds(), "client_answers": len(moments)},
            ))
    return tuple(found)


def fast_keying(
    batches: Iterable[tuple[str, int, float]], *, min_seconds_per_form: float = 15.0, min_forms: int = 5
) -> tuple[Indicator, ...]:
    """Flag paper batches keyed implausibly fast: seconds elapsed / phiếu below the minimum.

    A batch is ``(batch_id, forms, seconds_elapsed)``; only its mean time per phiếu is known. Batches
    with fewer than `min_forms` phiếu are too small to judge. The median over all judged batches is
    given as context.
    """
    limit = _positive(min_seconds_per_form, "min_seconds_per_form")
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
        Indicator("fast_keying", "warning", str(batch_id),
                  {"forms": forms, "seconds": seconds, "seconds_per_form": pace,
                   "median_seconds_per_form": median, "min_seconds_per_form": limit})
        for batch_id, forms, seconds, pace in paces if pace < limit
    )


def normalise_opinion(text: str) -> str:
    """Return the comparison form of a free-text opinion: NFC, case-folded, spaces collapsed, trimmed."""
    folded = unicodedata.normalize("NFC", text).casefold()
    return " ".join(folded.split()).strip(_STRIP)


def identical_opinions(
    texts: Sequence[str | None], *, min_copies: int = 5, min_length: int = 15
) -> tuple[Indicator, ...]:
    """Flag free-text opinions repeated word for word at least `min_copies` times.

    Texts shorter than `min_length` once normalised (such as "không" or "không có ý kiến") are common
    on honest phiếu and are ignored. Evidence lists the positions of the copies in `texts`.
    """
    if check_count(min_copies, "min_copies") < 2:
        raise ValueError("min_copies must be at least 2")
    shortest = check_count(min_length, "min_length")
    positions: dict[str, list[int]] = {}
    for index, text in enumerate(texts):
        if text is None:
            continue
        if not isinstance(text, str):
            raise ValueError(f"opinion {index} must be a string or None, got {text!r}")
        key = normalise_opinion(text)
        if len(key) >= max(1, shortest):
            positions.setdefault(key, []).append(index)
    return tuple(
        Indicator("identical_opinions", "warning", None,
                  {"text": key, "copies": len(where), "positions": tuple(where)})
        for key, where in positions.items() if len(where) >= min_copies
    )


def full_coverage(units: Iterable[tuple[str, int, int]]) -> tuple[Indicator, ...]:
    """Flag villages ``(code, households, respondents)`` where coverage reaches 100 %.

    Exactly 100 % is ``info`` (a full census happens but deserves a look); above 100 % is ``alert``
    (more phiếu than households on the list).
    """
    found = []
    for code, households, respondents in units:
        big_n = check_count(households, "households")
        n = check_count(respondents, "respondents")
        if n and n >= big_n:
            found.append(Indicator("full_coverage", "alert" if n > big_n else "info", code,
                                   {"households": big_n, "respondents": n}))
    return tuple(found)


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
    return (Indicator("outside_window", "alert", None, {
        "before": len(early), "after": len(late), "positions": tuple(early + late),
        "earliest": min(outside), "latest": max(outside), "start": start, "end": end,
    }),)


def outlier_villages(units: Iterable[tuple[str, int, int]], *, alpha: float = 0.001) -> tuple[Indicator, ...]:
    """Flag villages ``(code, respondents, satisfied)`` whose rate differs from the rest of the survey.

    Each village is compared with all other villages pooled by Fisher's exact test (two-sided,
    the 2x2 table of satisfied / not satisfied); the p-value is Bonferroni-adjusted for the number of
    villages tested and the village is flagged when the adjusted p-value is below `alpha`.
    """
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float)) or not 0 < alpha < 1:
        raise ValueError(f"alpha must lie strictly between 0 and 1, got {alpha!r}")
    rows = []
    for code, respondents, satisfied in units:
        x, n, _ = check_sample(satisfied, respondents)
        if n:
            rows.append((code, n, x))
    total_n = sum(n for _, n, _ in rows)
    total_x = sum(x for _, _, x in rows)
    if len(rows) < 2 or total_x in (0, total_n):
        return ()  # nothing to compare, or every answer is the same
    found = []
    for code, n, x in rows:
        rest_n, rest_x = total_n - n, total_x - x
        p_value = float(fisher_exact([[x, n - x], [rest_x, rest_n - rest_x]]).pvalue)
        adjusted = min(1.0, p_value * len(rows))
        if adjusted < alpha:
            found.append(Indicator("outlier_village", "warning", code, {
                "respondents": n, "satisfied": x, "rate": x / n, "rest_rate": rest_x / rest_n,
                "direction": "above" if x * rest_n > rest_x * n else "below",
                "p_value": p_value, "adjusted_p_value": adjusted, "alpha": alpha,
            }))
    return tuple(found)
