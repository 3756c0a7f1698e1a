"""Surveys and their frame of villages."""
from __future__ import annotations

import copy
import enum
import json
from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..i18n import _l
from ..survey_templates import SurveyTemplate
from ._types import UTCDateTime, utcnow
from .units import Village


class SurveyStatus(enum.StrEnum):
    """Where a survey is in its life: draft → open → closed → published."""

    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    PUBLISHED = "published"

    @property
    def label(self) -> str:
        """The status in words, in the reader's language (the one wording of every page and download)."""
        return str(_STATUS_LABELS[self])


_STATUS_LABELS = {SurveyStatus.DRAFT: _l("Bản nháp"), SurveyStatus.OPEN: _l("Đang lấy ý kiến"),
                  SurveyStatus.CLOSED: _l("Đã kết thúc"), SurveyStatus.PUBLISHED: _l("Đã công bố")}


class Survey(db.Model):
    """One satisfaction survey of a unit, with a snapshot of its template and its rules."""

    __tablename__ = "survey"
    #: AUTOINCREMENT on SQLite: a deleted draft's id is never given to a later survey (its audit entries keep it).
    __table_args__ = (CheckConstraint("end_date >= start_date", name="window_order"), {"sqlite_autoincrement": True})
    id: Mapped[int] = mapped_column(primary_key=True)
    template_key: Mapped[str] = mapped_column(String(60))
    template_version: Mapped[int]
    #: The template as it was when the survey was created: editing surveys/ never changes a past survey.
    template: Mapped[dict] = mapped_column(JSON)
    #: The rules in force (copied from the template; changed only with a written justification).
    rules: Mapped[list] = mapped_column(JSON)
    title: Mapped[str] = mapped_column(String(300))
    #: Commune code (5 digits) or province code (2 digits) of the surveyed unit.
    unit_code: Mapped[str] = mapped_column(String(5), index=True)
    unit_level: Mapped[str] = mapped_column(String(10))  # commune | province
    start_date: Mapped[date]
    end_date: Mapped[date]
    #: Whether the window also leaves out public holidays (not only Saturdays and Sundays, as guidance 90/HD
    #: says); chosen when the survey is created (services/window.py).
    skip_holidays: Mapped[bool] = mapped_column(default=False, server_default=false())
    status: Mapped[SurveyStatus] = mapped_column(default=SurveyStatus.DRAFT)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    frame: Mapped[list[FrameVillage]] = relationship(
        back_populates="survey", order_by="FrameVillage.id", cascade="all, delete-orphan"
    )

    @property
    def form(self) -> SurveyTemplate:
        """The survey's copy of its template as a typed, validated ``SurveyTemplate``: the phiếu's items, texts and
        answer options (read once per loaded survey). The rules in force are ``rules``, not ``form.rules``."""
        cached = self.__dict__.get("_form")
        if cached is None or cached[0] is not self.template:
            cached = (self.template, _form_for(self.id, self.template))
            self.__dict__["_form"] = cached
        return cached[1]

    @property
    def last_day(self) -> date:
        """The last day residents could answer: the end of the window, or the day it was closed by hand."""
        if self.closed_at is not None:
            return min(self.end_date, self.closed_at.astimezone(VIETNAM).date())
        return self.end_date

    def window_state(self, today: date | None = None) -> str:
        """Whether residents can answer now: ``not_open``, ``open`` or ``closed``.

        A survey closes by itself at the end of its window, even before staff close it by hand.
        """
        today = today or vietnam_today()
        if self.status is SurveyStatus.DRAFT or (self.status is SurveyStatus.OPEN and today < self.start_date):
            return "not_open"
        if self.status is SurveyStatus.OPEN and today <= self.end_date:
            return "open"
        return "closed"


#: The form last read per survey id, with a private copy of its snapshot (``_form_for``).
_FORMS: dict[int, tuple[dict, SurveyTemplate]] = {}


def _form_for(survey_id: int | None, snapshot: dict) -> SurveyTemplate:
    """The form of a survey's snapshot. Every request loads the snapshot afresh; comparing it with the copy kept
    for its survey id is far cheaper than serialising it to find it in ``_form_of`` (a phiếu's submit), and a
    reused id (another database, as in tests) with another snapshot compares unequal and reads its own form."""
    known = _FORMS.get(survey_id)
    if known is not None and known[0] == snapshot:
        return known[1]
    form = _form_of(json.dumps(snapshot, sort_keys=True, ensure_ascii=False))
    if survey_id is not None:
        if len(_FORMS) >= 256:
            _FORMS.clear()
        _FORMS[survey_id] = (copy.deepcopy(snapshot), form)
    return form


@lru_cache(maxsize=64)
def _form_of(snapshot: str) -> SurveyTemplate:
    """A snapshot (as sorted JSON) read as a template, once per process: templates are frozen."""
    return SurveyTemplate.from_snapshot(json.loads(snapshot))


def vietnam_today() -> date:
    """Today's date in Vietnam, which is what survey windows are counted in."""
    return datetime.now(VIETNAM).date()


VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


class FrameVillage(db.Model):
    """A village in a survey's frame, with the household count the survey uses."""

    __tablename__ = "frame_village"
    __table_args__ = (
        UniqueConstraint("survey_id", "village_id"),
        CheckConstraint("households >= 0", name="households_non_negative"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id"), index=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("village.id"))
    households: Mapped[int]

    survey: Mapped[Survey] = relationship(back_populates="frame")
    village: Mapped[Village] = relationship(lazy="joined")
