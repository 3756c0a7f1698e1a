"""Record a household's phiếu exactly once, whatever the network does."""
from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from ..errors import SurveyAppError
from ..extensions import db
from ..models import (
    Answer,
    AnswerValue,
    Channel,
    CodeStatus,
    FrameVillage,
    HouseholdCode,
    Response,
    ResponseVersion,
    Survey,
    Village,
)
from . import household_codes

RECEIPT_ALPHABET = household_codes.ALPHABET


class CodeAlreadyUsed(SurveyAppError):
    """The household already answered; ``used_at`` says when."""

    def __init__(self, used_at: datetime):
        super().__init__(f"code used at {used_at.isoformat()}")
        self.used_at = used_at


@dataclass(frozen=True)
class Submission:
    """What a household answered: one value per item, optional reasons, an optional opinion."""

    answers: Mapping[str, AnswerValue]
    reasons: Mapping[str, str] = field(default_factory=dict)
    opinion: str = ""
    channel: Channel = Channel.WEB

    def digest(self) -> str:
        """Fingerprint of the content, so that a retried identical submission is recognised."""
        canonical = json.dumps(
            {
                "answers": {k: int(v) for k, v in sorted(self.answers.items())},
                "reasons": {k: v.strip() for k, v in sorted(self.reasons.items()) if v.strip()},
                "opinion": self.opinion.strip(),
            },
            ensure_ascii=False,
            sort_keys=True,
        )
        return hashlib.sha256(canonical.encode()).hexdigest()


def find_code(typed: str) -> HouseholdCode | None:
    """Find a household code from what a resident typed or scanned (any case, dashes optional)."""
    code = household_codes.normalize(typed)
    if code is None:
        return None
    return db.session.execute(
        select(HouseholdCode).where(HouseholdCode.lookup_hash == household_codes.lookup_hash(code))
    ).scalar_one_or_none()


def find_code_and_survey(typed: str) -> tuple[HouseholdCode, Survey] | None:
    """Like ``find_code``, with the survey, village and commune loaded in the same query (the resident path)."""
    code = household_codes.normalize(typed)
    if code is None:
        return None
    row = db.session.execute(
        select(HouseholdCode, Survey)
        .join(Survey, Survey.id == HouseholdCode.survey_id)
        .where(HouseholdCode.lookup_hash == household_codes.lookup_hash(code))
        .options(joinedload(HouseholdCode.frame_village).joinedload(FrameVillage.village)
                 .joinedload(Village.commune))
    ).one_or_none()
    return (row[0], row[1]) if row else None


def response_for(code: HouseholdCode) -> Response | None:
    """The response already recorded for a household code, if any."""
    return db.session.execute(
        select(Response).where(Response.survey_id == code.survey_id, Response.household_code_id == code.id)
    ).scalar_one_or_none()


def recorded_response(code: HouseholdCode) -> Response | None:
    """``response_for`` without a query for a code still marked issued when it was loaded.

    A response and its code's USED status are committed together, so this only misses an answer
    committed since the code was read; ``submit``'s UNIQUE constraint catches that case.
    """
    return None if code.status is CodeStatus.ISSUED else response_for(code)


def new_receipt() -> str:
    """A receipt number the resident can read out, e.g. ``7KQ4-M2XD``."""
    body = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(8))
    return f"{body[:4]}-{body[4:]}"


def build_version(survey: Survey, response: Response, submission: Submission, *, version: int,
                  created_by_id: int | None = None, change_reason: str = "") -> ResponseVersion:
    """Build one version of a phiếu with an answer row per template item."""
    row = ResponseVersion(version=version, opinion=submission.opinion.strip(), created_by_id=created_by_id,
                          change_reason=change_reason)
    for item in survey.template["items"]:
        key = item["key"]
        row.answers.append(
            Answer(
                survey_id=survey.id,
                frame_village_id=response.frame_village_id,
                item_key=key,
                value=int(submission.answers.get(key, AnswerValue.BLANK)),
                reason=submission.reasons.get(key, "").strip(),
                is_current=True,
            )
        )
    return row


def submit(survey: Survey, code: HouseholdCode, submission: Submission, *, client_hash: str | None = None,
           created_by_id: int | None = None) -> tuple[Response, bool]:
    """Store the phiếu; return (response, created). An identical retry returns the first response.

    Raises CodeAlreadyUsed when the household already answered something else. The UNIQUE constraint
    on (survey, household code) decides races: the loser of a concurrent insert reads the winner's row.
    """
    digest = submission.digest()
    existing = recorded_response(code)
    if existing is None:
        response = Response(
            survey_id=survey.id,
            household_code_id=code.id,
            frame_village_id=code.frame_village_id,
            channel=submission.channel,
            receipt=new_receipt(),
            submission_digest=digest,
            client_hash=client_hash,
        )
        response.versions.append(build_version(survey, response, submission, version=1,
                                               created_by_id=created_by_id))
        try:
            with db.session.begin_nested():
                db.session.add(response)
                db.session.flush()
        except IntegrityError:
            existing = response_for(code)
            if existing is None:
                raise
        else:
            code.status = CodeStatus.USED
            db.session.flush()
            return response, True
    if existing.submission_digest == digest:
        return existing, False
    raise CodeAlreadyUsed(existing.submitted_at)
