"""The reader alone on a printed page of the benchmark's template: the page image and its reading."""
from __future__ import annotations

import cv2
import numpy as np

from bench.paper import printed, sheets
from survey_app.paper_scan import reader

LAYOUT = printed.layout(sheets.TEMPLATE)
ITEMS = LAYOUT.pages[0].items


def page(dpi: int = 200) -> np.ndarray:
    """Page 1 of the printed phiếu, blank, as a colour image at ``dpi``."""
    return cv2.cvtColor(printed.page_image(1, dpi, sheets.TEMPLATE), cv2.COLOR_GRAY2BGR)


def read(image: np.ndarray) -> reader.PageReading:
    """The page found and read (a test fails when it cannot be)."""
    found, why = reader.locate(image)
    assert found is not None, why
    reading = reader.read(image, found, LAYOUT)
    assert not reading.problem, reading.problem
    return reading
