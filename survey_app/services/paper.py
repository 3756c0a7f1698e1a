"""Paper phiếu: keying in batches and corrections (the second keying is in ``double_entry``).

A first keying stores the phiếu as a response at once (through ``responses.submit``); a second keying by
another person is only compared with what is stored. A correction never edits a phiếu in place: it adds a
version (who, when, why) and moves the ``is_current`` flag to the new answers.
"""
from __future__ import annotations

import re
from collections.abc import Sequence

from sqlalchemy import func, select, update

from ..errors import InputError, StateError
from ..extensions import db
from ..i18n import _
from ..models import (
    Answer,
    AnswerValue,
    Channel,
    CodeStatus,
    HouseholdCode,
    KeyedEntry,
    KeyingBatch,
    Response,
    ResponseVersion,
    Survey,
)
from ..survey_templates import TemplateItem
from . import audit, household_codes, lifecycle
from .responses import CodeAlreadyUsed, Submission, build_version, response_for, submit

PAPER_CHANNELS = (Channel.PAPER, Channel.MEETING)


def find_slip(survey: Survey, typed: str) -> HouseholdCode:
    """The household code of this survey from a typed serial number (``12``) or code (``K7PX-3MQD-9T``)."""
    text = (typed or "").strip().lstrip("#")
    if not text:
        raise InputError(_("Hãy nhập số phiếu hoặc mã hộ in trên phiếu."))
    if text.isdigit():
        row = db.session.execute(
            select(HouseholdCode).where(HouseholdCode.survey_id == survey.id,
                                        HouseholdCode.serial == int(text))
        ).scalar_one_or_none() if len(text) <= 9 else None
    else:
        code = household_codes.normalize(text)
        row = db.session.execute(
            select(HouseholdCode).where(household_codes.lookup_clause(code))
        ).scalar_one_or_none() if code else None
    if row is None or row.survey_id != survey.id:
        raise InputError(_("Không có phiếu “%(slip)s” trong đợt khảo sát này.", slip=text))
    if row.status is CodeStatus.VOIDED:
        raise InputError(_("Phiếu số %(serial)s đã bị hủy (báo mất); hãy dùng phiếu thay thế.",
                           serial=row.serial))
    return row


def create_batch(survey: Survey, frame_village_id: int, channel: Channel, label: str = "", *,
                 actor=None) -> KeyingBatch:
    """Start a batch of paper phiếu of one village of the frame (flushes)."""
    lifecycle.require(survey, lifecycle.Write.PAPER_KEYING)
    if channel not in PAPER_CHANNELS:
        raise InputError(_("Tập phiếu giấy chỉ nhận kênh “phiếu giấy” hoặc “họp thôn”."))
    if frame_village_id not in {frame.id for frame in survey.frame}:
        raise InputError(_("Thôn này không thuộc danh sách của đợt khảo sát."))
    batch = KeyingBatch(survey_id=survey.id, frame_village_id=frame_village_id, channel=channel,
                        label=label.strip()[:120], created_by_id=getattr(actor, "id", None))
    db.session.add(batch)
    db.session.flush()
    audit.record("paper.batch", actor=actor, survey_id=survey.id, batch=batch.id,
                 village=batch.frame_village.village.code, channel=channel.value, label=batch.label)
    return batch


def check_code_in_batch(batch: KeyingBatch, code: HouseholdCode) -> None:
    """Refuse a slip that belongs to another village than the batch's."""
    if code.frame_village_id != batch.frame_village_id:
        raise InputError(_("Phiếu số %(serial)s thuộc %(village)s, không thuộc thôn của tập phiếu này.",
                           serial=code.serial, village=code.frame_village.village.name))


def keyed_entry(batch: KeyingBatch, keying: int, code: HouseholdCode) -> KeyedEntry | None:
    """The entry of a slip in one keying of the batch, if keyed."""
    return db.session.execute(
        select(KeyedEntry).where(KeyedEntry.batch_id == batch.id, KeyedEntry.keying == keying,
                                 KeyedEntry.household_code_id == code.id)
    ).scalar_one_or_none()


