"""What is kept of a read page: each item's decision with its measurements, the rectangles a person looks at,
and the page image (straightened PNG, or the photo as received as a JPEG no larger than ``PHOTO_SIDE``).

Pure: NumPy and OpenCV; no Flask, no database.
"""
from __future__ import annotations

import cv2
import numpy as np

from . import reader
from .layout import FormLayout, Rect

PHOTO_SIDE = 2000  # px: a page that could not be straightened is kept at most this large (JPEG)


def decisions(reading: reader.PageReading) -> dict:
    """Each item's decision, why it is unsure, and the measurements behind it (by item key)."""
    return {item.key: {"decision": item.decision.value, "why": item.why, "ink": [round(v, 4) for v in item.ink],
                       "faint": [round(v, 4) for v in item.faint], "stray": round(item.stray, 2)}
            for item in reading.items}


def crops(layout: FormLayout, number: int, reading: reader.PageReading) -> dict:
    """Rectangles (mm on the straightened image) a person looks at: answers, reasons, opinion."""
    def box(rect: Rect) -> list[float]:
        return rect.rounded()

    page = layout.pages[number - 1]
    crops: dict = {item.key: {"answers": box(item.answers), "reason": box(item.reason)} for item in page.items}
    if page.opinion is not None:
        crops["opinion"] = box(page.opinion)
    crops["writing"] = reading.writing
    return crops


def png(image: np.ndarray) -> bytes:
    """The image as PNG."""
    ok, data = cv2.imencode(".png", image, [cv2.IMWRITE_PNG_COMPRESSION, 6])
    assert ok
    return data.tobytes()


def photo(image: np.ndarray) -> bytes:
    """A page that could not be straightened, as a JPEG no larger than ``PHOTO_SIDE``."""
    side = max(image.shape[:2])
    if side > PHOTO_SIDE:
        image = cv2.resize(image, None, fx=PHOTO_SIDE / side, fy=PHOTO_SIDE / side, interpolation=cv2.INTER_AREA)
    ok, data = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 80])
    assert ok
    return data.tobytes()


def cut(image: bytes, rect: list[float], margin: float = 2.0) -> bytes | None:
    """The PNG of a rectangle (x, y, w, h in mm, ``margin`` mm around) of a straightened page's PNG; None when
    the image cannot be decoded or the rectangle lies outside it."""
    page = cv2.imdecode(np.frombuffer(image, np.uint8), cv2.IMREAD_GRAYSCALE)
    if page is None or len(rect) != 4:
        return None
    x, y, w, h = (float(v) for v in rect)
    scale = reader.SCALE
    top, left = max(round((y - margin) * scale), 0), max(round((x - margin) * scale), 0)
    bottom = min(round((y + h + margin) * scale), page.shape[0])
    right = min(round((x + w + margin) * scale), page.shape[1])
    if bottom <= top or right <= left:
        return None
    return png(page[top:bottom, left:right])
