"""The results as CSV: UTF-8 with a byte-order mark and commas, so Excel shows Vietnamese correctly."""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping

from .safe import sheet_text
from .tables import Rate, long_headers, long_rows

BOM = "\ufeff"


def cell(value: object) -> object:
    """A CSV cell: rates as percentages with a dot, text on one inert line, numbers as they are."""
    if isinstance(value, Rate):
        return value.percent_text()
    if isinstance(value, str):
        return sheet_text(value)
    return "" if value is None else value


def write_rows(out: io.StringIO, rows: Iterable[Iterable[object]]) -> None:
    """Write rows with Excel's dialect (comma, CRLF, minimal quoting)."""
    writer = csv.writer(out, dialect="excel")
    for row in rows:
        writer.writerow([cell(value) for value in row])


def render_csv(document: Mapping) -> bytes:
    """One row per unit (whole survey, communes, villages) × item, with counts and the rate."""
    out = io.StringIO()
    out.write(BOM)
    write_rows(out, [long_headers(), *long_rows(document)])
    return out.getvalue().encode("utf-8")
