"""Free-text opinions ("ý kiến khác") and reasons for dissatisfaction, streamed or summarised by SQL, for the
exports (which take the rows or the summary and return bytes) and the raw responses' version filter."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, select

from analysis.integrity import normalise_opinion

from ..extensions import db
from ..models import Answer, FrameVillage, Response, ResponseVersion, Village

OPINION = "opinion"
REASON = "reason"
YIELD_PER = 2000


def _current_version():
    return and_(ResponseVersion.response_id == Response.id,
                ResponseVersion.version == Response.current_version)


def versions_as_of(survey_id: int, at: datetime):
    """The ids of the versions that were current at ``at``: each phiếu's newest version written by then.

    Nothing is edited in place (a correction is a new version, with a larger id), so a publication's phiếu
    can be read again exactly as they were when it was made, after a reopening changed them.
    """
    return (select(func.max(ResponseVersion.id)).join(Response, Response.id == ResponseVersion.response_id)
            .where(Response.survey_id == survey_id, ResponseVersion.created_at <= at)
            .group_by(ResponseVersion.response_id))


def _version_join(survey_id: int, as_of: datetime | None):
    """Join condition of a phiếu and its current version (now, or at ``as_of``)."""
    if as_of is None:
        return _current_version()
    return and_(ResponseVersion.response_id == Response.id, ResponseVersion.id.in_(versions_as_of(survey_id, as_of)))


def current_answers(survey_id: int, as_of: datetime | None):
    """Condition on Answer rows: those of the current versions (now, or at ``as_of``)."""
    if as_of is None:
        return Answer.is_current.is_(True)
    return Answer.response_version_id.in_(versions_as_of(survey_id, as_of))


def opinion_rows(survey_id: int, as_of: datetime | None = None) -> Iterator[tuple[str, str, str, str, str, str]]:
    """Yield (commune code, village code, village name, kind, item key, text): opinions, then reasons
    (of the phiếu as they are, or as they were at ``as_of``: a publication's time)."""
    opinions = (
        select(Village.commune_code, Village.code, Village.name, ResponseVersion.opinion)
        .select_from(Response)
        .join(ResponseVersion, _version_join(survey_id, as_of))
        .join(FrameVillage, FrameVillage.id == Response.frame_village_id)
        .join(Village, Village.id == FrameVillage.village_id)
        .where(Response.survey_id == survey_id, ResponseVersion.opinion != "")
        .order_by(Village.commune_code, Village.code, Response.id)
        .execution_options(yield_per=YIELD_PER)
    )
    for commune, code, name, text in db.session.execute(opinions):
        yield commune, code, name, OPINION, "", text
    reasons = (
        select(Village.commune_code, Village.code, Village.name, Answer.item_key, Answer.reason)
        .select_from(Answer)
        .join(FrameVillage, FrameVillage.id == Answer.frame_village_id)
        .join(Village, Village.id == FrameVillage.village_id)
        .where(Answer.survey_id == survey_id, current_answers(survey_id, as_of), Answer.reason != "")
        .order_by(Village.commune_code, Village.code, Answer.item_key, Answer.id)
        .execution_options(yield_per=YIELD_PER)
    )
    for commune, code, name, item_key, text in db.session.execute(reasons):
        yield commune, code, name, REASON, item_key, text


@dataclass(frozen=True)
class OpinionSummary:
    """What residents wrote, counted: phiếu with an opinion, the most frequent ones, reasons per item."""

    with_opinion: int
    frequent: list[tuple[str, int]]
    reasons_per_item: dict[str, int]


def summarise(survey_id: int, top: int = 15, as_of: datetime | None = None) -> OpinionSummary:
    """Count opinions and reasons with grouped SQL; merge texts that differ only in case or spacing."""
    grouped = db.session.execute(
        select(ResponseVersion.opinion, func.count())
        .select_from(Response)
        .join(ResponseVersion, _version_join(survey_id, as_of))
        .where(Response.survey_id == survey_id, ResponseVersion.opinion != "")
        .group_by(ResponseVersion.opinion)
    ).all()
    merged: dict[str, list] = {}
    for text, count in grouped:
        entry = merged.setdefault(normalise_opinion(text), [text.strip(), 0])
        entry[1] += count
    frequent = sorted(((text, count) for text, count in merged.values()), key=lambda e: (-e[1], e[0]))[:top]
    reasons = dict(db.session.execute(
        select(Answer.item_key, func.count())
        .where(Answer.survey_id == survey_id, current_answers(survey_id, as_of), Answer.reason != "")
        .group_by(Answer.item_key)
    ).all())
    return OpinionSummary(sum(count for _, count in grouped), frequent, reasons)
