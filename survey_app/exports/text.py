"""Text residents and staff typed, made fit for a document cell: printable, on one line, of bounded length.

Web answers cannot be corrected, so no text may make a document fail. The raw responses keep every
character that was stored (made inert for spreadsheets only); the report, the tables and the slips show a
cleaned copy: characters no file format holds are dropped, every run of whitespace (line breaks included)
becomes one space, and a text too long for its cell is cut with "…".
"""
from __future__ import annotations

import re
import unicodedata

ELLIPSIS = "…"
#: The longest text Excel accepts in one cell.
EXCEL_CELL_MAX = 32767
#: Control characters that are not whitespace, lone surrogates and the noncharacters XML forbids.
_UNPRINTABLE = re.compile("[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]")
#: Any run of whitespace: spaces, tabs, line and paragraph breaks (CR, LF, NEL, U+2028), no-break spaces.
_WHITESPACE = re.compile(r"\s+")
#: Characters outside the Basic Multilingual Plane (emoji, historic scripts): fonts such as DejaVu lack them.
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


def printable(text: object) -> str:
    """The text without characters that no document format can hold; line breaks are kept."""
    return _UNPRINTABLE.sub("", "" if text is None else str(text))


def shorten(text: str, limit: int) -> str:
    """At most ``limit`` characters: a longer text is cut (never between a letter and its accents) + "…"."""
    if len(text) <= limit:
        return text
    cut = max(limit - len(ELLIPSIS), 0)
    while cut > 0 and unicodedata.combining(text[cut]):
        cut -= 1
    return text[:cut].rstrip() + ELLIPSIS


def one_line(text: object, limit: int | None = None) -> str:
    """Printable text on one line (each run of whitespace one space), cut to ``limit`` characters with "…"."""
    line = _WHITESPACE.sub(" ", printable(text)).strip()
    return line if limit is None else shorten(line, limit)


def drawable(text: object, limit: int | None = None) -> str:
    """``one_line`` without the characters outside the Basic Multilingual Plane, which PDF fonts lack."""
    return one_line(_ASTRAL.sub("", printable(text)), limit)
