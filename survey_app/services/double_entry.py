"""Optional second keying of a paper batch by another person, the mismatch report, and its resolution.

The second keying changes no response: it is compared with the stored phiếu, and each disagreement is
settled by a person who looks at the paper original (keep the stored phiếu, or store the second keying as
a correction). Four eyes: nobody confirms a version they keyed themselves, so with two clerks each one
confirms the other's keying.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from ..errors import InputError, StateError
from ..extensions import db
from ..i18n import _
from ..models import (
    AnswerValue,
    Channel,
    HouseholdCode,
    KeyedEntry,
    KeyingBatch,
    Resolution,
    Response,
    ResponseVersion,
    Survey,
    User,
)
from ..models._types import utcnow
from . import audit, lifecycle
from .paper import (
    check_code_in_batch,
    correct_response,
    current_submissions,
    differences,
    keyed_entry,
    record_keying,
)
from .responses import CodeAlreadyUsed, Submission, response_for, submit


def enter_second(survey: Survey, batch: KeyingBatch, code: HouseholdCode, submission: Submission, *,
                 actor=None) -> KeyedEntry:
    """Record an independent second keying of a phiếu of the batch (flushes); it changes no response."""
    lifecycle.require(survey, lifecycle.Write.SECOND_KEYING)
    check_code_in_batch(batch, code)
    stored = response_for(code)
    if stored is not None and stored.channel is Channel.WEB:
        # The household answered online: its answers are its own, never compared with (or shown to) staff.
        raise InputError(_("Hộ của phiếu số %(serial)s đã tự trả lời qua mạng; phiếu giấy của hộ này không được "
                           "nhập.", serial=code.serial))
    first = keyed_entry(batch, 1, code)
    if first is not None and first.created_by_id == getattr(actor, "id", None):
        raise InputError(_("Lần nhập thứ hai phải do người khác với người nhập lần đầu thực hiện."))
    if keyed_entry(batch, 2, code) is not None:
        raise InputError(_("Phiếu số %(serial)s đã được nhập lần hai trong tập này.", serial=code.serial))
    entry = record_keying(batch, 2, code, submission, actor)
    audit.record("paper.second_keying", actor=actor, survey_id=survey.id, batch=batch.id, serial=code.serial)
    return entry


def entry_submission(entry: KeyedEntry, channel: Channel) -> Submission:
    """What a keyed entry holds, as a Submission."""
    return Submission({k: AnswerValue(v) for k, v in entry.answers.items()}, dict(entry.reasons or {}),
                      entry.opinion or "", channel)


@dataclass(frozen=True)
class Mismatch:
    """A second keying that disagrees with the stored phiếu (or has no stored phiếu at all)."""

    entry: KeyedEntry
    serial: int
    response: Response | None
    fields: list[tuple[str, str, str]]
    #: Who wrote the stored phiếu's current version and who keyed the second time (None: not a staff member)
    stored_by: User | None = None
    keyed_by: User | None = None


def stored_by_id(response: Response | None) -> int | None:
    """Who wrote the stored phiếu's current version (None for a web answer or a command-line import)."""
    if response is None:
        return None
    return db.session.execute(select(ResponseVersion.created_by_id).where(
        ResponseVersion.response_id == response.id, ResponseVersion.version == response.current_version)).scalar()


def _user(user_id: int | None) -> User | None:
    return db.session.get(User, user_id) if user_id is not None else None


def batch_report(survey: Survey, batch: KeyingBatch) -> tuple[list[Mismatch], int, int]:
    """Unresolved mismatches of the batch, how many phiếu agree, and how many await a second keying."""
    entries = db.session.execute(
        select(KeyedEntry, HouseholdCode.serial)
        .join(HouseholdCode, HouseholdCode.id == KeyedEntry.household_code_id)
        .where(KeyedEntry.batch_id == batch.id).order_by(HouseholdCode.serial)
    ).all()
    first = {e.household_code_id for e, _serial in entries if e.keying == 1}
    second = [(e, serial) for e, serial in entries if e.keying == 2]
    codes = [e.household_code_id for e, _serial in second]
    responses = {r.household_code_id: r for r in db.session.execute(
        select(Response).where(Response.survey_id == survey.id, Response.household_code_id.in_(codes))
    ).scalars()} if codes else {}
    stored = current_submissions([r.id for r in responses.values() if r.channel is not Channel.WEB])
    items = survey.form.items
    mismatches, agreeing = [], 0
    for entry, serial in second:
        response = responses.get(entry.household_code_id)
        if response is None:
            fields = [(_("Phiếu"), _("chưa được lưu"), _("có trong lần nhập hai"))]
        elif response.channel is Channel.WEB:  # keyed before this was refused: compare nothing, show nothing
            fields = [(_("Phiếu"), _("hộ đã tự trả lời qua mạng"), _("không đối chiếu"))]
        else:
            fields = differences(items, stored[response.id], entry_submission(entry, batch.channel))
        if not fields:
            agreeing += 1
        elif entry.resolution is None:
            mismatches.append(Mismatch(entry, serial, response, fields, _user(stored_by_id(response)),
                                       _user(entry.created_by_id)))
    awaiting = len(first - set(codes))
    return mismatches, agreeing, awaiting


def resolve(survey: Survey, entry: KeyedEntry, use_second: bool, *, actor=None) -> None:
    """Settle a mismatch: keep the stored phiếu, or store the second keying (as a correction) (flushes)."""
    lifecycle.require(survey, lifecycle.Write.RESOLVE)
    db.session.refresh(entry, with_for_update=True)  # two people settling it at once: the second sees it done
    if entry.keying != 2 or entry.resolution is not None:
        raise StateError(_("Sai lệch này đã được xử lý."))
    batch = entry.batch
    code = db.session.get(HouseholdCode, entry.household_code_id)
    response = response_for(code)
    author = entry.created_by_id if use_second else stored_by_id(response)
    if author is not None and author == getattr(actor, "id", None):
        raise StateError(_("Bạn đã nhập bản này nên không tự xác nhận được. Một cán bộ khác cần đối chiếu với "
                           "phiếu giấy gốc rồi chọn bản đúng."))
    keyed = entry_submission(entry, batch.channel)
    if use_second and response is None:
        try:
            entry.response_id = submit(survey, code, keyed, created_by_id=getattr(actor, "id", None)).id
        except CodeAlreadyUsed:  # the household answered (online) while this mismatch waited
            raise StateError(_("Hộ của phiếu số %(serial)s vừa có phiếu được lưu; hãy tải lại trang đối chiếu.",
                               serial=code.serial)) from None
    elif use_second:
        correct_response(survey, response, keyed,
                         _("Đối chiếu hai lần nhập (tập %(batch)s): dùng bản nhập lần hai.", batch=batch.id),
                         actor=actor)
    entry.resolution = Resolution.CORRECTED if use_second else Resolution.KEPT
    entry.resolved_by_id, entry.resolved_at = getattr(actor, "id", None), utcnow()
    db.session.flush()
    audit.record("paper.resolve", actor=actor, survey_id=survey.id, batch=batch.id, serial=code.serial,
                 resolution=entry.resolution.value)
