"""What a printed phiếu page's QR code says: the household link, then which page of which layout.

``https://khaosat.example.vn/s/K7PX-3MQD-9T#1/2.3fa9c2d1`` is page 1 of 2 of the layout whose fingerprint
is ``3fa9c2d1``. A phone that scans it opens the household's web form (the fragment never reaches the
server), so the same code lets the household answer online instead; the reader takes the code from the
path, whatever the public address was when it was printed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

_FRAGMENT = re.compile(r"(?P<page>[1-9][0-9]?)/(?P<pages>[1-9][0-9]?)\.(?P<fingerprint>[0-9a-f]{8})")
_CODE = re.compile(r"[0-9A-Za-z-]{10,14}")


@dataclass(frozen=True)
class PageId:
    """A page as its QR names it: the household code (as printed), page number, page count, layout."""

    code: str
    page: int
    pages: int
    fingerprint: str


def encode(url: str, page: int, pages: int, fingerprint: str) -> str:
    """The QR text of one page of the phiếu whose household link is ``url``."""
    return f"{url}#{page}/{pages}.{fingerprint}"


def parse(text: str) -> PageId | None:
    """Read a QR text back; None for anything that is not a page of a printed phiếu."""
    link, sep, fragment = (text or "").strip().rpartition("#")
    match = _FRAGMENT.fullmatch(fragment)
    _prefix, slash_s, code = link.rpartition("/s/")
    if not sep or not slash_s or match is None or not _CODE.fullmatch(code):
        return None
    page, pages = int(match["page"]), int(match["pages"])
    if page > pages:
        return None
    return PageId(code, page, pages, match["fingerprint"])
