"""Read one scanned or photographed page of a printed phiếu: find it, straighten it, decide every item.

``locate`` (in ``align``) finds the page's QR code; ``read`` aligns the page on its registration marks,
refuses a fit whose residual is too large or whose printed box edges are not where the layout puts them,
straightens it (``SCALE`` pixels per millimetre), and measures the ink inside each answer box (its inner
part, away from the printed border) and around the answers.

Each item is decided satisfied, not satisfied or blank only when the evidence is clear; anything else (two
boxes marked, a faint or small mark, ink between the thresholds, ink beside the boxes such as a circled
label) is UNSURE, for a person to decide. Pure: NumPy, OpenCV and zxing-cpp; no Flask, no database.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, field

import cv2
import numpy as np

from . import payload
from .align import SCALE, Found, align, grey, locate, straighten
from .layout import FormLayout, ItemLayout, PageLayout, Rect

__all__ = ["SCALE", "Decision", "Found", "ItemReading", "PageReading", "align", "border_ink", "darkness", "decide",
           "grey", "locate", "read", "straighten", "writing"]

#: Darkness (0 paper … 1 black, against the local paper colour) of a pixel of ink, and of a faint one.
INK, FAINT_INK = 0.45, 0.12
#: Shares of a box's inner area: at least MARKED is a mark, at most EMPTY (and at most FAINT faint ink) empty.
MARKED, EMPTY, FAINT = 0.06, 0.012, 0.04
#: Ink beside the boxes (mm²) above which the item is doubtful: a circled label, a mark outside a box.
STRAY_MM2 = 3.0
INNER_INSET = 1.1  # mm inside the box's printed edge: the border and the alignment error stay out
BOX_CLEARANCE, LABEL_CLEARANCE = 0.9, 0.5  # mm around boxes and labels left out of the stray-ink search
#: Largest distance (mm) between where the fitted page puts a mark or QR corner and where it was found.
MAX_RESIDUAL = 1.0
#: Half the width (mm) of the band along each printed box edge that must be dark, and how dark on average.
BORDER_BAND, MIN_BORDER = 0.3, 0.2


class Decision(enum.StrEnum):
    """What the reader makes of one item."""

    SATISFIED = "satisfied"
    NOT_SATISFIED = "not_satisfied"
    BLANK = "blank"
    UNSURE = "unsure"


@dataclass(frozen=True)
class ItemReading:
    """One item: the decision, why it is unsure (empty when sure), and the measurements behind it."""

    key: str
    decision: Decision
    why: str
    ink: tuple[float, float]  # share of each box's inner area in ink
    faint: tuple[float, float]  # share in faint ink
    stray: float  # mm² of ink beside the boxes and labels


@dataclass(frozen=True)
class PageReading:
    """A page read against its layout; ``problem`` says why it could not be (then ``items`` is empty)."""

    page_id: payload.PageId
    problem: str
    items: tuple[ItemReading, ...]
    residual: float  # mm
    straight: np.ndarray | None  # the page warped onto the layout, grey, SCALE px per mm
    #: mm² of ink in each item's reason line (by item key) and in the opinion box ("opinion"): writing
    #: to be transcribed by a person, never read by machine.
    writing: dict[str, float] = field(default_factory=dict)

    @property
    def confident(self) -> bool:
        return not self.problem and all(item.decision is not Decision.UNSURE for item in self.items)


def darkness(straight: np.ndarray) -> np.ndarray:
    """0 (paper) … 1 (black) against the local paper colour, so shadows and tinted paper read as paper.

    The paper colour is the brightest value within 12 mm, smoothed (computed at a quarter of the size)."""
    small = cv2.resize(straight, None, fx=0.25, fy=0.25, interpolation=cv2.INTER_AREA)
    side = round(12 * SCALE / 4) | 1
    paper = cv2.GaussianBlur(cv2.dilate(small, cv2.getStructuringElement(cv2.MORPH_RECT, (side, side))), (0, 0),
                             3 * SCALE / 4)
    paper = cv2.resize(paper, (straight.shape[1], straight.shape[0]), interpolation=cv2.INTER_LINEAR)
    return np.clip(1.0 - straight.astype(np.float32) / np.maximum(paper.astype(np.float32), 1.0), 0.0, 1.0)


def _cut(values: np.ndarray, rect: Rect) -> np.ndarray:
    return values[round(rect.y * SCALE):round(rect.bottom * SCALE), round(rect.x * SCALE):round(rect.right * SCALE)]


def _box_state(dark: np.ndarray, box: Rect) -> tuple[str, float, float]:
    inner = _cut(dark, box.grow(-INNER_INSET))
    ink = float((inner >= INK).mean())
    faint = float(((inner >= FAINT_INK) & (inner < INK)).mean())
    if ink >= MARKED:
        return "marked", ink, faint
    if ink <= EMPTY and faint <= FAINT:
        return "empty", ink, faint
    return "doubt", ink, faint


def _stray(dark: np.ndarray, item: ItemLayout) -> float:
    """Ink (mm²) in the answer row away from the boxes and the labels' printed words."""
    area = item.answers
    ink = (_cut(dark, area) >= INK)
    for rect, clearance in ((item.boxes[0], BOX_CLEARANCE), (item.boxes[1], BOX_CLEARANCE),
                            (item.labels[0].box, LABEL_CLEARANCE), (item.labels[1].box, LABEL_CLEARANCE)):
        r = rect.grow(clearance)
        ink[max(round((r.y - area.y) * SCALE), 0):max(round((r.bottom - area.y) * SCALE), 0),
            max(round((r.x - area.x) * SCALE), 0):max(round((r.right - area.x) * SCALE), 0)] = False
    return float(ink.sum()) / (SCALE * SCALE)


