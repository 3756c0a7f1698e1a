"""Tallies of a survey computed by grouped SQL (one statement of grouped reads, never one per response)."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import String, cast, distinct, func, literal_column, select, union_all

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

_CHANNELS = tuple(channel.value for channel in Channel)


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


def _grouped(survey: Survey, blank_valid: bool):
    """Every count the tally needs in one statement: answers per village × item (satisfied, not satisfied,
    blank), phiếu per village × channel, and slips handed out (issued, not voided) per village, as rows
    (kind 0, 1, 2; village; item or channel; counts): one round trip, and the answers come pivoted by the
    database (one row per village and item) rather than one row per value."""
    answers = (
        select(literal_column("0").label("kind"), Answer.frame_village_id, Answer.item_key.label("key"),
               *[func.count().filter(Answer.value == int(value)).label(f"n{index}")
                 for index, value in enumerate((AnswerValue.SATISFIED, AnswerValue.NOT_SATISFIED,
                                                AnswerValue.BLANK))])
        .where(Answer.survey_id == survey.id, Answer.is_current)
        .group_by(Answer.frame_village_id, Answer.item_key)
    )
    if not blank_valid:
        answers = answers.where(Answer.response_version_id.not_in(_invalid_versions(survey.id)))
    zero = literal_column("0")
    channels = (
        select(literal_column("1"), Response.frame_village_id, cast(Response.channel, String), func.count(), zero,
               zero)
        .where(Response.survey_id == survey.id)
        .group_by(Response.frame_village_id, Response.channel)
    )
    handed_out = (
        select(literal_column("2"), HouseholdCode.frame_village_id, literal_column("''"), func.count(), zero, zero)
        .where(HouseholdCode.survey_id == survey.id, HouseholdCode.status != CodeStatus.VOIDED)
        .group_by(HouseholdCode.frame_village_id)
    )
    return db.session.execute(union_all(answers, channels, handed_out)).all()


def _invalid(survey: Survey) -> dict[int, int]:
    """Phiếu with a blank item per village (counted only when the template says such a phiếu is invalid)."""
    return dict(db.session.execute(
        select(Answer.frame_village_id, func.count(distinct(Answer.response_version_id)))
        .where(Answer.survey_id == survey.id, Answer.is_current.is_(True), Answer.value == int(AnswerValue.BLANK))
        .group_by(Answer.frame_village_id)
    ).all())


def frame_villages(survey: Survey) -> list:
    """The survey's frame villages as rows (frame id, village code, name, commune code, households), ordered by
    commune and village code: the villages of the tally and of the collection dashboard."""
    return db.session.execute(
        select(FrameVillage.id, Village.code, Village.name, Village.commune_code, FrameVillage.households)
        .join(Village, Village.id == FrameVillage.village_id)
        .where(FrameVillage.survey_id == survey.id)
        .order_by(Village.commune_code, Village.code)
    ).all()


def compute_tallies(survey: Survey) -> Tallies:
    """Count answers per village × item × value, responses per village × channel and slips handed out per
    village (``_grouped``: one statement), and put them in the shapes the analysis reads."""
    items = [item.key for item in survey.form.items]
    blank_valid = survey.form.blank_items_valid
    frames = frame_villages(survey)
    villages = tuple(VillageInfo(*row) for row in frames)
    invalid = {} if blank_valid else _invalid(survey)
    counts: dict[tuple[int, str], tuple[int, int, int]] = {}
    channels_by_village: dict[int, dict[str, int]] = {}
    handed_out: dict[int, int] = {}
    for kind, frame_id, key, first, second, third in _grouped(survey, blank_valid):
        if kind == 0:
            counts[(frame_id, key)] = (first, second, third)
        elif kind == 1:
            channels_by_village.setdefault(frame_id, dict.fromkeys(_CHANNELS, 0))[key] += first
        else:
            handed_out[frame_id] = first
    none = (0, 0, 0)
    units = []
    for village in villages:
        channels = channels_by_village.setdefault(village.frame_id, dict.fromkeys(_CHANNELS, 0))
        responded = sum(channels.values()) - invalid.get(village.frame_id, 0)
        units.append(UnitTally(
            code=village.code if survey.unit_level == "commune" else f"{village.commune_code}/{village.code}",
            # spare slips answered beyond the frame's count: the village has at least that many households
            # (the full-coverage indicator points at it); rules and rates never see more phiếu than households
            households=max(village.households, responded),
            respondents=responded,
            items={key: ItemCounts(*counts.get((village.frame_id, key), none)) for key in items},
            group=village.commune_code,
        ))
    tally = SurveyTally(units=tuple(units), item_keys=tuple(items),
                        overall_item=survey.form.overall_item)
    channels = {c: sum(v[c] for v in channels_by_village.values()) for c in _CHANNELS}
    return Tallies(tally, villages, channels, channels_by_village, invalid, handed_out,
                   _commune_names({v.commune_code for v in villages}))


def _commune_names(codes: set[str]) -> dict[str, str]:
    if not codes:
        return {}
    rows = db.session.execute(select(Commune.code, Commune.full_name).where(Commune.code.in_(codes)))
    return dict(rows.all())
