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

from .layout import PageLayout, Rect

#: Millimetres around the label's printed words included in its window.
MARGIN = 0.5
#: Pixels by which the reference print is widened (grey dilation) before new ink is looked for outside it.
SLACK_PX = 1


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
