"""Read one scanned or photographed page of a printed phiếu: find it, straighten it, decide every item.

``locate`` (in ``align``) finds the page's QR code; ``read`` aligns the page on its registration marks,
refuses a fit whose residual is too large or whose printed box edges are not where the layout puts them,
straightens it (``SCALE`` pixels per millimetre), and measures the ink inside each answer box (its inner
part, away from the printed border) and around the answers.

Ink is judged against the page itself (``inks``): its paper noise and the darkness of its hand's marks set
the hysteresis thresholds of pen strokes, so a light-handed ballpoint's clear mark is decided as surely as a
felt tip's, while a mark far lighter than the page's own (an erasure) or barely above the paper is not.
Each item is decided satisfied, not satisfied or blank only when the evidence is clear: one box holding a
pen stroke, the other clean. Anything else (two boxes marked, a faint or small mark, ink between the
thresholds, ink beside the boxes such as a circled label, a mark over the words of a label: ``labels``) is
UNSURE, for a person to decide, bar one thin short straight dash beside a clear mark (``strays``). Pure:
NumPy, OpenCV and zxing-cpp; no Flask, no database.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace

import cv2
import numpy as np

from . import labels, payload, strays
from .align import SCALE, Found, align, grey, locate, straighten
from .layout import FormLayout, ItemLayout, PageLayout, Rect

__all__ = ["SCALE", "Decision", "Found", "Inks", "ItemReading", "PageReading", "align", "border_ink", "darkness",
           "decide", "grey", "inks", "locate", "printed_ink", "read", "straighten", "strokes", "writing"]

#: Darkness (0 paper … 1 black, against the local paper colour) from which a pixel is faint ink, whatever the
#: page: a fixed floor, never raised by a noisy page (a faint mark must never vanish into "empty").
FAINT_INK = 0.12
#: The cores of pen strokes (hysteresis seeds) are at least SEED_SHARE of the page's stroke level (the darkness
#: of its hand's marks), kept within [SEED_FLOOR, SEED_CAP]; strokes grow from them into connected pixels at
#: least GROW_SHARE of the seed threshold, the faint floor and NOISE_MARGIN × the page's paper noise.
SEED_FLOOR, SEED_SHARE, SEED_CAP, GROW_SHARE, NOISE_MARGIN = 0.28, 0.5, 0.45, 0.6, 3.0
#: Shares of a box's inner area in pen strokes: at least MARKED is a mark (the thinnest ✓ holds 0.15 and more,
#: a 1 mm speck with its halo about 0.06), at most EMPTY (with at most FAINT in faint ink) empty.
MARKED, EMPTY, FAINT = 0.1, 0.012, 0.04
#: Ink beside the boxes (mm²) above which the item is doubtful: a circled label, a mark outside a box (a dash
#: beside a clear mark excepted: ``strays.Row.dash_passes``).
STRAY_MM2 = 3.0
INNER_INSET = 1.1  # mm inside the box's printed edge: the border and the alignment error stay out
BOX_CLEARANCE, LABEL_CLEARANCE = 0.9, 0.5  # mm around boxes and labels left out of the stray-ink search
#: A stroke connected to a box's mark is that mark (a ✓'s tail, an X's spill) up to this far (mm) off the box.
MARK_REACH = 2.5
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
    over_label: float = 0.0  # mm² of new ink over the words of the label(s) of the box(es) left empty


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


@dataclass(frozen=True)
class Inks:
    """A page's own ink thresholds (darkness): its paper noise, the faint floor, the stroke level of its hand,
    and the hysteresis thresholds of pen strokes (cores at ``seed``, grown down to ``grow``)."""

    noise: float
    faint: float
    level: float
    seed: float
    grow: float
    #: Pen ink (mm²) of the page's usual box border band, label 1 and label 2 (``printed_ink``); zero
    #: (nothing is print) until measured, so no dash touching them passes.
    printed: tuple[float, float, float] = (0.0, 0.0, 0.0)
    #: The page's own print of label 1 and label 2 (``labels.references``), to see new ink over the words.
    labels: tuple = field(default=(None, None), compare=False, repr=False)


def _inner(dark: np.ndarray, box: Rect) -> np.ndarray:
    return _cut(dark, box.grow(-INNER_INSET))


def inks(dark: np.ndarray, page: PageLayout) -> Inks:
    """The page's thresholds from its own boxes, as OMRChecker and SDAPS set theirs from the sheet's marks.

    Each box's peak is the 99th percentile of its inner darkness. The cleaner box of an item is paper (one
    mark per item, bar corrections), so the lower quartile of the cleaner peaks is the paper noise; the boxes
    peaking at or above SEED_FLOOR hold the hand's marks, and the upper quartile of their peaks is its stroke
    level. The sorted peaks jump from paper to ink as OMRChecker's do; a mark far lighter than the page's own
    (an erasure) has no core."""
    peaks = np.array([[float(np.percentile(_inner(dark, box), 99)) for box in item.boxes] for item in page.items])
    noise = float(np.percentile(peaks.min(axis=1), 25)) if len(peaks) else 0.0
    inked = peaks[peaks >= SEED_FLOOR]
    level = float(np.percentile(inked, 75)) if inked.size else 0.0
    seed = min(max(SEED_SHARE * level, SEED_FLOOR), SEED_CAP)
    grow = min(max(GROW_SHARE * seed, FAINT_INK, NOISE_MARGIN * noise), seed)
    return Inks(noise, FAINT_INK, level, seed, grow)


def strokes(values: np.ndarray, page_inks: Inks) -> np.ndarray:
    """Pen strokes by hysteresis: connected pixels at least ``grow`` dark holding a core at least ``seed``."""
    weak = (values >= page_inks.grow).astype(np.uint8)
    count, labels = cv2.connectedComponents(weak, connectivity=8)
    if count <= 1:
        return weak.astype(bool)
    seeded = np.zeros(count, bool)
    seeded[labels[values >= page_inks.seed]] = True
    seeded[0] = False
    return seeded[labels]


def _box_state(dark: np.ndarray, box: Rect, page_inks: Inks) -> tuple[str, float, float]:
    inner = _inner(dark, box)
    stroke = strokes(inner, page_inks)
    ink = float(stroke.mean())
    faint = float(((inner >= page_inks.faint) & ~stroke).mean())
    if ink >= MARKED:
        return "marked", ink, faint
    if ink <= EMPTY and faint <= FAINT:
        return "empty", ink, faint
    return "doubt", ink, faint


def _local(area: Rect, rect: Rect) -> tuple[slice, slice]:
    return (slice(max(round((rect.y - area.y) * SCALE), 0), max(round((rect.bottom - area.y) * SCALE), 0)),
            slice(max(round((rect.x - area.x) * SCALE), 0), max(round((rect.right - area.x) * SCALE), 0)))


def _zones(item: ItemLayout, shape: tuple[int, int]) -> np.ndarray:
    """The zones left out of the stray-ink search, numbered 1-4: box 1, box 2 (with their clearance), label 1,
    label 2 (with theirs); 0 elsewhere in the answer row."""
    zones = np.zeros(shape, np.uint8)
    for number, (rect, clearance) in enumerate(((item.boxes[0], BOX_CLEARANCE), (item.boxes[1], BOX_CLEARANCE),
                                                (item.labels[0].box, LABEL_CLEARANCE),
                                                (item.labels[1].box, LABEL_CLEARANCE)), 1):
        zones[_local(item.answers, rect.grow(clearance))] = number
    return zones


def _zone_ink(pen: np.ndarray, zones: np.ndarray, item: ItemLayout) -> tuple[float, float, float, float]:
    """Pen ink (mm²) in each zone: the boxes' border bands (their inner part left out), the labels."""
    band = pen.copy()
    for box in item.boxes:
        band[_local(item.answers, box.grow(-INNER_INSET))] = False
    mm2 = SCALE * SCALE
    return tuple(float((band & (zones == number)).sum()) / mm2 for number in (1, 2, 3, 4))


