"""Free-text opinions ("ý kiến khác") and reasons for dissatisfaction, streamed or summarised by SQL."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import and_, func, select

from analysis.integrity import normalise_opinion

from ..extensions import db
from ..models import Answer, FrameVillage, Response, ResponseVersion, Survey, Village

OPINION = "opinion"
REASON = "reason"
YIELD_PER = 2000


def _current_version():
    return and_(ResponseVersion.response_id == Response.id,
                ResponseVersion.version == Response.current_version)


def opinion_rows(survey: Survey) -> Iterator[tuple[str, str, str, str, str, str]]:
    """Yield (commune code, village code, village name, kind, item key, text): opinions, then reasons."""
    opinions = (
        select(Village.commune_code, Village.code, Village.name, ResponseVersion.opinion)
        .select_from(Response)
        .join(ResponseVersion, _current_version())
        .join(FrameVillage, FrameVillage.id == Response.frame_village_id)
        .join(Village, Village.id == FrameVillage.village_id)
        .where(Response.survey_id == survey.id, ResponseVersion.opinion != "")
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
        .where(Answer.survey_id == survey.id, Answer.is_current.is_(True), Answer.reason != "")
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


def summarise(survey: Survey, top: int = 15) -> OpinionSummary:
    """Count opinions and reasons with grouped SQL; merge texts that differ only in case or spacing."""
    grouped = db.session.execute(
        select(ResponseVersion.opinion, func.count())
        .select_from(Response)
        .join(ResponseVersion, _current_version())
        .where(Response.survey_id == survey.id, ResponseVersion.opinion != "")
        .group_by(ResponseVersion.opinion)
    ).all()
    merged: dict[str, list] = {}
    for text, count in grouped:
        entry = merged.setdefault(normalise_opinion(text), [text.strip(), 0])
        entry[1] += count
    frequent = sorted(((text, count) for text, count in merged.values()), key=lambda e: (-e[1], e[0]))[:top]
    reasons = dict(db.session.execute(
        select(Answer.item_key, func.count())
        .where(Answer.survey_id == survey.id, Answer.is_current.is_(True), Answer.reason != "")
        .group_by(Answer.item_key)
    ).all())
    return OpinionSummary(sum(count for _, count in grouped), frequent, reasons)
