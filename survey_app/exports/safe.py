"""Make free text safe to hand to a spreadsheet: nothing a user typed may become a formula."""
from __future__ import annotations

import re

#: Characters that make Excel, LibreOffice or Google Sheets read a cell as a formula (OWASP CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: Control characters an XLSX file cannot hold.
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def neutralise(value: str) -> str:
    """Prefix a single quote to text that a spreadsheet would read as a formula."""
    return "'" + value if value.startswith(FORMULA_START) else value


def xlsx_text(value: str) -> str:
    """Text for an XLSX cell: inert and without characters XML forbids."""
    return neutralise(_ILLEGAL_XML.sub("", value))
