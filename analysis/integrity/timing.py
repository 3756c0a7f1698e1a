"""Indicators on when answers arrived: paper keying speed, the collection window (bursts: ``bursts``)."""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from scipy.stats import norm

from .._validation import check_count, check_positive
from .bursts import Traffic, bursts
from .indicator import Indicator

__all__ = ["Traffic", "answers_outside_window", "bursts", "fast_keying"]


def _weighted_median(values: list[tuple[float, int]]) -> float:
    """The median of ``(value, weight)`` pairs."""
    ordered, half, running = sorted(values), sum(w for _v, w in values) / 2, 0
    for value, weight in ordered:
        running += weight
        if running >= half:
            return value
    return ordered[-1][0]


@dataclass(frozen=True)
class _Model:
    """How keying times scatter (log scale) and when a batch is too fast to pass."""

    alpha: float
    max_ratio: float
    form_spread: float
    drift: float
    keyer_spread: float
    floor: float

    def batch_sd(self, forms: int) -> float:
        """Scatter of a batch's log mean time per phiếu around its keyer's pace."""
        return math.sqrt(self.form_spread ** 2 / forms + self.drift ** 2)


def fast_keying(
    batches: Iterable[tuple[str, str, int, float]],
    *,
    alpha: float = 0.01,
    min_forms: int = 5,
    max_ratio: float = 0.5,
    form_spread: float = 0.6,
    drift: float = 0.15,
    keyer_spread: float = 0.35,
    floor_seconds: float = 4.0,
) -> tuple[Indicator, ...]:
    """Flag paper batches keyed implausibly fast for the person who keyed them.

    A batch is ``(keyer, batch_id, forms, seconds_elapsed)``: one keyer's phiếu within an hour, of which
    only the mean time per phiếu is known. Keyers differ (one types a phiếu in 8 s, another in 25 s), so
    a batch is compared with its keyer's own pace: the median over the keyer's batches, weighted by phiếu
    (judged from three batches on). The log of a batch's mean time scatters around it by
    ``form_spread / sqrt(forms)`` (phiếu to phiếu) and ``drift`` (hour to hour), or more if the keyer's own
    batches scatter more, and the median itself is uncertain; a batch is flagged when its one-sided
    p-value, Bonferroni-adjusted for the batches judged, is below `alpha` and it is faster than
    ``max_ratio`` times the keyer's pace. A keyer whose own pace is that far below the other keyers' (who
    differ by ``keyer_spread`` on the log scale; tested at a hundredth of `alpha`, as keyers differ widely) is
    flagged as a whole, with their fastest batch. Any batch under ``floor_seconds`` per phiếu (nobody
    reads and types a paper phiếu that fast) is an alert. Batches under `min_forms` phiếu are not judged.
    """
    smallest = check_count(min_forms, "min_forms")
    for name, value in (("alpha", alpha), ("max_ratio", max_ratio)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < 1:
            raise ValueError(f"{name} must lie strictly between 0 and 1, got {value!r}")
    model = _Model(float(alpha), float(max_ratio), *(check_positive(v, n) for v, n in (
        (form_spread, "form_spread"), (drift, "drift"), (keyer_spread, "keyer_spread"),
        (floor_seconds, "floor_seconds"))))
    keyers: dict[str, list[tuple[str, int, float, float]]] = {}
    for keyer, batch_id, forms, seconds in batches:
        forms = check_count(forms, "forms")
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not seconds >= 0:
            raise ValueError(f"batch {batch_id}: seconds elapsed must be non-negative, got {seconds!r}")
        if forms and forms >= smallest:
            keyers.setdefault(str(keyer), []).append((str(batch_id), forms, float(seconds), seconds / forms))
    judged = sum(len(rows) for rows in keyers.values())
    if not judged:
        return ()
    own = {keyer: math.exp(_weighted_median([(_log(pace), forms) for _b, forms, _s, pace in rows]))
           for keyer, rows in keyers.items()}
    everyone = statistics.median(pace for rows in keyers.values() for *_rest, pace in rows)
    found = []
    for keyer, rows in keyers.items():
        flagged = _fast_for_keyer(keyer, rows, own[keyer], model, judged)
        flagged += _fast_keyer(keyer, rows, own, model, flagged)
        found += [Indicator(i.kind, i.severity, i.subject, dict(i.evidence) | {"median_seconds_per_form": everyone})
                  for i in flagged]
    return tuple(found)


def _log(pace: float) -> float:
    return math.log(max(pace, 0.01))


def _evidence(keyer: str, row: tuple[str, int, float, float], own: float, p_value: float, tests: int,
              alpha: float) -> dict:
    _batch, forms, seconds, pace = row
    return {"keyer": keyer, "forms": forms, "seconds": seconds, "seconds_per_form": pace,
            "own_seconds_per_form": own, "p_value": p_value, "adjusted_p_value": min(1.0, p_value * tests),
            "alpha": alpha}


def _fast_for_keyer(keyer: str, rows: list[tuple[str, int, float, float]], own: float, model: _Model,
                    judged: int) -> list[Indicator]:
    """The batches of one keyer that are too fast for their own pace (or for anybody's)."""
    sds = [model.batch_sd(forms) for _b, forms, _s, _p in rows]
    typical = statistics.median(sds)
    residuals = [(_log(pace) - _log(own)) / sd for (*_rest, pace), sd in zip(rows, sds, strict=True)]
    scale = 1.0
    if len(rows) >= 5:  # a keyer whose hours vary more than the model says is judged on their own scatter
        centre = statistics.median(residuals)
        scale = max(1.0, 1.4826 * statistics.median(abs(r - centre) for r in residuals))
    critical = norm.ppf(model.alpha / judged)
    found = []
    for row, sd in zip(rows, sds, strict=True):
        pace = row[3]
        spread = scale * math.sqrt(sd ** 2 + math.pi / 2 * typical ** 2 / len(rows))
        p_value = float(norm.cdf((_log(pace) - _log(own)) / spread)) if len(rows) >= 3 else 1.0
        limit = own * min(model.max_ratio, math.exp(critical * spread)) if len(rows) >= 3 else 0.0
        if pace < model.floor or (p_value * judged < model.alpha and pace < model.max_ratio * own):
            found.append(Indicator("fast_keying", "alert" if pace < model.floor else "warning", row[0],
                                   _evidence(keyer, row, own, p_value, judged, model.alpha) | {
                                       "limit_seconds_per_form": max(limit, model.floor),
                                       "basis": "own" if pace < limit else "floor"}))
    return found


def _fast_keyer(keyer: str, rows: list[tuple[str, int, float, float]], own: dict[str, float], model: _Model,
                flagged: list[Indicator]) -> list[Indicator]:
    """The keyer as a whole, when their own pace is far below the other keyers' (their fastest batch)."""
    others = [pace for other, pace in own.items() if other != keyer]
    fastest = min(rows, key=lambda r: r[3])
    if not others or any(i.subject == fastest[0] for i in flagged):
        return []
    typical, alpha = statistics.median(others), model.alpha / 100
    forms = sum(r[1] for r in rows)
    spread = math.sqrt(model.keyer_spread ** 2 * (1 + 1 / len(others)) + model.form_spread ** 2 / forms)
    p_value = float(norm.cdf((_log(own[keyer]) - _log(typical)) / spread))
    if p_value * len(own) >= alpha or own[keyer] >= model.max_ratio * typical:
        return []
    limit = typical * min(model.max_ratio, math.exp(norm.ppf(alpha / len(own)) * spread))
    return [Indicator("fast_keying", "alert" if fastest[3] < model.floor else "warning", fastest[0],
                      _evidence(keyer, fastest, own[keyer], p_value, len(own), alpha) | {
                          "others_seconds_per_form": typical, "keyer_forms": forms,
                          "limit_seconds_per_form": limit, "basis": "others"})]


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
