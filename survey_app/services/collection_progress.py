"""Live coverage of a survey: per village households, codes, answers by channel, against the quorum."""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from sqlalchemy import func, select

from analysis import to_fraction

from ..extensions import db
from ..models import Channel, CodeStatus, FrameVillage, HouseholdCode, Response, Survey, SurveyStatus
from ..models.surveys import vietnam_today
from .tally import frame_villages
from .window import days_left


@dataclass(frozen=True)
class Row:
    """Counts of one village of the frame (or of the whole survey, for the totals row)."""

    frame_id: int | None
    code: str
    name: str
    commune_code: str
    households: int
    codes_issued: int  # usable or used codes, voided ones excluded
    codes_voided: int
    web: int
    paper: int
    meeting: int
    quorum: Fraction | None

    @property
    def answered(self) -> int:
        return self.web + self.paper + self.meeting

    @property
    def rate(self) -> Fraction | None:
        """Share of the village's households that answered (may pass 1 when spare slips were used)."""
        return Fraction(self.answered, self.households) if self.households else None

    @property
    def meets_quorum(self) -> bool | None:
        if self.quorum is None or self.rate is None:
            return None
        return self.rate >= self.quorum

    @property
    def still_needed(self) -> int:
        """Answers still missing to reach the quorum (0 once reached)."""
        if self.quorum is None:
            return 0
        return max(0, math.ceil(self.quorum * self.households) - self.answered)


@dataclass(frozen=True)
class Coverage:
    """The coverage dashboard of one survey."""

    rows: tuple[Row, ...]
    total: Row
    quorum: Fraction | None
    quorum_rule: dict | None
    days_left: int | None
    window_state: str


def quorum_rule(survey: Survey) -> dict | None:
    """The survey's coverage_min rule, if it has one."""
    return next((rule for rule in survey.rules if rule.get("kind") == "coverage_min"), None)


def working_days_left(survey: Survey, today: date | None = None) -> int | None:
    """Counted days left in the window, today included, counted as the window was; None if not open."""
    if survey.status is not SurveyStatus.OPEN:
        return None
    return days_left(survey.start_date, survey.end_date, survey.skip_holidays, today or vietnam_today())


def _per_village(survey: Survey, model, column, kind) -> dict[tuple[int, str], int]:
    """How many of the survey's rows of ``model`` each frame village holds per value of ``column`` (read as the
    enum ``kind``), keyed by (frame village id, value)."""
    return {(frame_id, kind(value).value): n for frame_id, value, n in db.session.execute(
        select(model.frame_village_id, column, func.count())
        .where(model.survey_id == survey.id)
        .group_by(model.frame_village_id, column)
    )}


def survey_coverage(survey: Survey, today: date | None = None) -> Coverage:
    """Compute the dashboard in three grouped queries (frame, codes, responses)."""
    rule = quorum_rule(survey)
    quorum = to_fraction(rule["threshold"]) if rule else None
    frames = frame_villages(survey)
    codes = _per_village(survey, HouseholdCode, HouseholdCode.status, CodeStatus)
    answers = _per_village(survey, Response, Response.channel, Channel)
    rows = tuple(
        Row(frame_id, code, name, commune, households,
            codes.get((frame_id, "issued"), 0) + codes.get((frame_id, "used"), 0),
            codes.get((frame_id, "voided"), 0),
            answers.get((frame_id, "web"), 0), answers.get((frame_id, "paper"), 0),
            answers.get((frame_id, "meeting"), 0), quorum)
        for frame_id, code, name, commune, households in frames
    )
    total = Row(None, "", "", "", *(sum(getattr(r, f) for r in rows) for f in (
        "households", "codes_issued", "codes_voided", "web", "paper", "meeting")), quorum)
    return Coverage(rows, total, quorum, rule, working_days_left(survey, today), survey.window_state(today))


def progress_of(survey_ids: list[int]) -> tuple[dict[int, int], dict[int, int]]:
    """For a page of surveys: phiếu received and households on the frame, per survey id (two grouped queries)."""
    if not survey_ids:
        return {}, {}
    answered = dict(db.session.execute(select(Response.survey_id, func.count())
                                       .where(Response.survey_id.in_(survey_ids))
                                       .group_by(Response.survey_id)).all())
    households = dict(db.session.execute(select(FrameVillage.survey_id, func.sum(FrameVillage.households))
                                         .where(FrameVillage.survey_id.in_(survey_ids))
                                         .group_by(FrameVillage.survey_id)).all())
    return answered, households
