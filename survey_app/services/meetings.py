"""Village meetings declared by staff: the guidance's second way of collecting phiếu, made expected.

At a village meeting the households answer together, many of them on their phones over the hall's one
Wi-Fi: without a declaration the burst indicator would ask an auditor to check a crowd of answers from one
address. A declaration names the village of the survey's frame, the day and the hours (Vietnam time); the
indicators then treat that village's web answers during the meeting (half an hour either side) as
expected and report the meeting with what it covered. Declaring and withdrawing are audited, allowed while
the survey is open or closed (``lifecycle.Write.DECLARE_MEETING``), and serialised per survey so that two
staff cannot declare overlapping meetings of one village at once.
"""
from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select

from ..errors import InputError
from ..extensions import db
from ..i18n import _
from ..models import DeclaredMeeting, Survey
from ..models.surveys import VIETNAM
from . import audit, lifecycle

#: A meeting lasts at most this long: a longer stretch would excuse a whole day of answers.
MAX_DURATION = timedelta(hours=6)
#: Meetings one village may declare in one survey.
MAX_PER_VILLAGE = 10
NOTE_LENGTH = 200
#: First key of the PostgreSQL advisory lock that serialises declarations of one survey.
MEETING_LOCK = 0x5E1A2


def _lock(survey: Survey) -> None:
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(select(func.pg_advisory_xact_lock(MEETING_LOCK, survey.id)))


def meetings_of(survey: Survey) -> list[DeclaredMeeting]:
    """The survey's declared meetings, in time order."""
    return list(db.session.execute(
        select(DeclaredMeeting).where(DeclaredMeeting.survey_id == survey.id)
        .order_by(DeclaredMeeting.starts_at, DeclaredMeeting.id)).scalars())


def _window(survey: Survey, day: date, start: time, end: time) -> tuple[datetime, datetime]:
    """The meeting's start and end as UTC-aware times, checked against the survey's window."""
    if not isinstance(day, date) or not isinstance(start, time) or not isinstance(end, time):
        raise InputError(_("Hãy nhập ngày họp, giờ bắt đầu và giờ kết thúc."))
    if not survey.start_date <= day <= survey.end_date:
        raise InputError(_("Ngày họp phải trong thời gian lấy ý kiến (từ %(start)s đến %(end)s).",
                           start=survey.start_date.strftime("%d/%m/%Y"), end=survey.end_date.strftime("%d/%m/%Y")))
    starts = datetime.combine(day, start.replace(second=0, microsecond=0, tzinfo=None), VIETNAM)
    ends = datetime.combine(day, end.replace(second=0, microsecond=0, tzinfo=None), VIETNAM)
    if ends <= starts:
        raise InputError(_("Giờ kết thúc phải sau giờ bắt đầu (buổi họp kết thúc trong ngày)."))
    if ends - starts > MAX_DURATION:
        raise InputError(_("Một buổi họp dài tối đa %(hours)s giờ; họp nhiều buổi thì khai báo từng buổi.",
                           hours=int(MAX_DURATION.total_seconds() // 3600)))
    return starts, ends


def declare_meeting(survey: Survey, frame_village_id: int, day: date, start: time, end: time, note: str = "",
                    *, actor=None) -> DeclaredMeeting:
    """Declare a meeting of one village of the frame on ``day`` from ``start`` to ``end`` (Vietnam time);
    flushes and audits ``meeting.declare``. Refuses (InputError) a village outside the frame, a day outside
    the window, an end before the start, a meeting longer than `MAX_DURATION`, one overlapping another
    meeting of the village, and more than `MAX_PER_VILLAGE` meetings of a village."""
    lifecycle.require(survey, lifecycle.Write.DECLARE_MEETING)
    frame = next((f for f in survey.frame if f.id == frame_village_id), None)
    if frame is None:
        raise InputError(_("Thôn này không thuộc danh sách của đợt khảo sát."))
    starts, ends = _window(survey, day, start, end)
    note = " ".join((note or "").split())
    if len(note) > NOTE_LENGTH:
        raise InputError(_("Ghi chú dài tối đa %(n)s ký tự.", n=NOTE_LENGTH))
    _lock(survey)
    same_village = select(DeclaredMeeting).where(DeclaredMeeting.survey_id == survey.id,
                                                 DeclaredMeeting.frame_village_id == frame.id)
    if db.session.execute(same_village.where(DeclaredMeeting.starts_at < ends,
                                             DeclaredMeeting.ends_at > starts)).first():
        raise InputError(_("%(village)s đã có một buổi họp khai báo trùng thời gian này.", village=frame.village.name))
    count = db.session.execute(select(func.count()).select_from(same_village.subquery())).scalar_one()
    if count >= MAX_PER_VILLAGE:
        raise InputError(_("%(village)s đã khai báo %(n)s buổi họp, là số tối đa.", village=frame.village.name,
                           n=MAX_PER_VILLAGE))
    meeting = DeclaredMeeting(survey_id=survey.id, frame_village_id=frame.id, starts_at=starts, ends_at=ends,
                              note=note, created_by_id=getattr(actor, "id", None))
    db.session.add(meeting)
    db.session.flush()
    audit.record("meeting.declare", actor=actor, survey_id=survey.id, meeting=meeting.id,
                 village=frame.village.code, commune=frame.village.commune_code,
                 start=starts.astimezone(UTC).isoformat(), end=ends.astimezone(UTC).isoformat(), note=note)
    return meeting


def withdraw_meeting(survey: Survey, meeting_id: int, *, actor=None) -> None:
    """Withdraw a meeting declared by mistake (deleted; the audit log keeps the declaration and this)."""
    lifecycle.require(survey, lifecycle.Write.DECLARE_MEETING)
    _lock(survey)
    meeting = db.session.get(DeclaredMeeting, meeting_id) if isinstance(meeting_id, int) else None
    if meeting is None or meeting.survey_id != survey.id:
        raise InputError(_("Không có buổi họp này trong đợt khảo sát (có thể đã được rút khai báo)."))
    details = {"meeting": meeting.id, "village": meeting.frame_village.village.code,
               "commune": meeting.frame_village.village.commune_code, "start": meeting.starts_at.isoformat(),
               "end": meeting.ends_at.isoformat(), "note": meeting.note}
    db.session.delete(meeting)
    db.session.flush()
    audit.record("meeting.withdraw", actor=actor, survey_id=survey.id, **details)
