"""Village meetings staff declared: their web answers over one Wi-Fi are expected, not a burst to check."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ._types import UTCDateTime, utcnow
from .surveys import FrameVillage


class DeclaredMeeting(db.Model):
    """A meeting of one village of a survey's frame, from ``starts_at`` to ``ends_at``, where households
    answer (on paper or on their phones, often over the hall's one Wi-Fi).

    Declared and withdrawn through ``services.meetings`` (audited); the integrity indicators treat the
    village's web answers during it as expected and report the meeting with what it covered.
    """

    __tablename__ = "declared_meeting"
    __table_args__ = (CheckConstraint("ends_at > starts_at", name="meeting_order"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id"), index=True)
    frame_village_id: Mapped[int] = mapped_column(ForeignKey("frame_village.id"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: Where and by whom, as staff wrote it ("Nhà văn hóa thôn, do trưởng thôn chủ trì").
    note: Mapped[str] = mapped_column(String(200), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    frame_village: Mapped[FrameVillage] = relationship(lazy="joined")
