"""Raw responses, one row per phiếu, streamed in constant memory (no codes, no client data).

On PostgreSQL the database writes every line and COPY streams them (``raw_copy``). Elsewhere the answers
of each phiếu are pivoted in SQL (one grouped query over the current answers) and fetched in batches
(``yield_per``); each batch's village, channel, date and opinion come from one keyed query; rows leave as
CSV chunks. Both paths give the same bytes. The raw responses are the record: opinions
and reasons are written exactly as stored, line breaks and all (quoted as CSV allows), only made inert for
spreadsheets.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select

from ..extensions import db
from ..i18n import _
from ..models import Answer, FrameVillage, Response, ResponseVersion, Survey, Village
from ..models.surveys import VIETNAM
from ..services.opinions import current_answers
from . import labels
from .csvfile import BOM
from .raw_copy import copy_lines
from .safe import neutralise, sheet_text
from .tables import item_names, item_tags

YIELD_PER = 5000
ROWS_PER_CHUNK = 1000


@dataclass(frozen=True)
class RawExport:
    """Everything the stream needs, prepared inside the request: the generator runs after it has ended."""

    survey_id: int
    item_keys: tuple[str, ...]
    headers: tuple[str, ...]
    channels: Mapping[str, str]
    #: Read the phiếu as they were at this time (a publication the survey has changed since), not as they are.
    as_of: datetime | None = None


def prepare_raw(survey: Survey, as_of: datetime | None = None) -> RawExport:
    """Read the survey's items and translate the headers while the request (and its locale) is there."""
    return RawExport(survey.id, tuple(item.key for item in survey.form.items),
                     tuple(raw_headers(survey)),
                     {channel: labels.channel_label(channel) for channel in ("web", "paper", "meeting")}, as_of)


def raw_headers(survey: Survey) -> list[str]:
    """Headers: the phiếu, then one answer code and one reason per item, then the opinion."""
    form = {"items": [item.model_dump() for item in survey.form.items]}
    headers = [_("STT"), _("Mã xã"), _("Mã thôn"), _("Tên thôn"), _("Hình thức"), _("Ngày ghi nhận"),
               _("Số lần sửa")]
    headers += list(item_names(form).values())
    headers += [_("%(item)s: lý do chưa hài lòng", item=tag) for tag in item_tags(form).values()]
    return headers + [_("Ý kiến khác")]


def pivot_query(survey_id: int, keys: tuple[str, ...], as_of: datetime | None = None):
    """Each current version's answer codes pivoted into columns, grouped in the order of the version ids.

    No join and no other ordering: SQLite walks the (version, item) index and emits each group as it
    completes, so the first rows leave at once; PostgreSQL streams through a server-side cursor.
    """
    return (
        select(Answer.response_version_id,
               *[func.max(case((Answer.item_key == key, Answer.value))) for key in keys])
        .where(Answer.survey_id == survey_id, current_answers(survey_id, as_of))
        .group_by(Answer.response_version_id)
        .order_by(Answer.response_version_id)
        .execution_options(yield_per=YIELD_PER)
    )


def _village_cells(survey_id: int) -> dict[int, tuple[str, str, str]]:
    """Frame village id → (commune code, village code, name) as CSV cells: one small query per export."""
    rows = db.session.execute(
        select(FrameVillage.id, Village.commune_code, Village.code, Village.name)
        .join(Village, Village.id == FrameVillage.village_id)
        .where(FrameVillage.survey_id == survey_id))
    return {frame_id: (sheet_text(commune), sheet_text(code), sheet_text(name))
            for frame_id, commune, code, name in rows}


def _details(survey_id: int, first: int, last: int) -> dict[int, tuple]:
    """Version id → (frame village, channel, submitted at, version, opinion) for a range of (current) versions."""
    rows = db.session.execute(
        select(ResponseVersion.id, Response.frame_village_id, Response.channel, Response.submitted_at,
               ResponseVersion.version, ResponseVersion.opinion)
        .join(Response, Response.id == ResponseVersion.response_id)
        .where(ResponseVersion.id.between(first, last), Response.survey_id == survey_id))
    return {row[0]: row[1:] for row in rows}


def _reasons(survey_id: int, first: int, last: int) -> dict[tuple[int, str], str]:
    """(version id, item) → reason for a range of versions: reasons are few, so they are not pivoted."""
    rows = db.session.execute(
        select(Answer.response_version_id, Answer.item_key, Answer.reason)
        .where(Answer.response_version_id.between(first, last), Answer.survey_id == survey_id,
               Answer.reason != ""))
    return {(version_id, key): reason for version_id, key, reason in rows}


def raw_rows(export: RawExport) -> Iterator[tuple]:
    """Yield (commune, village, name, channel, submitted, version, opinion, *codes, *reasons) per phiếu."""
    villages = _village_cells(export.survey_id)
    keys = export.item_keys
    pivot = db.session.execute(pivot_query(export.survey_id, keys, export.as_of))
    for batch in pivot.partitions():
        first, last = batch[0][0], batch[-1][0]
        details = _details(export.survey_id, first, last)
        reasons = _reasons(export.survey_id, first, last)
        for version_id, *codes in batch:
            frame_id, channel, submitted, version, opinion = details[version_id]
            yield (*villages[frame_id], channel, submitted, version, opinion, *codes,
                   *[reasons.get((version_id, key), "") for key in keys])


def raw_chunks(export: RawExport) -> Iterator[bytes]:
    """Yield the CSV (UTF-8 with BOM) in chunks: written by PostgreSQL with COPY (``raw_copy``), else here.
    Both give the same bytes."""
    if db.session.get_bind().dialect.name == "postgresql":
        yield (BOM + _header_line(export)).encode("utf-8")
        yield from copy_lines(export, _village_cells(export.survey_id))
    else:
        yield from python_chunks(export)


def _header_line(export: RawExport) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, dialect="excel").writerow(export.headers)
    return buffer.getvalue()


def python_chunks(export: RawExport) -> Iterator[bytes]:
    """Yield the CSV (UTF-8 with BOM) written row by row here, in chunks of about ``ROWS_PER_CHUNK`` rows."""
    count = len(export.item_keys)
    buffer = io.StringIO()
    writer = csv.writer(buffer, dialect="excel")
    buffer.write(BOM)
    writer.writerow(export.headers)
    channels = export.channels
    for number, row in enumerate(raw_rows(export), 1):
        commune, code, name, channel, submitted, version, opinion = row[:7]
        codes = ["" if v is None else v for v in row[7:7 + count]]
        reasons = [neutralise(r) if r else "" for r in row[7 + count:]]
        writer.writerow([number, commune, code, name, channels.get(channel, channel),
                         submitted.astimezone(VIETNAM).date().isoformat(), version - 1, *codes, *reasons,
                         neutralise(opinion) if opinion else ""])
        if number % ROWS_PER_CHUNK == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")
