"""The raw responses on PostgreSQL: the database writes every CSV line, streamed with COPY (issue 18, item 3).

The same bytes as the Python writer of ``raw.py`` (a test compares both on the same data): one line per
current version, in version order, numbered; the villages' and channels' cells prepared in Python once per
export (``sheet_text``, then CSV quoting) and joined in; dates in Vietnam time; answer codes; reasons and
the opinion made inert for spreadsheets (``safe.neutralise``: a quote before =, +, -, @, tab or CR) and quoted
as Python's csv module quotes (a field holding a comma, a double quote, CR or LF is put in double quotes,
its double quotes doubled). COPY's text format escapes backslashes and control characters and ends each row
with LF; chunks of rows are turned back into the exact text with CRLF line ends. Memory stays flat: rows
leave as the database sends them.
"""
from __future__ import annotations

import re
from collections.abc import Iterator

from ..extensions import db
from .safe import FORMULA_START

#: Bytes gathered before a chunk is sent.
CHUNK_BYTES = 1 << 16
_UNESCAPE = re.compile(rb"\\[\\bfnrtv]")
_ESCAPES = {b"\\\\": b"\\", b"\\b": b"\b", b"\\f": b"\f", b"\\n": b"\n", b"\\r": b"\r", b"\\t": b"\t", b"\\v": b"\v"}


def quoted(text: str) -> str:
    """A CSV field as Python's csv writer (Excel dialect, minimal quoting) writes it."""
    if any(c in text for c in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def _inert_cell(column: str) -> str:
    """SQL: a stored text as a CSV cell, made inert (``neutralise``) and quoted; empty or NULL: empty."""
    starts = ", ".join(f"'{c}'" if c not in "\t\r" else {"\t": "E'\\t'", "\r": "E'\\r'"}[c] for c in FORMULA_START)
    inert = f"(CASE WHEN left({column}, 1) IN ({starts}) THEN '''' || {column} ELSE {column} END)"
    return (f"(CASE WHEN coalesce({column}, '') = '' THEN '' WHEN {inert} ~ E'[\",\\r\\n]' "
            f"THEN '\"' || replace({inert}, '\"', '\"\"') || '\"' ELSE {inert} END)")


def lines_sql(items: int, as_of: bool) -> str:
    """The statement writing one CSV line (without its line end) per current version of a survey."""
    codes = ", ".join(f"max(CASE WHEN item_key = %(k{i})s THEN value END) AS c{i}" for i in range(items))
    reasons = ", ".join(f"max(CASE WHEN item_key = %(k{i})s THEN reason END) AS r{i}" for i in range(items))
    current = ("response_version_id IN (SELECT max(v.id) FROM response_version v JOIN response r "
               "ON r.id = v.response_id WHERE r.survey_id = %(survey)s AND v.created_at <= %(as_of)s "
               "GROUP BY v.response_id)") if as_of else "is_current"
    cells = ", ".join([f"coalesce(a.c{i}::text, '')" for i in range(items)]
                      + [_inert_cell(f"a.r{i}") for i in range(items)])
    # only generated SQL is interpolated below; every stored or typed value is a parameter
    return (
        "WITH villages (id, cells) AS (SELECT * FROM unnest(%(village_ids)s::int[], %(village_cells)s::text[])), "  # noqa: S608
        "labels (channel, cell) AS (SELECT * FROM unnest(%(channels)s::text[], %(channel_cells)s::text[])) "
        "SELECT concat_ws(',', row_number() OVER (ORDER BY a.rv), v.cells, "
        "coalesce(l.cell, CASE WHEN r.channel ~ E'[\",\\r\\n]' THEN '\"' || replace(r.channel, '\"', '\"\"') "
        "|| '\"' ELSE r.channel END), "
        "to_char(r.submitted_at AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYYY-MM-DD'), rv.version - 1, "
        f"{cells}, {_inert_cell('rv.opinion')}) "
        f"FROM (SELECT response_version_id AS rv, {codes}, {reasons} FROM answer "
        f"WHERE survey_id = %(survey)s AND {current} GROUP BY response_version_id) a "
        "JOIN response_version rv ON rv.id = a.rv "
        "JOIN response r ON r.id = rv.response_id AND r.survey_id = %(survey)s "
        "JOIN villages v ON v.id = r.frame_village_id "
        "LEFT JOIN labels l ON l.channel = r.channel "
        "ORDER BY a.rv"
    )


def _unescape(match: re.Match) -> bytes:
    return _ESCAPES[match.group(0)]


def _text(rows: list) -> bytes:
    """COPY text-format rows back to the CSV lines they hold, each ended by CRLF."""
    data = b"".join(rows).replace(b"\n", b"\r\n")  # a raw LF only ends a row: LFs inside are escaped
    return _UNESCAPE.sub(_unescape, data) if b"\\" in data else data


def copy_lines(export, villages: dict[int, tuple[str, str, str]]) -> Iterator[bytes]:
    """Yield the CSV lines of ``export`` (a ``raw.RawExport``) written by PostgreSQL, in chunks."""
    params = {f"k{i}": key for i, key in enumerate(export.item_keys)} | {
        "survey": export.survey_id, "as_of": export.as_of,
        "village_ids": list(villages), "village_cells": [",".join(map(quoted, v)) for v in villages.values()],
        "channels": list(export.channels), "channel_cells": [quoted(v) for v in export.channels.values()]}
    connection = db.session.connection().connection.driver_connection
    statement = lines_sql(len(export.item_keys), export.as_of is not None)
    with connection.cursor().copy(f"COPY ({statement}) TO STDOUT", params) as copy:
        rows, size = [], 0
        for row in copy:
            rows.append(bytes(row))
            size += len(row)
            if size >= CHUNK_BYTES:
                yield _text(rows)
                rows, size = [], 0
        yield _text(rows)
