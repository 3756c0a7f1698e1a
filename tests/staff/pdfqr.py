"""Read the QR codes back from a PDF of slips, as a phone camera would read the printed sheet."""
from __future__ import annotations

import zxingcpp

from bench.paper.raster import pdf_pages


def qr_texts(pdf: bytes, dpi: int = 150) -> list[str]:
    """Rasterise every page with pdftoppm (poppler-utils) and decode each QR code, in reading order."""
    found: list[str] = []
    for image in pdf_pages(pdf, dpi):
        codes = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
        codes = sorted(codes, key=lambda c: (round(c.position.top_left.y / 50), c.position.top_left.x))
        found.extend(code.text for code in codes)
    return found
