"""Read one scanned or photographed page of a printed phiếu: find it, straighten it, decide every item.

``locate`` decodes the page's QR code (zxing-cpp); its four corners, in the symbol's own orientation, give a
first estimate of where the page lies, whatever its rotation (upside down included). ``read`` then finds the
four registration marks near where that estimate puts them, fits the page's perspective to marks and QR
corners together, warps the page onto the layout (``SCALE`` pixels per millimetre), and measures the ink
inside each answer box (its inner part, away from the printed border) and around the answers.

Each item is decided satisfied, not satisfied or blank only when the evidence is clear; anything else (two
boxes marked, a faint or small mark, ink between the thresholds, ink beside the boxes such as a circled
label) is UNSURE, for a person to decide. Pure: NumPy, OpenCV and zxing-cpp; no Flask, no database.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, field

import cv2
import numpy as np
import zxingcpp

from . import payload
from .layout import MARK_SIZE, PAGE_H, PAGE_W, FormLayout, ItemLayout, PageLayout, Rect

SCALE = 6.0  # pixels per millimetre of the straightened page (about 152 dpi)
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
#: How far (mm) from where the estimate so far puts a mark the mark may be found (a photo's perspective).
MARK_SEARCH = 80.0


class Decision(enum.StrEnum):
    """What the reader makes of one item."""

    SATISFIED = "satisfied"
    NOT_SATISFIED = "not_satisfied"
    BLANK = "blank"
    UNSURE = "unsure"


@dataclass(frozen=True)
class Found:
    """A page's QR code: what it says and its corners in the image (symbol orientation, pixels)."""

    page_id: payload.PageId
    corners: np.ndarray  # 4 × 2: top-left, top-right, bottom-right, bottom-left


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


def grey(image: np.ndarray) -> np.ndarray:
    """One channel where any coloured ink is dark: the darkest of the colour channels."""
    if image.ndim == 3:
        return image[:, :, :3].min(axis=2)
    return image


def locate(image: np.ndarray) -> tuple[Found | None, str]:
    """The one printed-phiếu QR code of the image, or None and why not ("no_qr", "not_a_phieu", "several")."""
    plain = grey(image)
    results = zxingcpp.read_barcodes(plain, formats=zxingcpp.BarcodeFormat.QRCode)
    if not results:  # a small or soft code: try once more on a sharpened, binarised copy
        binary = cv2.adaptiveThreshold(plain, 255, cv2.ADAPTIVE_THRESH_GAUSSIAN_C, cv2.THRESH_BINARY, 31, 10)
        results = zxingcpp.read_barcodes(binary, formats=zxingcpp.BarcodeFormat.QRCode)
    if not results:
        return None, "no_qr"
    pages = [(payload.parse(r.text), r) for r in results]
    pages = [(page, r) for page, r in pages if page is not None]
    if not pages:
        return None, "not_a_phieu"
    if len({page for page, _r in pages}) > 1:
        return None, "several"
    page, result = pages[0]
    p = result.position
    corners = np.array([[c.x, c.y] for c in (p.top_left, p.top_right, p.bottom_right, p.bottom_left)],
                       dtype=np.float64)
    return Found(page, corners), ""


def _corners(rect: Rect) -> np.ndarray:
    return np.array([[rect.x, rect.y], [rect.right, rect.y], [rect.right, rect.bottom], [rect.x, rect.bottom]],
                    dtype=np.float64)


def _centre(rect: Rect) -> np.ndarray:
    return np.array([rect.x + rect.w / 2, rect.y + rect.h / 2])


def _project(h: np.ndarray, points: np.ndarray) -> np.ndarray:
    return cv2.perspectiveTransform(points.reshape(-1, 1, 2).astype(np.float64), h).reshape(-1, 2)


