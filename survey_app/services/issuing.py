"""Issue household codes for a survey's villages, and void a lost slip."""
from __future__ import annotations

import math
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..errors import StateError
from ..extensions import db
from ..i18n import _
from ..models import CodeStatus, FrameVillage, HouseholdCode, Survey, SurveyStatus
from ..models._types import utcnow
from . import audit, household_codes


@dataclass(frozen=True)
class IssuedCode:
    """A code as printed on a slip (the clear code exists only here, never in the database)."""

    village_code: str
    village_name: str
    commune_name: str
    serial: int
    code: str
    commune_code: str = ""

    @property
    def display(self) -> str:
        return household_codes.display(self.code)

    @property
    def url(self) -> str:
        return household_codes.household_url(self.code)


def _new_code(survey: Survey, frame: FrameVillage, serial: int) -> tuple[HouseholdCode, str]:
    while True:
        code = household_codes.generate_code()
        row = HouseholdCode(survey_id=survey.id, frame_village_id=frame.id, serial=serial,
                            lookup_hash=household_codes.lookup_hash(code),
                            sealed_code=household_codes.seal(code))
        try:
            with db.session.begin_nested():
                db.session.add(row)
                db.session.flush()
        except IntegrityError:  # a collision of two random codes: draw again
            continue
        return row, code


def _issued(row: HouseholdCode, code: str) -> IssuedCode:
    village = row.frame_village.village
    return IssuedCode(village.code, village.name, village.commune.full_name, row.serial, code, village.commune_code)


def issue_codes(survey: Survey, *, spare_share: float | None = None, actor=None,
                actor_name: str | None = None) -> list[IssuedCode]:
    """Issue codes so that each village has one per household plus a spare share (flushes)."""
    if survey.status in (SurveyStatus.CLOSED, SurveyStatus.PUBLISHED):
        raise StateError(_("Đợt khảo sát đã kết thúc, không phát thêm mã."))
    share = current_app.config["SURVEY_SPARE_SHARE"] if spare_share is None else spare_share
    counts = dict(db.session.execute(
        select(HouseholdCode.frame_village_id, func.count())
        .where(HouseholdCode.survey_id == survey.id, HouseholdCode.status != CodeStatus.VOIDED)
        .group_by(HouseholdCode.frame_village_id)
    ).all())
    serial = db.session.execute(
        select(func.coalesce(func.max(HouseholdCode.serial), 0)).where(HouseholdCode.survey_id == survey.id)
    ).scalar_one()
    issued = []
    for frame in survey.frame:
        wanted = frame.households + math.ceil(frame.households * share)
        for _i in range(max(0, wanted - counts.get(frame.id, 0))):
            serial += 1
            issued.append(_issued(*_new_code(survey, frame, serial)))
    audit.record("codes.issue", actor=actor, actor_name=actor_name, survey_id=survey.id, count=len(issued),
                 first_serial=issued[0].serial if issued else None, last_serial=serial if issued else None)
    return issued


def void_and_replace(survey: Survey, serial: int, *, actor=None, actor_name: str | None = None,
                     reason: str = "") -> IssuedCode:
    """Void a lost slip and issue its replacement for the same village (flushes)."""
    row = db.session.execute(
        select(HouseholdCode).where(HouseholdCode.survey_id == survey.id, HouseholdCode.serial == serial)
    ).scalar_one_or_none()
    if row is None:
        raise StateError(_("Không có phiếu số %(serial)s trong đợt khảo sát này.", serial=serial))
    if row.status is not CodeStatus.ISSUED:
        raise StateError(_("Phiếu số %(serial)s đã được dùng hoặc đã hủy, không thể hủy.", serial=serial))
    row.status, row.voided_at = CodeStatus.VOIDED, utcnow()
    next_serial = db.session.execute(
        select(func.max(HouseholdCode.serial)).where(HouseholdCode.survey_id == survey.id)
    ).scalar_one() + 1
    new_row, code = _new_code(survey, row.frame_village, next_serial)
    new_row.replaces_id = row.id
    db.session.flush()
    audit.record("codes.void", actor=actor, actor_name=actor_name, survey_id=survey.id, voided_serial=serial,
                 replacement_serial=next_serial, reason=reason)
    return _issued(new_row, code)


def reprint(survey: Survey) -> list[IssuedCode]:
    """Every usable slip of a survey, decrypted for printing again."""
    rows = db.session.execute(
        select(HouseholdCode)
        .where(HouseholdCode.survey_id == survey.id, HouseholdCode.status == CodeStatus.ISSUED)
        .order_by(HouseholdCode.serial)
    ).scalars()
    return [_issued(row, household_codes.unseal(row.sealed_code)) for row in rows]
