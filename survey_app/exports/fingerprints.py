"""The receipt fingerprints a publication counted, as CSV: what the public notice offers for download.

One row per counted phiếu: the village and the fingerprint of its receipt (``snapshots.fingerprint``), in
the village order of the published document and, within a village, in the published (sorted) order. Village
names come from frame CSVs that people typed, so every text is neutralised as in the results exports.
"""
from __future__ import annotations

import io
from collections.abc import Iterable, Mapping

from .csvfile import BOM, write_rows

#: Machine-readable headers, the JSON document's field names (``villages[].receipt_fingerprints``).
HEADERS = ("commune_code", "village_code", "village_name", "receipt_fingerprint")


def fingerprints_csv(villages: Iterable[Mapping], prints: Mapping[tuple[str, str], list[str]]) -> bytes:
    """``villages``: the published document's village entries (``commune_code``, ``code``, ``name``);
    ``prints``: their fingerprints by (commune code, village code), as ``snapshots.fingerprints`` gives them."""
    out = io.StringIO()
    out.write(BOM)
    write_rows(out, [HEADERS, *([village["commune_code"], village["code"], village["name"], fingerprint]
                                for village in villages
                                for fingerprint in prints.get((village["commune_code"], village["code"]), []))])
    return out.getvalue().encode("utf-8")
