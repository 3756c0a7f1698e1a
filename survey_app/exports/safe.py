"""Make free text safe to hand to a spreadsheet: nothing a user typed may become a formula."""
from __future__ import annotations

from .text import EXCEL_CELL_MAX, one_line

#: Characters that make Excel, LibreOffice or Google Sheets read a cell as a formula (OWASP CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: str) -> str:
    """Prefix a single quote to text that a spreadsheet would read as a formula."""
    return "'" + value if value.startswith(FORMULA_START) else value


def sheet_text(value: object) -> str:
    """Text for a spreadsheet cell (XLSX or CSV): one printable line that Excel takes whole, inert."""
    return neutralise(one_line(value, EXCEL_CELL_MAX - 1))
