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

from psycopg import sql

from ..extensions import db

#: Bytes gathered before a chunk is sent.
CHUNK_BYTES = 1 << 16
_UNESCAPE = re.compile(rb"\\[\\bfnrtv]")
_ESCAPES = {b"\\\\": b"\\", b"\\b": b"\b", b"\\f": b"\f", b"\\n": b"\n", b"\\r": b"\r", b"\\t": b"\t", b"\\v": b"\v"}


def quoted(text: str) -> str:
    """A CSV field as Python's csv writer (Excel dialect, minimal quoting) writes it."""
    if any(c in text for c in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


#: Text made inert as ``safe.neutralise`` does: a quote before =, +, -, @, tab or CR at the start.
_INERT = sql.SQL("(CASE WHEN left({value}, 1) IN ('=', '+', '-', '@', E'\\t', E'\\r') "
                 "THEN '''' || {value} ELSE {value} END)")
#: A CSV field as the csv module quotes it.
_QUOTED = sql.SQL("(CASE WHEN {value} ~ E'[\",\\r\\n]' THEN '\"' || replace({value}, '\"', '\"\"') || '\"' "
                  "ELSE {value} END)")
_LINES = sql.SQL(
    "WITH villages (id, cells) AS (SELECT * FROM unnest(%(village_ids)s::int[], %(village_cells)s::text[])), "
    "labels (channel, cell) AS (SELECT * FROM unnest(%(channels)s::text[], %(channel_cells)s::text[])) "
    "SELECT concat_ws(',', row_number() OVER (ORDER BY a.rv), v.cells, coalesce(l.cell, {channel}), "
    "to_char(r.submitted_at AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYYY-MM-DD'), rv.version - 1, {cells}, {opinion}) "
    "FROM (SELECT response_version_id AS rv, {pivot} FROM answer "
    "WHERE survey_id = %(survey)s AND {current} GROUP BY response_version_id) a "
    "JOIN response_version rv ON rv.id = a.rv "
    "JOIN response r ON r.id = rv.response_id AND r.survey_id = %(survey)s "
    "JOIN villages v ON v.id = r.frame_village_id "
    "LEFT JOIN labels l ON l.channel = r.channel "
    "ORDER BY a.rv")
#: The versions current at a publication's time (``services.opinions.versions_as_of``).
_AS_OF = sql.SQL(
    "response_version_id IN (SELECT max(v.id) FROM response_version v JOIN response r ON r.id = v.response_id "
    "WHERE r.survey_id = %(survey)s AND v.created_at <= %(as_of)s GROUP BY v.response_id)")
_PIVOT = sql.SQL("max(CASE WHEN item_key = {key} THEN {column} END) AS {name}")


def _inert_cell(column: sql.Composable) -> sql.Composable:
    """SQL: a stored text as a CSV cell, made inert and quoted; empty or NULL: empty."""
    return sql.SQL("(CASE WHEN coalesce({value}, '') = '' THEN '' ELSE {cell} END)").format(
        value=column, cell=_QUOTED.format(value=_INERT.format(value=column)))


def lines_sql(items: int, as_of: bool) -> sql.Composed:
    """The statement writing one CSV line (without its line end) per current version of a survey; every
    stored or typed value is a parameter (items as %(k0)s…, the survey, the village and channel cells)."""
    keys = [sql.Placeholder(f"k{i}") for i in range(items)]
    pivot = [_PIVOT.format(key=key, column=sql.Identifier(column), name=sql.Identifier(f"{prefix}{i}"))
             for column, prefix in (("value", "c"), ("reason", "r")) for i, key in enumerate(keys)]
    cells = [sql.SQL("coalesce({}::text, '')").format(sql.Identifier("a", f"c{i}")) for i in range(items)]
    cells += [_inert_cell(sql.Identifier("a", f"r{i}")) for i in range(items)]
    return _LINES.format(channel=_QUOTED.format(value=sql.Identifier("r", "channel")),
                         cells=sql.SQL(", ").join(cells), opinion=_inert_cell(sql.Identifier("rv", "opinion")),
                         pivot=sql.SQL(", ").join(pivot), current=_AS_OF if as_of else sql.SQL("is_current"))


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
    statement = sql.SQL("COPY ({}) TO STDOUT").format(lines_sql(len(export.item_keys), export.as_of is not None))
    with connection.cursor().copy(statement, params) as copy:
        rows, size = [], 0
        for row in copy:
            rows.append(bytes(row))
            size += len(row)
            if size >= CHUNK_BYTES:
                yield _text(rows)
                rows, size = [], 0
        yield _text(rows)