def record_keying(batch: KeyingBatch, keying: int, code: HouseholdCode, submission: Submission, actor,
           response_id: int | None = None) -> KeyedEntry:
    """Keep what was typed for a slip in one keying of the batch (flushes)."""
    entry = KeyedEntry(batch_id=batch.id, keying=keying, household_code_id=code.id,
                       response_id=response_id,
                       answers={k: int(v) for k, v in submission.answers.items()},
                       reasons={k: v.strip() for k, v in submission.reasons.items() if v.strip()},
                       opinion=submission.opinion.strip(), created_by_id=getattr(actor, "id", None))
    db.session.add(entry)
    db.session.flush()
    return entry


def enter_first(survey: Survey, batch: KeyingBatch, code: HouseholdCode, submission: Submission, *,
                actor=None) -> tuple[KeyedEntry, bool]:
    """Store a keyed paper phiếu as the household's response (flushes); return (entry, created).

    Keying the same phiếu again with the same content (a double submit) returns the first entry.
    """
    lifecycle.require(survey, lifecycle.Write.PAPER_KEYING)
    check_code_in_batch(batch, code)
    submission = Submission(submission.answers, submission.reasons, submission.opinion, batch.channel)
    try:
        recorded = submit(survey, code, submission, created_by_id=getattr(actor, "id", None))
    except CodeAlreadyUsed:
        recorded = None
    if recorded is None or not recorded.created:
        previous = keyed_entry(batch, 1, code)
        if recorded is not None and previous is not None:
            return previous, False
        existing = response_for(code)
        raise InputError(_("Hộ của phiếu số %(serial)s đã có phiếu (%(channel)s, biên nhận %(receipt)s). "
                           "Nếu phiếu đã lưu bị nhập sai, hãy dùng chức năng sửa phiếu.",
                           serial=code.serial, channel=existing.channel.label,
                           receipt=existing.receipt))
    entry = record_keying(batch, 1, code, submission, actor, recorded.id)
    audit.record("paper.enter", actor=actor, survey_id=survey.id, batch=batch.id, serial=code.serial,
                 receipt=recorded.receipt, channel=batch.channel.value)
    return entry, True


def current_submissions(response_ids: list[int]) -> dict[int, Submission]:
    """The current version of each response as a Submission, in two queries."""
    if not response_ids:
        return {}
    versions = db.session.execute(
        select(Response.id, Response.channel, ResponseVersion.id, ResponseVersion.opinion)
        .join(ResponseVersion, (ResponseVersion.response_id == Response.id)
              & (ResponseVersion.version == Response.current_version))
        .where(Response.id.in_(response_ids))
    ).all()
    by_version = {version_id: (response_id, channel, opinion) for response_id, channel, version_id, opinion
                  in versions}
    answers: dict[int, dict] = {version_id: {} for version_id in by_version}
    reasons: dict[int, dict] = {version_id: {} for version_id in by_version}
    for version_id, key, value, reason in db.session.execute(
        select(Answer.response_version_id, Answer.item_key, Answer.value, Answer.reason)
        .where(Answer.response_version_id.in_(list(by_version)))
    ):
        answers[version_id][key] = AnswerValue(value)
        if reason:
            reasons[version_id][key] = reason
    return {response_id: Submission(answers[vid], reasons[vid], opinion, Channel(channel))
            for vid, (response_id, channel, opinion) in by_version.items()}


def _same_text(a: str, b: str) -> bool:
    return re.sub(r"\s+", " ", a or "").strip().casefold() == re.sub(r"\s+", " ", b or "").strip().casefold()


