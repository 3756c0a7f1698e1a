"""Read the QR codes back from a PDF of slips, as a phone camera would read the printed sheet."""
from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import zxingcpp
from PIL import Image


def qr_texts(pdf: bytes, dpi: int = 150) -> list[str]:
    """Rasterise every page with pdftoppm (poppler-utils) and decode each QR code, in reading order."""
    assert shutil.which("pdftoppm"), "pdftoppm (poppler-utils) is needed to render the slips"
    found: list[str] = []
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "slips.pdf"
        source.write_bytes(pdf)
        subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(source), str(Path(folder) / "page")],
                       check=True)
        for page in sorted(Path(folder).glob("page-*.png")):
            with Image.open(page) as image:
                codes = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
            codes = sorted(codes, key=lambda c: (round(c.position.top_left.y / 50), c.position.top_left.x))
            found.extend(code.text for code in codes)
    return found
