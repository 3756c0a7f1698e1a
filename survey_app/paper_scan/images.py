"""Page images from what a scanner or a phone gives: multi-page PDFs (pypdfium2) and JPEG/PNG/TIFF photos.

Each page is yielded on its own, so a caller can read, store or queue pages one at a time (a job per file,
pages independent). Pure: no Flask, no database.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import cv2
import numpy as np
import pypdfium2 as pdfium

#: Resolution at which PDF pages are rendered: the marks and boxes need no more.
PDF_DPI = 200
#: A photo larger than this on its longer side is scaled down first (a 48 MP phone photo reads no better).
MAX_SIDE = 4000


@dataclass(frozen=True)
class PageImage:
    """One page: where it came from (file name and page number) and its pixels (grey or BGR)."""

    source: str
    number: int
    image: np.ndarray | None  # None when the page could not be decoded


def _shrunk(image: np.ndarray) -> np.ndarray:
    side = max(image.shape[:2])
    if side <= MAX_SIDE:
        return image
    factor = MAX_SIDE / side
    return cv2.resize(image, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)


def _pdf_pages(source: str, data: bytes) -> Iterator[PageImage]:
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError:
        yield PageImage(source, 1, None)
        return
    try:
        for index in range(len(document)):
            page = document[index]
            try:
                bitmap = page.render(scale=PDF_DPI / 72)
                yield PageImage(source, index + 1, _shrunk(bitmap.to_numpy().copy()))
            finally:
                page.close()
    finally:
        document.close()


def pages(source: str, data: bytes) -> Iterator[PageImage]:
    """The pages of one uploaded or scanned file, in file order."""
    if data[:5] == b"%PDF-":
        yield from _pdf_pages(source, data)
        return
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR) if data else None
    yield PageImage(source, 1, None if image is None else _shrunk(image))
