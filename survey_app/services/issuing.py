"""Issue household codes for a survey's villages, and void a lost slip."""
from __future__ import annotations

import math
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from ..errors import StateError
from ..extensions import db
from ..i18n import _
from ..models import CodeStatus, FrameVillage, HouseholdCode, Response, Survey
from ..models._types import utcnow
from . import audit, household_codes, lifecycle


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


#: How many times a code whose keyed hash is already taken is drawn again (one clash in 2^49 is rare;
#: five in a row means something else is wrong, and the transaction is abandoned rather than spun).
MAX_DRAWS = 5
#: Rows per INSERT statement (under SQLite's limit of bound parameters).
INSERT_CHUNK = 1000


def _insert_codes(survey: Survey, slots: list[tuple[FrameVillage, int]], *,
                  replaces_id: int | None = None) -> list[tuple[int, FrameVillage, int, str]]:
    """Insert a new code for each (village, serial) slot: (row id, village, serial, clear code) per slot.

    INSERT … ON CONFLICT DO NOTHING RETURNING: a slot whose random code clashed with an existing one is
    drawn again (at most MAX_DRAWS times), with no savepoint; so is a code already stored under an older
    key of the ring, whose hash the unique index cannot compare. Serials cannot clash: the caller holds the
    survey's numbering lock.
    """
    table = HouseholdCode.__table__
    dialect_insert = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}[db.session.get_bind().dialect.name]
    done, pending = [], list(slots)
    for _draw in range(MAX_DRAWS):
        if not pending:
            break
        drawn = {serial: (frame, household_codes.generate_code()) for frame, serial in pending}
        inserted: dict[int, int] = {}
        clashing = household_codes.stored_under_older_keys([code for _frame, code in drawn.values()])
        rows = [dict(survey_id=survey.id, frame_village_id=frame.id, serial=serial,
                     lookup_hash=household_codes.lookup_hash(code), sealed_code=household_codes.seal(code),
                     status=CodeStatus.ISSUED, issued_at=utcnow(), replaces_id=replaces_id)
                for serial, (frame, code) in drawn.items() if code not in clashing]
        for start in range(0, len(rows), INSERT_CHUNK):
            statement = (dialect_insert(table).values(rows[start:start + INSERT_CHUNK]).on_conflict_do_nothing()
                         .returning(table.c.id, table.c.serial))
            inserted.update((serial, row_id) for row_id, serial in db.session.execute(statement))
        done += [(inserted[serial], frame, serial, code) for serial, (frame, code) in drawn.items()
                 if serial in inserted]
        pending = [(frame, serial) for serial, (frame, _code) in drawn.items() if serial not in inserted]
    if pending:
        raise RuntimeError(f"could not insert household codes for serials {[s for _f, s in pending][:5]}")
    return sorted(done, key=lambda slot: slot[2])


def _issued(frame: FrameVillage, serial: int, code: str) -> IssuedCode:
    village = frame.village
    return IssuedCode(village.code, village.name, village.commune.full_name, serial, code, village.commune_code)


def _next_serial(survey: Survey) -> int:
    return db.session.execute(
        select(func.coalesce(func.max(HouseholdCode.serial), 0)).where(HouseholdCode.survey_id == survey.id)
    ).scalar_one() + 1


def codes_wanted(survey: Survey, spare_share: float) -> list[tuple[FrameVillage, int]]:
    """How many more codes each village needs: one per household plus the spare share, less those held."""
    counts = dict(db.session.execute(
        select(HouseholdCode.frame_village_id, func.count())
        .where(HouseholdCode.survey_id == survey.id, HouseholdCode.status != CodeStatus.VOIDED)
        .group_by(HouseholdCode.frame_village_id)
    ).all())
    wanted = []
    for frame in survey.frame:
        missing = frame.households + math.ceil(frame.households * spare_share) - counts.get(frame.id, 0)
        if missing > 0:
            wanted.append((frame, missing))
    return wanted


