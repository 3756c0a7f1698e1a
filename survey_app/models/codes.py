"""Household codes: one per household slip; the clear code is never stored."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ._types import UTCDateTime, VillageRow, utcnow
from .surveys import FrameVillage


class CodeStatus(enum.StrEnum):
    """A slip is issued, then used by one answer, or voided when lost."""

    ISSUED = "issued"
    USED = "used"
    VOIDED = "voided"


class HouseholdCode(VillageRow, db.Model):
    """The code printed on one household's slip."""

    __tablename__ = "household_code"
    __table_args__ = (
        UniqueConstraint("survey_id", "serial"),
        # the tally's slips handed out per village, read from the index alone (services/tally.py)
        Index("ix_household_code_tally", "survey_id", "frame_village_id", "status"),
    )
    #: Serial number printed on the slip, unique within the survey.
    serial: Mapped[int]
    #: HMAC-SHA256 of the normalised code under the server key: lets us find a code without storing it.
    lookup_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: The code encrypted under the server key (AES-GCM) so slips can be printed again by staff.
    sealed_code: Mapped[bytes | None] = mapped_column(LargeBinary)
    status: Mapped[CodeStatus] = mapped_column(default=CodeStatus.ISSUED)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The lost slip this one replaces.
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("household_code.id"))

    frame_village: Mapped[FrameVillage] = relationship(lazy="joined")
