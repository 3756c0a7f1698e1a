"""Ink in an item's answer row away from its boxes and labels: a slip of the pen, or maybe an answer?

A *dash* is one thin, short, straight stroke: its minimum-area rectangle (OpenCV ``minAreaRect``) is long
and narrow and the stroke fills most of it. An X or a ✓ (two strokes meeting or crossing) fills little of its
rectangle, a dot or a filled blob is not elongated, a ring around a label is neither, and a long line may be an
underline: none of these is a dash. The reader lets one dash pass beside an item whose single marked box is
clear, unless the dash touches the other box or the other label while they hold more ink than the page's
usual ones (then it may be the visible part of a mark made over them). Pure NumPy and OpenCV.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

#: A dash is at most DASH_MM long and DASH_WIDTH wide (mm), at least ELONGATION times longer than wide, and
#: fills at least FILL of its minimum-area rectangle.
DASH_MM, DASH_WIDTH, ELONGATION, FILL = 6.5, 1.8, 2.0, 0.68
#: Stray ink (mm²) other than the dash an item may hold when its dash is let pass: specks, noise.
DUST_MM2 = 1.0
#: Ink (mm²) above the page's usual box border band or label (lower quartile) that a zone touched by the dash
#: may hold: the dash's own end running into it, and the print's own spread (about 2 mm² at 150 dpi).
ZONE_SLACK = 3.0
#: Stray ink this close (mm) to a left-out zone is not judged by its shape (a blurred glyph's edge).
TRIM_MM = 0.5


@dataclass(frozen=True)
class Component:
    """One connected piece of stray ink: its area (mm²), whether it is a dash, and the zones it touches."""

    mm2: float
    dash: bool
    touches: frozenset[int]
    #: Its pixels (N × 2, x and y on the page: ``pieces``'s ``origin`` added).
    points: np.ndarray = field(default_factory=lambda: np.empty((0, 2), int), compare=False, repr=False)


@dataclass(frozen=True)
class Row:
    """An item's stray ink by piece, and the pen ink (mm²) in each zone left out of the search (box 1's border
    band, box 2's, label 1, label 2)."""

    pieces: tuple[Component, ...]
    zones: tuple[float, float, float, float]

    def dash_passes(self, other: int, printed: tuple[float, float, float]) -> bool:
        """Whether the row's stray ink is one dash (and dust) that cannot be part of a mark on the box ``other``
        (0 or 1, the empty one) or its label; ``printed`` is the page's usual box band, label 1 and label 2."""
        dashes = [piece for piece in self.pieces if piece.dash]
        if len(dashes) != 1 or sum(piece.mm2 for piece in self.pieces if not piece.dash) > DUST_MM2:
            return False
        for zone, clean in ((other, printed[0]), (2 + other, printed[1 + other])):
            if zone in dashes[0].touches and self.zones[zone] - clean > ZONE_SLACK:
                return False
        return True


def is_dash(points: np.ndarray, scale: float, fill: float = FILL) -> bool:
    """Whether the pixels ``points`` (N × 2, one connected piece) are one thin short straight stroke; ``fill`` is
    the least share of its rectangle they fill (none is asked of a stroke across printed words, cut by them)."""
    (_cx, _cy), (w, h), _angle = cv2.minAreaRect(points.astype(np.float32))
    long, short = max(w, h) + 1.0, min(w, h) + 1.0
    return (long <= DASH_MM * scale and short <= DASH_WIDTH * scale and long >= ELONGATION * short
            and len(points) >= fill * long * short)


def pieces(stray: np.ndarray, zones: np.ndarray, scale: float,
           origin: tuple[int, int] = (0, 0)) -> tuple[Component, ...]:
    """The connected pieces of the stray mask, each trimmed TRIM_MM off the left-out zones (where a printed
    glyph's edge or a box border blurred out of its zone would join it); ``zones`` numbers those zones 1-4
    (0 elsewhere). A piece's touches are the zones within TRIM_MM and a pixel of it; ``origin`` (x, y) is
    where the mask's first pixel lies on the page."""
    trim = max(round(TRIM_MM * scale), 1)
    reach = np.ones((2 * trim + 3, 2 * trim + 3), np.uint8)
    near = cv2.dilate((zones > 0).astype(np.uint8), np.ones((2 * trim + 1, 2 * trim + 1), np.uint8))
    kept = stray & ~near.astype(bool)
    count, labels = cv2.connectedComponents(kept.astype(np.uint8), connectivity=8)
    found = []
    for label in range(1, count):
        piece = labels == label
        ys, xs = np.nonzero(piece)
        touching = np.unique(zones[cv2.dilate(piece.astype(np.uint8), reach).astype(bool)])
        points = np.column_stack([xs, ys])
        found.append(Component(len(xs) / (scale * scale), is_dash(points, scale),
                               frozenset(int(z) - 1 for z in touching if z), points + origin))
    return tuple(found)