def printed_ink(dark: np.ndarray, page: PageLayout, page_inks: Inks) -> tuple[float, float, float]:
    """The page's box border bands, first labels and second labels (mm² of pen ink, lower quartile of each):
    what the print holds."""
    rows = []
    for item in page.items:
        values = _cut(dark, item.answers)
        rows.append(_zone_ink(strokes(values, page_inks), _zones(item, values.shape), item))
    if not rows:
        return (0.0, 0.0, 0.0)
    quartile = lambda values: float(np.percentile(values, 25))  # noqa: E731
    return (quartile([row[0] for row in rows] + [row[1] for row in rows]), quartile([row[2] for row in rows]),
            quartile([row[3] for row in rows]))


def _stray(dark: np.ndarray, item: ItemLayout, page_inks: Inks) -> tuple[float, float, strays.Row]:
    """Ink (mm²) in the answer row away from the boxes and the labels' words: pen strokes by the page's
    thresholds (bar a box's own mark reaching out of it), anything above the faint floor, and the pen strokes
    by piece (``strays``)."""
    area = item.answers
    values = _cut(dark, area)
    zones = _zones(item, values.shape)
    off = zones == 0
    pen = strokes(values, page_inks)
    count, labels = cv2.connectedComponents(pen.astype(np.uint8), connectivity=8)
    attached, near = np.zeros(count, bool), np.zeros(values.shape, bool)
    for box in item.boxes:
        attached[np.unique(labels[_local(area, box.grow(-INNER_INSET))])] = True
        near[_local(area, box.grow(MARK_REACH))] = True
    attached[0] = False
    stray = pen & off & ~(attached[labels] & near)
    mm2 = SCALE * SCALE
    origin = (round(area.x * SCALE), round(area.y * SCALE))
    row = strays.Row(strays.pieces(stray, zones, SCALE, origin), _zone_ink(pen, zones, item))
    return float(stray.sum()) / mm2, float(((values >= page_inks.faint) & off).sum()) / mm2, row


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


