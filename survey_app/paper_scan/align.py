"""Where a photographed or scanned page lies: its QR code, its four registration marks, the page straightened.

``locate`` decodes the page's QR code (zxing-cpp); its four corners, in the symbol's own orientation, give a
first estimate of where the page lies, whatever its rotation (upside down included). ``align`` then finds the
registration marks, each as the solid square on paper farthest towards its corner of the page (every other
solid square, such as a filled answer box, lies inside the four), refining the estimate after each one
(affine while the points cluster near the QR, perspective once three marks span the page), and reports the
worst residual. ``straighten`` warps the page onto the layout at ``SCALE`` pixels per millimetre.
Pure: NumPy, OpenCV and zxing-cpp.
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import zxingcpp

from . import payload
from .layout import MARK_SIZE, PAGE_H, PAGE_W, FormLayout, Rect

SCALE = 6.0  # pixels per millimetre of the straightened page (about 152 dpi)
#: How far (mm) from where the estimate so far puts a mark the mark may be found (a photo's perspective).
MARK_SEARCH = 80.0


@dataclass(frozen=True)
class Found:
    """A page's QR code: what it says and its corners in the image (symbol orientation, pixels)."""

    page_id: payload.PageId
    corners: np.ndarray  # 4 × 2: top-left, top-right, bottom-right, bottom-left


def grey(image: np.ndarray) -> np.ndarray:
    """One channel where any coloured ink is dark: the darkest of the colour channels."""
    if image.ndim == 3:
        blue, green, red = cv2.split(image[:, :, :3])[:3]
        return cv2.min(cv2.min(blue, green), red)  # as numpy's min over the channels, ten times faster
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
