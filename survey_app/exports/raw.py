"""Raw responses, one row per phiếu, streamed in constant memory (no codes, no client data).

The answers of each phiếu are pivoted in SQL (one grouped query over the current answers), rows are
fetched in batches (``yield_per``: a server-side cursor on PostgreSQL) and written out as CSV chunks.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from sqlalchemy import case, func, select

from ..extensions import db
from ..i18n import _
from ..models import Answer, FrameVillage, Response, ResponseVersion, Survey, Village
from ..models.surveys import VIETNAM
from ..web import translate_text
from . import labels
from .csvfile import BOM, cell

YIELD_PER = 5000
ROWS_PER_CHUNK = 1000


@dataclass(frozen=True)
class RawExport:
    """Everything the stream needs, prepared inside the request: the generator runs after it has ended."""

    survey_id: int
    item_keys: tuple[str, ...]
    headers: tuple[str, ...]
    channels: Mapping[str, str]


def prepare_raw(survey: Survey) -> RawExport:
    """Read the survey's items and translate the headers while the request (and its locale) is there."""
    return RawExport(survey.id, tuple(item["key"] for item in survey.template["items"]),
                     tuple(raw_headers(survey)),
                     {channel: labels.channel_label(channel) for channel in ("web", "paper", "meeting")})


def raw_headers(survey: Survey) -> list[str]:
    """Headers: the phiếu, then one answer code and one reason per item, then the opinion."""
    items = survey.template["items"]
    headers = [_("STT"), _("Mã xã"), _("Mã thôn"), _("Tên thôn"), _("Hình thức"), _("Ngày ghi nhận"),
               _("Số lần sửa")]
    headers += [f"{n}. {translate_text(item.get('criterion') or item['key'])}"
                for n, item in enumerate(items, 1)]
    headers += [_("%(n)s. Lý do chưa hài lòng", n=n) for n in range(1, len(items) + 1)]
    return headers + [_("Ý kiến khác")]


def raw_query(survey_id: int, keys: tuple[str, ...]):
    """One row per phiếu (current version) with its answers pivoted into columns, in arrival order."""
    per_version = (
        select(Answer.response_version_id.label("vid"),
               *[func.max(case((Answer.item_key == key, Answer.value))).label(f"v{i}")
                 for i, key in enumerate(keys)],
               *[func.max(case((Answer.item_key == key, Answer.reason))).label(f"r{i}")
                 for i, key in enumerate(keys)])
        .where(Answer.survey_id == survey_id, Answer.is_current.is_(True))
        .group_by(Answer.response_version_id)
        .subquery()
    )
    return (
        select(Village.commune_code, Village.code, Village.name, Response.channel, Response.submitted_at,
               ResponseVersion.version, ResponseVersion.opinion,
               *[per_version.c[f"v{i}"] for i in range(len(keys))],
               *[per_version.c[f"r{i}"] for i in range(len(keys))])
        .select_from(per_version)
        .join(ResponseVersion, ResponseVersion.id == per_version.c.vid)
        .join(Response, Response.id == ResponseVersion.response_id)
        .join(FrameVillage, FrameVillage.id == Response.frame_village_id)
        .join(Village, Village.id == FrameVillage.village_id)
        .order_by(per_version.c.vid)
        .execution_options(yield_per=YIELD_PER)
    )


def raw_chunks(export: RawExport) -> Iterator[bytes]:
    """Yield the CSV (UTF-8 with BOM) in chunks of about ``ROWS_PER_CHUNK`` rows."""
    count = len(export.item_keys)
    buffer = io.StringIO()
    writer = csv.writer(buffer, dialect="excel")
    buffer.write(BOM)
    writer.writerow(export.headers)
    channels = export.channels
    rows = db.session.execute(raw_query(export.survey_id, export.item_keys))
    for number, row in enumerate(rows, 1):
        commune, code, name, channel, submitted, version, opinion = row[:7]
        values = row[7:7 + count]
        reasons = row[7 + count:]
        writer.writerow(
            [number, cell(commune), cell(code), cell(name), channels.get(channel, channel),
             submitted.astimezone(VIETNAM).date().isoformat(), version - 1,
             *["" if v is None else int(v) for v in values], *[cell(r or "") for r in reasons], cell(opinion)]
        )
        if number % ROWS_PER_CHUNK == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")