def decide(dark: np.ndarray, item: ItemLayout, page_inks: Inks) -> ItemReading:
    """One item from the darkness of the straightened page and the page's ink thresholds."""
    (s1, ink1, faint1), (s2, ink2, faint2) = (_box_state(dark, box, page_inks) for box in item.boxes)
    stray, faint_stray, row = _stray(dark, item, page_inks)
    states = (s1, s2)
    if stray > STRAY_MM2 and states in (("marked", "empty"), ("empty", "marked")) and row.dash_passes(
            states.index("empty"), page_inks.printed):
        stray = sum(piece.mm2 for piece in row.pieces if not piece.dash)  # a slip of the pen beside a clear mark
    if states == ("empty", "empty"):  # nothing in the boxes: even faint ink beside them (a ring) is a doubt
        stray = max(stray, faint_stray)
    over_label = labels.over_words(dark, item, states, row, page_inks, strokes, SCALE)
    if states == ("marked", "marked"):
        decision, why = Decision.UNSURE, "two_marks"
    elif "doubt" in states:
        decision, why = Decision.UNSURE, "faint"
    elif stray > STRAY_MM2 or over_label:
        decision, why = Decision.UNSURE, "stray"
    else:
        decision = {("marked", "empty"): Decision.SATISFIED, ("empty", "marked"): Decision.NOT_SATISFIED,
                    ("empty", "empty"): Decision.BLANK}[states]
        why = ""
    return ItemReading(item.key, decision, why, (ink1, ink2), (faint1, faint2), stray, over_label)


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
    first = inks(dark, page)
    page_inks = replace(first, printed=printed_ink(dark, page, first), labels=labels.references(dark, page, SCALE))
    return PageReading(page_id, "", tuple(decide(dark, item, page_inks) for item in page.items), residual, straight,
                       writing(dark, page, page_inks))


def writing(dark: np.ndarray, page: PageLayout, page_inks: Inks) -> dict[str, float]:
    """Ink (mm², pen strokes by the page's thresholds) written on each reason line (above its printed dots) and
    inside the opinion box."""
    areas = {item.key: Rect(item.reason.x, item.reason.y, item.reason.w, item.reason.h - 1.6) for item in page.items}
    if page.opinion is not None:
        areas["opinion"] = page.opinion.grow(-1.0)
    return {key: round(float(strokes(_cut(dark, rect), page_inks).sum()) / (SCALE * SCALE), 2)
            for key, rect in areas.items()}