def border_ink(dark: np.ndarray, page: PageLayout) -> float:
    """The faintest printed box edge where the layout puts it (mean darkness of a band 2 × BORDER_BAND wide
    along each of the four edges of every box): a page straightened wrongly shows paper there."""
    faintest = 1.0
    b = BORDER_BAND
    for item in page.items:
        for box in item.boxes:
            wide, tall = box.w + 2 * b, box.h + 2 * b
            edges = (Rect(box.x - b, box.y - b, wide, 2 * b), Rect(box.x - b, box.bottom - b, wide, 2 * b),
                     Rect(box.x - b, box.y - b, 2 * b, tall), Rect(box.right - b, box.y - b, 2 * b, tall))
            for edge in edges:
                faintest = min(faintest, float(_cut(dark, edge).mean()))
    return faintest


def decide(dark: np.ndarray, item: ItemLayout) -> ItemReading:
    """One item from the darkness of the straightened page."""
    (s1, ink1, faint1), (s2, ink2, faint2) = (_box_state(dark, box) for box in item.boxes)
    stray = _stray(dark, item)
    states = (s1, s2)
    if states == ("marked", "marked"):
        decision, why = Decision.UNSURE, "two_marks"
    elif "doubt" in states:
        decision, why = Decision.UNSURE, "faint"
    elif stray > STRAY_MM2:
        decision, why = Decision.UNSURE, "stray"
    else:
        decision = {("marked", "empty"): Decision.SATISFIED, ("empty", "marked"): Decision.NOT_SATISFIED,
                    ("empty", "empty"): Decision.BLANK}[states]
        why = ""
    return ItemReading(item.key, decision, why, (ink1, ink2), (faint1, faint2), stray)


def read(image: np.ndarray, found: Found, layout: FormLayout) -> PageReading:
    """Read a located page against its survey's layout (the caller checked the fingerprint)."""
    page_id = found.page_id
    if page_id.pages != len(layout.pages) or page_id.fingerprint != layout.fingerprint:
        return PageReading(page_id, "layout", (), float("inf"), None)
    h, residual = align(image, found, layout)
    if h is None or residual > MAX_RESIDUAL:
        return PageReading(page_id, "marks", (), residual, None)
    straight = straighten(image, h, layout)
    dark = darkness(straight)
    page: PageLayout = layout.pages[page_id.page - 1]
    if border_ink(dark, page) < MIN_BORDER:
        return PageReading(page_id, "marks", (), residual, None)
    return PageReading(page_id, "", tuple(decide(dark, item) for item in page.items), residual, straight,
                       writing(dark, page))


def writing(dark: np.ndarray, page: PageLayout) -> dict[str, float]:
    """Ink (mm²) written on each reason line (above its printed dots) and inside the opinion box."""
    areas = {item.key: Rect(item.reason.x, item.reason.y, item.reason.w, item.reason.h - 1.6) for item in page.items}
    if page.opinion is not None:
        areas["opinion"] = page.opinion.grow(-1.0)
    return {key: round(float((_cut(dark, rect) >= INK).sum()) / (SCALE * SCALE), 2) for key, rect in areas.items()}

