"""Tallies of a survey computed by grouped SQL (one query per table, never one per response)."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import distinct, func, select

from analysis import ItemCounts, SurveyTally, UnitTally

from ..extensions import db
from ..models import (
    Answer,
    AnswerValue,
    Channel,
    CodeStatus,
    Commune,
    FrameVillage,
    HouseholdCode,
    Response,
    Survey,
    Village,
)

_FIELD = {AnswerValue.SATISFIED: 0, AnswerValue.NOT_SATISFIED: 1, AnswerValue.BLANK: 2}


@dataclass(frozen=True)
class VillageInfo:
    """What the results show about a village of the frame besides its counts."""

    frame_id: int
    code: str
    name: str
    commune_code: str
    households: int


@dataclass(frozen=True)
class Tallies:
    """Counts of one survey, ready for the pure analysis functions."""

    tally: SurveyTally
    villages: tuple[VillageInfo, ...]
    channels: dict[str, int]
    channels_by_village: dict[int, dict[str, int]]
    #: Phiếu not counted as collected because the template treats blank items as invalid.
    invalid: dict[int, int]
    #: Slips handed out (codes issued and not voided) per frame village.
    handed_out: dict[int, int]
    #: Names of the communes the frame spans, by code.
    commune_names: dict[str, str]


def _invalid_versions(survey_id: int):
    """Versions with a blank item (used when the template says such a phiếu does not count)."""
    return (
        select(distinct(Answer.response_version_id))
        .where(Answer.survey_id == survey_id, Answer.is_current.is_(True),
               Answer.value == int(AnswerValue.BLANK))
    )


def compute_tallies(survey: Survey) -> Tallies:
    """Count answers per village × item × value and responses per village × channel."""
    items = [item["key"] for item in survey.template["items"]]
    blank_valid = survey.template.get("blank_items_valid", True)
    frames = db.session.execute(
        select(FrameVillage.id, Village.code, Village.name, Village.commune_code, FrameVillage.households)
        .join(Village, Village.id == FrameVillage.village_id)
        .where(FrameVillage.survey_id == survey.id)
        .order_by(Village.commune_code, Village.code)
    ).all()
    villages = tuple(VillageInfo(*row) for row in frames)

    answers = (
        select(Answer.frame_village_id, Answer.item_key, Answer.value, func.count())
        .where(Answer.survey_id == survey.id, Answer.is_current.is_(True))
        .group_by(Answer.frame_village_id, Answer.item_key, Answer.value)
    )
    invalid: dict[int, int] = {}
    if not blank_valid:
        answers = answers.where(Answer.response_version_id.not_in(_invalid_versions(survey.id)))
        invalid = dict(db.session.execute(
            select(Answer.frame_village_id, func.count(distinct(Answer.response_version_id)))
            .where(Answer.survey_id == survey.id, Answer.is_current.is_(True),
                   Answer.value == int(AnswerValue.BLANK))
            .group_by(Answer.frame_village_id)
        ).all())
    counts: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    for frame_id, item_key, value, n in db.session.execute(answers):
        counts[(frame_id, item_key)][_FIELD[AnswerValue(value)]] += n

    channels_by_village: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(Channel, 0))
    for frame_id, channel, n in db.session.execute(
        select(Response.frame_village_id, Response.channel, func.count())
        .where(Response.survey_id == survey.id)
        .group_by(Response.frame_village_id, Response.channel)
    ):
        channels_by_village[frame_id][Channel(channel)] += n
    channels = {c.value: sum(v[c] for v in channels_by_village.values()) for c in Channel}

    units = []
    for village in villages:
        responded = sum(channels_by_village[village.frame_id].values()) - invalid.get(village.frame_id, 0)
        units.append(UnitTally(
            code=village.code if survey.unit_level == "commune" else f"{village.commune_code}/{village.code}",
            # spare slips answered beyond the frame's count: the village has at least that many households
            # (the full-coverage indicator points at it); rules and rates never see more phiếu than households
            households=max(village.households, responded),
            respondents=responded,
            items={key: ItemCounts(*counts[(village.frame_id, key)]) for key in items},
            group=village.commune_code,
        ))
    tally = SurveyTally(units=tuple(units), item_keys=tuple(items),
                        overall_item=survey.template.get("overall_item"))
    return Tallies(tally, villages, channels,
                   {k: {c.value: n for c, n in v.items()} for k, v in channels_by_village.items()}, invalid,
                   _handed_out(survey.id), _commune_names({v.commune_code for v in villages}))


def _handed_out(survey_id: int) -> dict[int, int]:
    """Codes issued and not voided per frame village: the phiếu "phát ra"."""
    return dict(db.session.execute(
        select(HouseholdCode.frame_village_id, func.count())
        .where(HouseholdCode.survey_id == survey_id, HouseholdCode.status != CodeStatus.VOIDED)
        .group_by(HouseholdCode.frame_village_id)
    ).all())


def _commune_names(codes: set[str]) -> dict[str, str]:
    if not codes:
        return {}
    rows = db.session.execute(select(Commune.code, Commune.full_name).where(Commune.code.in_(codes)))
    return dict(rows.all())
