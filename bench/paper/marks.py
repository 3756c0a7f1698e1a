"""Pen marks drawn on a rendered phiếu page, and the ways a scanner or a phone degrades it (OpenCV).

Coordinates come from the layout in millimetres; ``dpi`` is the page image's resolution.
"""
from __future__ import annotations

import cv2
import numpy as np

from survey_app.paper_scan.layout import Rect

INK = 40  # a ballpoint pen on a grey scan


def _px(value: float, dpi: float) -> int:
    return round(value * dpi / 25.4)


def _pt(x: float, y: float, dpi: float) -> tuple[int, int]:
    return _px(x, dpi), _px(y, dpi)


def cross(image, box: Rect, dpi: float, *, pen: float = 0.5, ink: int = INK, spill: float = 0.0) -> None:
    """An X corner to corner (``spill`` mm beyond the box on each side)."""
    a, b = box.grow(spill - 1.0), box.grow(spill - 1.0)
    width = max(_px(pen, dpi), 1)
    cv2.line(image, _pt(a.x, a.y, dpi), _pt(a.right, a.bottom, dpi), ink, width, cv2.LINE_AA)
    cv2.line(image, _pt(b.right, b.y, dpi), _pt(b.x, b.bottom, dpi), ink, width, cv2.LINE_AA)


def tick(image, box: Rect, dpi: float, *, pen: float = 0.5, ink: int = INK) -> None:
    """A ✓: a short stroke down to the bottom third, a long one up past the top right corner."""
    points = [(box.x + 1.2, box.y + box.h * 0.55), (box.x + box.w * 0.4, box.bottom - 1.0),
              (box.right + 1.5, box.y - 1.5)]
    cv2.polylines(image, [np.array([_pt(x, y, dpi) for x, y in points], np.int32)], False, ink,
                  max(_px(pen, dpi), 1), cv2.LINE_AA)


def fill(image, box: Rect, dpi: float, *, ink: int = INK) -> None:
    """The box coloured in."""
    inner = box.grow(-0.5)
    cv2.rectangle(image, _pt(inner.x, inner.y, dpi), _pt(inner.right, inner.bottom, dpi), ink, -1)


def dot(image, box: Rect, dpi: float, *, radius: float = 1.3, ink: int = INK) -> None:
    """A heavy dot in the middle of the box."""
    cv2.circle(image, _pt(box.x + box.w / 2, box.y + box.h / 2, dpi), max(_px(radius, dpi), 1), ink, -1,
               cv2.LINE_AA)


def ring(image, rect: Rect, dpi: float, *, pen: float = 0.5, ink: int = INK) -> None:
    """A loop around ``rect`` (a circled label)."""
    centre = _pt(rect.x + rect.w / 2, rect.y + rect.h / 2, dpi)
    axes = (_px(rect.w / 2 + 2.0, dpi), _px(rect.h / 2 + 1.5, dpi))
    cv2.ellipse(image, centre, axes, 0, 0, 360, ink, max(_px(pen, dpi), 1), cv2.LINE_AA)


def rotate(image, degrees: float, *, scale: float = 1.0) -> np.ndarray:
    """The page turned by ``degrees`` (and scaled) on a canvas large enough to hold it, white around."""
    h, w = image.shape[:2]
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, scale)
    cos, sin = abs(matrix[0, 0]), abs(matrix[0, 1])
    nw, nh = int(h * sin + w * cos) + 4, int(h * cos + w * sin) + 4
    matrix[0, 2] += nw / 2 - w / 2
    matrix[1, 2] += nh / 2 - h / 2
    return cv2.warpAffine(image, matrix, (nw, nh), flags=cv2.INTER_LINEAR,
                          borderValue=(255, 255, 255))


def perspective(image, strength: float, rng: np.random.Generator) -> np.ndarray:
    """As photographed at an angle: each corner moved by up to ``strength`` of the page's size, on a table."""
    h, w = image.shape[:2]
    pad = int(max(h, w) * strength) + 10
    canvas = np.full((h + 2 * pad, w + 2 * pad, *image.shape[2:]), 90, np.uint8)  # a dark table around the sheet
    source = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    moved = source + pad + rng.uniform(-strength, strength, (4, 2)).astype(np.float32) * np.float32([w, h])
    matrix = cv2.getPerspectiveTransform(source, moved)
    return cv2.warpPerspective(image, matrix, (canvas.shape[1], canvas.shape[0]), dst=canvas,
                               borderMode=cv2.BORDER_TRANSPARENT)


def noisy(image, sigma: float, rng: np.random.Generator) -> np.ndarray:
    """Sensor noise."""
    return np.clip(image.astype(np.float32) + rng.normal(0, sigma, image.shape), 0, 255).astype(np.uint8)


def shaded(image, depth: float) -> np.ndarray:
    """Uneven light: darker towards one corner by up to ``depth`` (0..1)."""
    h, w = image.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    light = 1.0 - depth * (xx / w + yy / h) / 2
    if image.ndim == 3:
        light = light[:, :, None]
    return (image.astype(np.float32) * light).astype(np.uint8)


def jpeg(image, quality: int) -> np.ndarray:
    ok, data = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
    assert ok
    return cv2.imdecode(data, cv2.IMREAD_UNCHANGED)


def stroke(image, points, dpi: float, *, pen: float = 0.5, ink=INK) -> None:
    """A pen stroke through ``points`` (mm)."""
    cv2.polylines(image, [np.array([_pt(x, y, dpi) for x, y in points], np.int32)], False, ink,
                  max(_px(pen, dpi), 1), cv2.LINE_AA)


def scribble(image, box: Rect, dpi: float, *, pen: float = 0.5, ink=INK) -> None:
    """A mark struck out: the box hatched over with a zigzag from corner to corner."""
    inner = box.grow(-0.6)
    steps = 7
    points = [(inner.x + inner.w * i / steps, inner.bottom if i % 2 else inner.y) for i in range(steps + 1)]
    stroke(image, points, dpi, pen=pen, ink=ink)
    stroke(image, [(inner.x, inner.y + inner.h / 2), (inner.right, inner.y + inner.h / 2)], dpi, pen=pen, ink=ink)
