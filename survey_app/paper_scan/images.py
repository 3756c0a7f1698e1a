"""Page images from what a scanner or a phone gives: multi-page PDFs (pypdfium2), multi-page TIFFs (OpenCV)
and JPEG/PNG photos.

Each page is yielded on its own, so a caller can read, store or queue pages one at a time (a job per file,
pages independent). Pure: no Flask, no database.
"""
from __future__ import annotations

import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

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
            yield PageImage(source, index + 1, _render(document, index))
    finally:
        document.close()


#: The kinds of file a scanner or a phone gives, by their first bytes (never by the file's name).
KINDS = ((b"%PDF-", "pdf"), (b"\xff\xd8\xff", "jpeg"), (b"\x89PNG\r\n\x1a\n", "png"), (b"II*\x00", "tiff"),
         (b"MM\x00*", "tiff"))


def kind(data: bytes) -> str | None:
    """"pdf", "jpeg", "png" or "tiff" from the file's content, or None for anything else."""
    return next((name for magic, name in KINDS if data.startswith(magic)), None)


def _tiff_count(data: bytes) -> int:
    """Pages in a TIFF, from its headers alone (cv2.imcount reads a file, not a buffer); 0 when unreadable."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "pages.tif"
        path.write_bytes(data)
        try:
            return int(cv2.imcount(str(path)))
        except cv2.error:
            return 0


def _tiff_page(data: bytes, index: int) -> np.ndarray | None:
    """Page ``index`` (from 0) of a TIFF, decoded alone."""
    try:
        ok, found = cv2.imdecodemulti(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR, None, (index, index + 1))
    except cv2.error:
        return None
    return _shrunk(found[0]) if ok and found else None


def page_count(data: bytes) -> int | None:
    """How many pages a file holds (a photo: one; an unreadable TIFF: one, rejected when read); None for a PDF
    that cannot be opened."""
    if kind(data) == "tiff":
        return max(_tiff_count(data), 1)
    if kind(data) != "pdf":
        return 1
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError:
        return None
    try:
        return len(document)
    finally:
        document.close()


def page_at(source: str, data: bytes, number: int) -> PageImage:
    """Page ``number`` (from 1) of a file alone, as a worker reading one queued page needs it."""
    if kind(data) == "tiff":
        return PageImage(source, number, _tiff_page(data, number - 1) if number >= 1 else None)
    if data[:5] != b"%PDF-":
        return next(pages(source, data))
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError:
        return PageImage(source, number, None)
    try:
        if not 1 <= number <= len(document):
            return PageImage(source, number, None)
        return PageImage(source, number, _render(document, number - 1))
    finally:
        document.close()


def _render(document, index: int) -> np.ndarray:
    page = document[index]
    try:
        return _shrunk(page.render(scale=PDF_DPI / 72).to_numpy().copy())
    finally:
        page.close()


def pages(source: str, data: bytes) -> Iterator[PageImage]:
    """The pages of one uploaded or scanned file, in file order."""
    if data[:5] == b"%PDF-":
        yield from _pdf_pages(source, data)
        return
    if kind(data) == "tiff":
        for number in range(1, page_count(data) + 1):
            yield page_at(source, data, number)
        return
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR) if data else None
    yield PageImage(source, 1, None if image is None else _shrunk(image))
