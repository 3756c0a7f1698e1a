"""The household codes as CSV (for a mail merge or a print shop): one writer for the console and the CLI.

The file holds live codes and names that people typed (village codes and names from frame CSVs, commune
names from the unit lists), so every text is neutralised exactly as in the results exports.
"""
from __future__ import annotations

import io
from collections.abc import Iterable
from typing import TYPE_CHECKING

from .csvfile import BOM, write_rows

if TYPE_CHECKING:
    from ..services.issuing import IssuedCode

#: Machine-readable headers, stable for mail-merge templates.
HEADERS = ("village_code", "village_name", "serial", "code", "url", "commune_code", "commune_name")


def codes_csv(issued: Iterable[IssuedCode]) -> bytes:
    """The codes, one slip a row, as UTF-8 CSV with a byte-order mark (so Excel shows Vietnamese)."""
    out = io.StringIO()
    out.write(BOM)
    write_rows(out, [HEADERS, *([slip.village_code, slip.village_name, slip.serial, slip.display, slip.url,
                                 slip.commune_code, slip.commune_name] for slip in issued)])
    return out.getvalue().encode("utf-8")
