"""Geometry of the server-rendered SVG bar charts (no JavaScript, no inline styles: SVG attributes only)."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction

from analysis import meets

from ..formatting import percent

WIDTH = 640
BAR_WIDTH = 540
ROW_HEIGHT = 40
TOP = 18
OK, SHORT, NEUTRAL = "#0b6b2e", "#a4000f", "#0a4a8a"


@dataclass(frozen=True)
class Bar:
    """One row of a chart: its label, the bar's length and colour, and the value printed beside it."""

    y: int
    label: str
    width: float
    color: str
    value: str


@dataclass(frozen=True)
class Chart:
    """A horizontal bar chart from 0 % to 100 %, with an optional dashed threshold line."""

    title: str
    width: int
    height: int
    bar_width: int
    bars: tuple[Bar, ...]
    threshold_x: float | None
    threshold_label: str


def bar_chart(title: str, rows: Iterable[tuple[str, int, int]], threshold: str | None = None,
              threshold_label: str = "") -> Chart:
    """Build a chart from (label, part, whole) rows; a bar meeting ``threshold`` exactly is green."""
    limit = Fraction(threshold) if threshold is not None else None
    bars = []
    for index, (label, part, whole) in enumerate(rows):
        rate = Fraction(part, whole) if whole else None
        if limit is None or rate is None:
            color = NEUTRAL
        elif part > whole:  # more phiếu than households: an anomaly, never shown as fine
            color = SHORT
        else:
            color = OK if meets(part, whole, limit) else SHORT
        bars.append(Bar(TOP + index * ROW_HEIGHT, label, float(min(rate or 0, 1) * BAR_WIDTH), color,
                        percent(rate)))
    return Chart(title, WIDTH, TOP + len(bars) * ROW_HEIGHT + 4, BAR_WIDTH, tuple(bars),
                 None if limit is None else float(limit * BAR_WIDTH), threshold_label)
