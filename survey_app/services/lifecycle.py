"""The survey lifecycle as one rule: which writes each state allows, checked below the views for every path.

``draft`` → ``open`` (web and paper answers) → ``closed`` (no web answers; paper phiếu collected by the
village teams can still be keyed, double-keyed, resolved and corrected) → ``published`` (frozen: nothing
may change what was published).

Every write calls ``require`` inside its transaction. On PostgreSQL it reads the survey's status under a
shared row lock (``FOR SHARE``), and a change of state takes the row's update lock, so a write that passed
the check is committed before the survey can close or publish, and a write that starts after a
publication sees it. Lock order, the same everywhere: the survey row, then the survey's numbering lock
(``numbering_lock``), then household code rows.
"""
from __future__ import annotations

import enum

from sqlalchemy import func, select
from sqlalchemy.orm.attributes import set_committed_value

from ..errors import StateError
from ..extensions import db
from ..i18n import _
from ..models import Survey, SurveyStatus
from . import data_version

OPEN, CLOSED, DRAFT = SurveyStatus.OPEN, SurveyStatus.CLOSED, SurveyStatus.DRAFT


class Write(enum.Enum):
    """Each kind of write that depends on the survey's state."""

    WEB_ANSWER = "web_answer"
    PAPER_KEYING = "paper_keying"
    SECOND_KEYING = "second_keying"
    RESOLVE = "resolve"
    CORRECTION = "correction"
    ISSUE_CODES = "issue_codes"
    VOID_CODE = "void_code"
    RULES_CHANGE = "rules_change"
    DELETE_DRAFT = "delete_draft"
    DECLARE_MEETING = "declare_meeting"


#: The states in which each write is allowed.
ALLOWED: dict[Write, frozenset[SurveyStatus]] = {
    Write.WEB_ANSWER: frozenset({OPEN}),
    Write.PAPER_KEYING: frozenset({OPEN, CLOSED}),
    Write.SECOND_KEYING: frozenset({OPEN, CLOSED}),
    Write.RESOLVE: frozenset({OPEN, CLOSED}),
    Write.CORRECTION: frozenset({OPEN, CLOSED}),
    Write.ISSUE_CODES: frozenset({DRAFT, OPEN}),
    Write.VOID_CODE: frozenset({DRAFT, OPEN}),
    Write.RULES_CHANGE: frozenset({DRAFT, OPEN, CLOSED}),
    Write.DELETE_DRAFT: frozenset({DRAFT}),
    Write.DECLARE_MEETING: frozenset({OPEN, CLOSED}),
}

#: Writes that update the survey row itself, so they take its update lock rather than a shared one.
_UPDATES_SURVEY = frozenset({Write.RULES_CHANGE, Write.DELETE_DRAFT})


def refusal(write: Write, status: SurveyStatus) -> str:
    """Why ``write`` is refused in ``status``, in the user's language."""
    if status is SurveyStatus.PUBLISHED:
        return _("Đợt khảo sát đã công bố kết quả: số liệu đã công bố không thay đổi được nữa.")
    messages = {
        Write.WEB_ANSWER: _("Đợt khảo sát không nhận phiếu trả lời qua mạng lúc này."),
        Write.PAPER_KEYING: _("Chỉ nhập phiếu giấy khi đợt khảo sát đang lấy ý kiến hoặc đã kết thúc "
                              "(chưa công bố)."),
        Write.SECOND_KEYING: _("Chỉ nhập lại lần hai khi đợt khảo sát đang lấy ý kiến hoặc đã kết thúc "
                               "(chưa công bố)."),
        Write.RESOLVE: _("Chỉ xử lý sai lệch giữa hai lần nhập khi đợt khảo sát chưa công bố."),
        Write.CORRECTION: _("Chỉ sửa phiếu giấy khi đợt khảo sát đang lấy ý kiến hoặc đã kết thúc "
                            "(chưa công bố)."),
        Write.ISSUE_CODES: _("Đợt khảo sát đã kết thúc, không phát thêm mã."),
        Write.VOID_CODE: _("Đợt khảo sát đã kết thúc, không hủy hay phát lại phiếu."),
        Write.RULES_CHANGE: _("Không đổi quy tắc ở trạng thái này."),
        Write.DELETE_DRAFT: _("Chỉ xóa được đợt khảo sát còn là bản nháp."),
        Write.DECLARE_MEETING: _("Chỉ khai báo hay rút khai báo họp thôn khi đợt khảo sát đang lấy ý kiến hoặc "
                                 "đã kết thúc (chưa công bố)."),
    }
    return messages[write]


def current_status(survey: Survey, *, for_update: bool = False) -> SurveyStatus:
    """The survey's committed status, read under a row lock on PostgreSQL (shared, or update).

    The ORM object is refreshed with it, so later checks in the same request see the same state.
    """
    query = select(Survey.status).where(Survey.id == survey.id).with_for_update(read=not for_update)
    stored = db.session.execute(query).scalar_one_or_none()
    if stored is None:  # a draft deleted (services/drafts.py) while this request waited for its lock
        raise StateError(_("Đợt khảo sát này không còn nữa: bản nháp đã bị xóa."))
    status = SurveyStatus(stored)
    set_committed_value(survey, "status", status)
    return status


def require(survey: Survey, write: Write) -> None:
    """Refuse ``write`` (StateError) unless the survey's state allows it; hold the survey row's lock; count the
    write in the survey's data version when the transaction commits (``data_version``)."""
    status = current_status(survey, for_update=write in _UPDATES_SURVEY)
    if status not in ALLOWED[write]:
        raise StateError(refusal(write, status))
    if write is Write.WEB_ANSWER and survey.window_state() != "open":
        raise StateError(refusal(write, status))
    data_version.mark(survey.id)  # the write changes what the survey's live results show


def allows(survey: Survey, write: Write) -> bool:
    """Whether the survey's state (as loaded, no lock) allows ``write``: for showing or hiding buttons."""
    if survey.status not in ALLOWED[write]:
        return False
    return write is not Write.WEB_ANSWER or survey.window_state() == "open"


#: First key of the PostgreSQL advisory locks that number a survey's household codes.
NUMBERING_LOCK = 0x5E1A1


def numbering_lock(survey: Survey) -> None:
    """Serialise numbering of the survey's slips until the transaction ends (PostgreSQL advisory lock).

    SQLite needs nothing: it lets one writer at a time.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(select(func.pg_advisory_xact_lock(NUMBERING_LOCK, survey.id)))