def differences(items: Sequence[TemplateItem], stored: Submission, keyed: Submission) -> list[tuple[str, str, str]]:
    """Fields where two versions of a phiếu differ: (field label, stored value, keyed value)."""
    found = []
    for number, item in enumerate(items, 1):
        key = item.key
        a = stored.answers.get(key, AnswerValue.BLANK)
        b = keyed.answers.get(key, AnswerValue.BLANK)
        if a != b:
            found.append((_("Câu %(n)s", n=number), AnswerValue(a).label, AnswerValue(b).label))
        if not _same_text(stored.reasons.get(key, ""), keyed.reasons.get(key, "")):
            found.append((_("Lý do câu %(n)s", n=number), stored.reasons.get(key, ""),
                          keyed.reasons.get(key, "")))
    if not _same_text(stored.opinion, keyed.opinion):
        found.append((_("Ý kiến khác"), stored.opinion, keyed.opinion))
    return found


def correct_response(survey: Survey, response: Response, submission: Submission, reason: str, *,
                     actor=None) -> ResponseVersion:
    """Add a corrected version of a paper phiếu (flushes); the old versions stay as history."""
    reason = (reason or "").strip()
    if not reason:
        raise InputError(_("Hãy ghi lý do sửa phiếu."))
    lifecycle.require(survey, lifecycle.Write.CORRECTION)
    if response.channel not in PAPER_CHANNELS:
        raise StateError(_("Phiếu do người dân tự gửi qua mạng không được sửa."))
    before = current_submissions([response.id])[response.id]
    changes = differences(survey.form.items, before, submission)
    if not changes:
        raise InputError(_("Nội dung mới giống hệt phiếu đang lưu; không có gì để sửa."))
    version_ids = select(ResponseVersion.id).where(ResponseVersion.response_id == response.id)
    db.session.execute(update(Answer).where(Answer.response_version_id.in_(version_ids)).values(is_current=False),
                       execution_options={"synchronize_session": "fetch"})
    number = response.current_version + 1
    version = _build(survey, response, submission, number, actor, reason)
    response.current_version = number
    db.session.flush()
    audit.record("paper.correct", actor=actor, survey_id=survey.id, receipt=response.receipt, version=number,
                 reason=reason, changes=[list(change) for change in changes])
    return version


def _build(survey, response, submission, number, actor, reason) -> ResponseVersion:
    version = build_version(survey, response, submission, version=number,
                            created_by_id=getattr(actor, "id", None), change_reason=reason)
    response.versions.append(version)
    return version


def batch_counts(survey: Survey) -> dict[int, dict[int, int]]:
    """Number of keyed phiếu per batch and keying, in one grouped query."""
    counts: dict[int, dict[int, int]] = {}
    for batch_id, keying, n in db.session.execute(
        select(KeyedEntry.batch_id, KeyedEntry.keying, func.count())
        .join(KeyingBatch, KeyingBatch.id == KeyedEntry.batch_id)
        .where(KeyingBatch.survey_id == survey.id)
        .group_by(KeyedEntry.batch_id, KeyedEntry.keying)
    ):
        counts.setdefault(batch_id, {1: 0, 2: 0})[keying] = n
    return counts


def parse_answers(text: str, item_keys: list[str]) -> dict[str, AnswerValue]:
    """Read keyed answers ``1`` satisfied, ``2`` not satisfied, ``0`` blank, one per item in order.

    Spaces, dots and dashes are ignored, so ``11111 21111 1`` is accepted.
    """
    digits = re.sub(r"[\s.\-]", "", text or "")
    wrong = sorted({ch for ch in digits if ch not in "012"})
    if wrong:
        raise InputError(_("Chỉ gõ 1 (hài lòng), 2 (không hài lòng) hoặc 0 (để trống); có ký tự lạ: "
                           "%(chars)s.", chars=" ".join(wrong)))
    if len(digits) != len(item_keys):
        raise InputError(_("Phiếu có %(n)s câu nhưng đã gõ %(m)s câu trả lời.", n=len(item_keys),
                           m=len(digits)))
    return {key: AnswerValue(int(ch)) for key, ch in zip(item_keys, digits, strict=True)}


def answer_string(submission: Submission, item_keys: list[str]) -> str:
    """The keyed form of a phiếu's answers, e.g. ``11121`` (the inverse of ``parse_answers``)."""
    return "".join(str(int(submission.answers.get(key, AnswerValue.BLANK))) for key in item_keys)