def _on_paper(plain: np.ndarray, x: int, y: int, w: int, h: int, margin: int) -> bool:
    """Whether the box (x, y, w, h) is dark and wholly surrounded by light paper ``margin`` pixels wide."""
    inside = plain[y:y + h, x:x + w]
    y0, x0 = max(y - margin, 0), max(x - margin, 0)
    around = plain[y0:y + h + margin, x0:x + w + margin].astype(np.float32)
    if around.shape != (h + y - y0 + margin, w + x - x0 + margin) or y0 == 0 or x0 == 0:
        return False  # touches the image's edge: not a whole mark
    ring = np.concatenate([around[:margin // 2].ravel(), around[-(margin // 2):].ravel(),
                           around[:, :margin // 2].ravel(), around[:, -(margin // 2):].ravel()])
    return float(np.percentile(ring, 10)) > float(np.median(inside)) + 50


def _candidates(plain: np.ndarray, side: float) -> np.ndarray:
    """Centres (image pixels) of every solid square about a registration mark's size, at any rotation, that
    sits on paper (white all around it)."""
    block = int(side * 4) | 1
    binary = cv2.adaptiveThreshold(plain, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, block, 25)
    count, _labels, stats, centroids = cv2.connectedComponentsWithStats(binary, connectivity=8)
    expected = side * side
    margin = max(int(side), 4)
    keep = [index for index in range(1, count)
            if 0.3 * expected < stats[index, 4] < 3.0 * expected and max(stats[index, 2:4]) < 2.5 * side
            and stats[index, 4] > 0.45 * stats[index, 2] * stats[index, 3]
            and _on_paper(plain, *(int(v) for v in stats[index, :4]), margin)]
    return centroids[keep].reshape(-1, 2)


def _pick(candidates: np.ndarray, h: np.ndarray, mark: Rect) -> np.ndarray | None:
    """The candidate farthest towards ``mark``'s corner of the page (every other solid square on the page,
    such as a filled answer box, lies inside the four marks), if it is near where ``h`` puts the mark."""
    in_mm = _project(np.linalg.inv(h), candidates)
    near = np.linalg.norm(in_mm - _centre(mark), axis=1) <= MARK_SEARCH
    if not near.any():
        return None
    direction = np.sign(_centre(mark) - np.array([PAGE_W / 2, PAGE_H / 2]))
    reach = np.where(near, in_mm @ direction, -np.inf)
    return candidates[int(np.argmax(reach))]


def _fit(source: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Layout mm -> image px by least squares: affine while the points cluster near the QR (a perspective
    fitted on them would swing wildly far away), a full perspective once three marks span the page."""
    if len(source) >= 7:
        h, _mask = cv2.findHomography(source, target, 0)
        if h is not None:
            return h
    design = np.hstack([source, np.ones((len(source), 1))])
    affine, *_rest = np.linalg.lstsq(design, target, rcond=None)
    return np.vstack([affine.T, [0.0, 0.0, 1.0]])


def align(image: np.ndarray, found: Found, layout: FormLayout) -> tuple[np.ndarray | None, float]:
    """The homography from layout millimetres to image pixels, fitted on the marks and QR corners, and its
    worst residual in mm; None when a mark cannot be found."""
    source, target = _corners(layout.qr), found.corners
    h = _fit(source, target)
    qr_side = float(np.mean(np.linalg.norm(target - np.roll(target, 1, axis=0), axis=1)))
    candidates = _candidates(grey(image), qr_side * MARK_SIZE / layout.qr.w)
    # nearest marks first: each one found makes the next estimate better
    for mark in sorted(layout.marks, key=lambda m: float(np.linalg.norm(_centre(m) - _centre(layout.qr)))):
        centre = _pick(candidates, h, mark)
        if centre is None:
            return None, float("inf")
        source, target = np.vstack([source, _centre(mark)]), np.vstack([target, centre])
        h = _fit(source, target)
    residual = float(np.max(np.linalg.norm(_project(np.linalg.inv(h), target) - source, axis=1)))
    return h, residual


def straighten(image: np.ndarray, h: np.ndarray, layout: FormLayout) -> np.ndarray:
    """The page warped onto the layout at SCALE px/mm, grey."""
    to_page = np.diag([SCALE, SCALE, 1.0]) @ np.linalg.inv(h)
    size = (round(210 * SCALE), round(297 * SCALE))
    return cv2.warpPerspective(grey(image), to_page, size, flags=cv2.INTER_AREA, borderValue=255)


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

