"""Record a household's phiếu exactly once, whatever the network does."""
from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache

from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload, lazyload
from sqlalchemy.orm.attributes import set_committed_value

from ..errors import StateError, SurveyAppError
from ..extensions import db
from ..i18n import _
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
from ..models._types import utcnow
from . import household_codes, lifecycle, submit_sql

RECEIPT_ALPHABET = household_codes.ALPHABET


class CodeVoided(StateError):
    """The slip was voided (reported lost): its replacement is the household's code now."""

    def __init__(self, serial: int):
        super().__init__(_("Phiếu số %(serial)s đã bị hủy (báo mất); hãy dùng phiếu thay thế.", serial=serial))


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


@dataclass(frozen=True)
class Recorded:
    """The response ``submit`` stored or found again: its id and receipt, and whether this call stored it."""

    id: int
    receipt: str
    created: bool


def find_code(typed: str) -> HouseholdCode | None:
    """Find a household code from what a resident typed or scanned (any case, dashes optional)."""
    code = household_codes.normalize(typed)
    if code is None:
        return None
    return db.session.execute(
        select(HouseholdCode).where(household_codes.lookup_clause(code))
    ).scalar_one_or_none()


def find_code_and_survey(typed: str, *, with_places: bool = True) -> tuple[HouseholdCode, Survey] | None:
    """Like ``find_code``, with the survey in the same query (the resident path).

    ``with_places`` loads the code's village and commune too, for a page that names them; without it, not even
    the village is joined (a submit reads it only for a page that refuses).
    """
    code = household_codes.normalize(typed)
    if code is None:
        return None
    row = db.session.execute(_code_and_survey(with_places),
                             {"hashes": household_codes.lookup_hashes(code)}).one_or_none()
    return (row[0], row[1]) if row else None


@lru_cache(maxsize=2)
def _code_and_survey(with_places: bool):
    """``find_code_and_survey``'s query, built once (building it costs more than running it): the WHERE clause
    is ``household_codes.lookup_clause`` with the code's hashes as a parameter."""
    query = (select(HouseholdCode, Survey).join(Survey, Survey.id == HouseholdCode.survey_id)
             .where(HouseholdCode.lookup_hash.in_(bindparam("hashes", expanding=True))))
    if with_places:
        return query.options(joinedload(HouseholdCode.frame_village).joinedload(FrameVillage.village)
                             .joinedload(Village.commune))
    return query.options(lazyload(HouseholdCode.frame_village))


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
    number, body = secrets.randbelow(len(RECEIPT_ALPHABET) ** 8), ""  # one draw: a draw per character is a system call
    for _position in range(8):
        number, digit = divmod(number, len(RECEIPT_ALPHABET))
        body += RECEIPT_ALPHABET[digit]
    return f"{body[:4]}-{body[4:]}"


def _answer_rows(survey: Survey, frame_village_id: int, submission: Submission) -> list[dict]:
    """The answer columns of one version: a row per template item (BLANK where nothing was chosen)."""
    return [dict(survey_id=survey.id, frame_village_id=frame_village_id, item_key=item.key,
                 value=int(submission.answers.get(item.key, AnswerValue.BLANK)),
                 reason=submission.reasons.get(item.key, "").strip(), is_current=True)
            for item in survey.form.items]


def build_version(survey: Survey, response: Response, submission: Submission, *, version: int,
                  created_by_id: int | None = None, change_reason: str = "") -> ResponseVersion:
    """Build one version of a phiếu with an answer row per template item."""
    row = ResponseVersion(version=version, opinion=submission.opinion.strip(), created_by_id=created_by_id,
                          change_reason=change_reason)
    row.answers.extend(Answer(**answer) for answer in _answer_rows(survey, response.frame_village_id, submission))
    return row