def issue_codes(survey: Survey, *, spare_share: float | None = None, limit: int | None = None, actor=None,
                actor_name: str | None = None) -> list[IssuedCode]:
    """Issue codes so that each village has one per household plus a spare share (flushes).

    At most ``limit`` codes (SURVEY_CODES_PER_REQUEST by default) are issued in one call, so that one
    request stays short; a province's hundreds of thousands of codes are issued in several calls
    (``codes_wanted`` says what remains). Numbering is serialised per survey, so two simultaneous calls (a double
    click) issue the codes once and number them without a gap or a clash.
    """
    lifecycle.require(survey, lifecycle.Write.ISSUE_CODES)
    lifecycle.numbering_lock(survey)
    share = current_app.config["SURVEY_SPARE_SHARE"] if spare_share is None else spare_share
    limit = current_app.config["SURVEY_CODES_PER_REQUEST"] if limit is None else limit
    wanted = codes_wanted(survey, share)
    total = sum(missing for _frame, missing in wanted)
    serial = _next_serial(survey)
    slots = []
    for frame, missing in wanted:
        take = min(missing, limit - len(slots))
        slots += [(frame, serial + i) for i in range(take)]
        serial += take
    issued = [_issued(frame, number, code) for _id, frame, number, code in _insert_codes(survey, slots)]
    if issued:
        audit.record("codes.issue", actor=actor, actor_name=actor_name, survey_id=survey.id, count=len(issued),
                     first_serial=issued[0].serial, last_serial=issued[-1].serial, remaining=total - len(issued))
    return issued


def void_and_replace(survey: Survey, serial: int, *, actor=None, actor_name: str | None = None,
                     reason: str = "") -> IssuedCode:
    """Void a lost slip and issue its replacement for the same village (flushes).

    A slip that has an answer is never voided: the household was counted, and a replacement would let
    it answer twice. The status changes only where it is still ``issued`` (one UPDATE, which takes the
    code row's lock), so a resident's answer committed at the same moment wins and the void is refused.
    """
    lifecycle.require(survey, lifecycle.Write.VOID_CODE)
    lifecycle.numbering_lock(survey)
    row = db.session.execute(
        select(HouseholdCode).where(HouseholdCode.survey_id == survey.id, HouseholdCode.serial == serial)
    ).scalar_one_or_none()
    if row is None:
        raise StateError(_("Không có phiếu số %(serial)s trong đợt khảo sát này.", serial=serial))
    now = utcnow()
    voided = db.session.execute(
        update(HouseholdCode.__table__).where(HouseholdCode.id == row.id, HouseholdCode.status == CodeStatus.ISSUED)
        .values(status=CodeStatus.VOIDED, voided_at=now)
    ).rowcount
    db.session.refresh(row)
    answered = db.session.execute(select(Response.id).where(Response.survey_id == survey.id,
                                                             Response.household_code_id == row.id)).first()
    if answered is not None or row.status is CodeStatus.USED:
        raise StateError(_("Phiếu số %(serial)s đã có câu trả lời nên không hủy được: hộ này đã được tính.",
                           serial=serial))
    if not voided:
        raise StateError(_("Phiếu số %(serial)s đã bị hủy trước đó.", serial=serial))
    _new_id, frame, next_serial, code = _insert_codes(survey, [(row.frame_village, _next_serial(survey))],
                                                      replaces_id=row.id)[0]
    audit.record("codes.void", actor=actor, actor_name=actor_name, survey_id=survey.id, voided_serial=serial,
                 replacement_serial=next_serial, reason=reason)
    return _issued(frame, next_serial, code)


def reprint(survey: Survey, *, frame_village_id: int | None = None,
            serials: set[int] | None = None) -> list[IssuedCode]:
    """The usable (issued, unanswered) slips of a survey, decrypted for printing again, in serial order.

    ``frame_village_id`` keeps one village of the frame, ``serials`` some slips.
    """
    query = (select(HouseholdCode)
             .where(HouseholdCode.survey_id == survey.id, HouseholdCode.status == CodeStatus.ISSUED)
             .order_by(HouseholdCode.serial))
    if frame_village_id is not None:
        query = query.where(HouseholdCode.frame_village_id == frame_village_id)
    if serials is not None:
        query = query.where(HouseholdCode.serial.in_(sorted(serials)))
    return [_issued(row.frame_village, row.serial, household_codes.unseal(row.sealed_code))
            for row in db.session.execute(query).scalars()]


def record_export(survey: Survey, fmt: str, count: int, chosen: dict, *, actor) -> None:
    """Audit a download of live slips (``fmt`` csv or pdf; ``chosen``: the village or serial asked for)."""
    audit.record("codes.export", actor=actor, survey_id=survey.id, format=fmt, count=count, **chosen)
