"""Pen ink over an item's label words ("Hài lòng", "Không hài lòng"): a ✓, an X or an underline there.

The stray-ink search leaves the labels out (their print is ink), so a mark made over the words and not in a box
went unseen: with both boxes empty the item read blank. Every item of a page prints the same two labels at the
same place in its row, so the page itself shows what a label's print looks like through this scanner, this
blur and this light: the pixelwise median of that label over the page's items (the lighter of two when the
page has two items; no reference for a page of one item). New ink is what the page's pen-stroke rule finds
in an item's label where that reference, widened by ``SLACK_PX`` for the fit's sub-millimetre error, is paper.
Pure NumPy and OpenCV.
"""
from __future__ import annotations

import cv2
import numpy as np

from . import strays
from .layout import ItemLayout, PageLayout, Rect

#: Millimetres around the label's printed words included in its window.
MARGIN = 0.5
#: Pixels by which the reference print is widened (grey dilation) before new ink is looked for outside it.
SLACK_PX = 1
#: New pen ink over a left-empty box's label words (mm²) above which the item is doubtful: when both boxes are
#: empty (any: clean labels show none once specks are left out), and beside a clear mark (where a dash's
#: fragments cut by the print may reach 1.7 mm²). Pieces under SPECK_MM2 are specks, left out.
LABEL_INK_MM2 = {False: 0.0, True: 2.0}
SPECK_MM2 = 0.2
#: Millimetres around a label's window where a stroke over its words may have its core.
REACH_MM = 2.5
#: The labels whose words are looked at for a mark, by the boxes' states: those of the empty boxes (a mark over
#: the marked box's own label agrees with it, and its spill may reach there).
EMPTY_SIDES = {("empty", "empty"): (0, 1), ("marked", "empty"): (1,), ("empty", "marked"): (0,)}


def window(label: Rect, scale: float, size: tuple[int, int] | None = None) -> tuple[slice, slice]:
    """The pixel window of a label (with MARGIN) on the straightened page; ``size`` (h, w) fixes its shape."""
    y, x = round((label.y - MARGIN) * scale), round((label.x - MARGIN) * scale)
    h, w = size or (round((label.h + 2 * MARGIN) * scale), round((label.w + 2 * MARGIN) * scale))
    return slice(max(y, 0), y + h), slice(max(x, 0), x + w)


def references(dark: np.ndarray, page: PageLayout, scale: float) -> tuple[np.ndarray | None, ...]:
    """The page's print of label 1 and of label 2 (darkness), from its items' own labels; None for a page of
    fewer than two items."""
    found = []
    for number in (0, 1):
        labels = [item.labels[number].box for item in page.items]
        if len(labels) < 2:
            found.append(None)
            continue
        first = dark[window(labels[0], scale)]
        crops = [dark[window(label, scale, first.shape)] for label in labels]
        crops = [crop for crop in crops if crop.shape == first.shape]
        stack = np.stack(crops)
        found.append(np.median(stack, axis=0) if len(crops) > 2 else stack.min(axis=0))
    return tuple(found)


def new_ink(pen: np.ndarray, reference: np.ndarray | None, paper_below: float) -> np.ndarray:
    """The pen strokes of a label window (``pen``, its stroke mask) where the reference print, widened by
    SLACK_PX for the fit's error, is paper (lighter than ``paper_below``); nothing without a reference."""
    if reference is None or pen.shape != reference.shape:
        return np.zeros(pen.shape, bool)
    kernel = np.ones((2 * SLACK_PX + 1, 2 * SLACK_PX + 1), np.uint8)
    return pen & ~(cv2.dilate(reference.astype(np.float32), kernel) >= paper_below)


def words(dark: np.ndarray, label: Rect, reference: np.ndarray | None, pen_of, paper_below: float,
          scale: float) -> np.ndarray:
    """New pen ink over a label's words (``new_ink``; ``pen_of(values)`` is the page's pen-stroke mask), specks
    left out: its pixels (N × 2, x and y on the page)."""
    if reference is None:
        return np.empty((0, 2), int)
    rows, cols = window(label, scale, reference.shape)
    reach = round(REACH_MM * scale)
    top, left = max(rows.start - reach, 0), max(cols.start - reach, 0)
    pen = pen_of(dark[top:rows.stop + reach, left:cols.stop + reach])
    new = new_ink(pen[rows.start - top:rows.stop - top, cols.start - left:cols.stop - left], reference,
                  paper_below)
    count, pieces, stats, _centres = cv2.connectedComponentsWithStats(new.astype(np.uint8), connectivity=8)
    kept = np.isin(pieces, [n for n in range(1, count) if stats[n, cv2.CC_STAT_AREA] >= SPECK_MM2 * scale * scale])
    ys, xs = np.nonzero(kept)
    return np.column_stack([xs + cols.start, ys + rows.start])


def over_words(dark: np.ndarray, item: ItemLayout, states: tuple[str, str], row: strays.Row, page_inks,
               strokes, scale: float) -> float:
    """Pen ink (mm²) over the words of the empty boxes' labels that may be an answer, 0 when there is none
    (``page_inks`` holds the page's references and thresholds, ``strokes(values, page_inks)`` its stroke rule).

    Both boxes empty: any above LABEL_INK_MM2. Beside a clear mark, a slip of the pen may cross the other
    label as it may cross the gap between the answers: the ink over its words, with the dashes of the gap
    touching it, counts unless together they are one dash (no fill asked: the print cuts a stroke across it),
    which a ✓ whose short stroke lies over the words and long one in the gap is not."""
    if states not in EMPTY_SIDES:
        return 0.0
    mm2 = scale * scale
    found = {number: words(dark, item.labels[number].box, page_inks.labels[number],
                           lambda values: strokes(values, page_inks), page_inks.grow, scale)
             for number in EMPTY_SIDES[states]}
    if states == ("empty", "empty"):
        ink = max(len(points) for points in found.values()) / mm2
        return ink if ink > LABEL_INK_MM2[False] else 0.0
    other = states.index("empty")
    touching = [piece.points for piece in row.pieces if piece.dash and 2 + other in piece.touches]
    if not len(found[other]) or (not touching and len(found[other]) / mm2 <= LABEL_INK_MM2[True]):
        return 0.0
    together = np.concatenate([found[other], *touching])
    return 0.0 if strays.is_dash(together, scale, fill=0.0) else len(found[other]) / mm2