def submit(survey: Survey, code: HouseholdCode, submission: Submission, *, client_hash: str | None = None,
           created_by_id: int | None = None, alone: bool = False) -> Recorded:
    """Store the phiếu; an identical retry gets the first response's receipt back.

    The survey's state must allow the channel (``lifecycle``: web answers while open, paper until
    published). The code is claimed first, by an UPDATE from ``issued`` to ``used`` that takes its row
    lock: of two answers, or an answer and a void, racing for one slip, exactly one wins. Raises
    CodeAlreadyUsed when the household already answered something else, CodeVoided for a voided slip.
    This is the resident path's hot spot, so it writes with Core statements and no ORM unit of work.

    ``alone``: the caller writes nothing else in this transaction and commits right after (a resident's
    request). On PostgreSQL a web answer then takes one statement (``submit_sql.STORE_AT_ONCE``), which counts
    the survey's data version at once rather than at commit (``data_version``): with no other write in the
    transaction, that lock cannot come out of the commit-time order.
    """
    write = lifecycle.Write.WEB_ANSWER if submission.channel is Channel.WEB else lifecycle.Write.PAPER_KEYING
    digest = submission.digest()
    dialect = db.session.get_bind().dialect.name
    sql = submit_sql.statements(dialect)
    if alone and dialect == "postgresql" and write is lifecycle.Write.WEB_ANSWER and lifecycle.allows(survey, write):
        done, receipt = _store_at_once(survey, code, submission, digest, client_hash, created_by_id)
        if done.response_id is not None:
            set_committed_value(code, "status", CodeStatus.USED)
            return Recorded(done.response_id, receipt, created=True)
        # says why the state refuses (no survey returns to "open", so a refusal stands), or counts the write as the
        # general path does; a slip claimed but not stored (a receipt number taken) gets another receipt below
        lifecycle.require(survey, write)
        claimed = done.claimed
    else:
        lifecycle.require(survey, write)
        claimed = db.session.execute(sql.claim, {"code_id": code.id}).rowcount
    if claimed:
        set_committed_value(code, "status", CodeStatus.USED)
        for _attempt in range(3):
            receipt = new_receipt()
            response_id = db.session.execute(sql.response, dict(
                survey_id=survey.id, household_code_id=code.id, frame_village_id=code.frame_village_id,
                channel=submission.channel, receipt=receipt, submission_digest=digest,
                client_hash=client_hash)).scalar_one_or_none()
            if response_id is not None:
                _insert_first_version(survey, code, response_id, submission, created_by_id)
                return Recorded(response_id, receipt, created=True)
            if response_for(code) is not None:
                break  # an answer stored while the code still read "issued" (data from before this rule)
        else:
            raise RuntimeError("three receipt numbers in a row were taken")
    existing = response_for(code)
    if existing is None:
        raise CodeVoided(code.serial)
    if existing.submission_digest == digest:
        return Recorded(existing.id, existing.receipt, created=False)
    raise CodeAlreadyUsed(existing.submitted_at)


def _store_at_once(survey: Survey, code: HouseholdCode, submission: Submission, digest: str,
                   client_hash: str | None, created_by_id: int | None) -> tuple[submit_sql.AtOnce, str]:
    """A resident's phiếu in one statement (``submit_sql.STORE_AT_ONCE``), and the receipt it was given."""
    receipt = new_receipt()
    return submit_sql.store_at_once(
        db.session, statuses=sorted(status.value for status in lifecycle.ALLOWED[lifecycle.Write.WEB_ANSWER]),
        rows=_answer_rows(survey, code.frame_village_id, submission), survey_id=survey.id, code_id=code.id,
        frame_village_id=code.frame_village_id, channel=submission.channel.value, receipt=receipt, digest=digest,
        now=utcnow(), client_hash=client_hash, opinion=submission.opinion.strip(), created_by_id=created_by_id), receipt


def _insert_first_version(survey: Survey, code: HouseholdCode, response_id: int, submission: Submission,
                          created_by_id: int | None) -> None:
    """Version 1 of a new response and its answer rows (``submit_sql.insert_answers``)."""
    sql = submit_sql.statements(db.session.get_bind().dialect.name)
    version_id = db.session.execute(sql.version, {
        "response_id": response_id, "opinion": submission.opinion.strip(), "created_by_id": created_by_id,
    }).scalar_one()
    submit_sql.insert_answers(db.session, version_id, _answer_rows(survey, code.frame_village_id, submission))
