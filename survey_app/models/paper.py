"""Keying of paper phiếu: batches of one village, keyed once (stored) and optionally twice (checked)."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ._types import UTCDateTime, utcnow
from .responses import Channel
from .surveys import FrameVillage


class Resolution(enum.StrEnum):
    """How a mismatch between the two keyings was settled."""

    KEPT = "kept"  # the stored phiếu was right; the second keying was wrong
    CORRECTED = "corrected"  # the stored phiếu was wrong; a new version now holds the second keying


class KeyingBatch(db.Model):
    """A bundle of paper phiếu from one village (household visits or a village meeting) keyed together."""

    __tablename__ = "keying_batch"
    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id"), index=True)
    frame_village_id: Mapped[int] = mapped_column(ForeignKey("frame_village.id"))
    #: paper (collected at households) or meeting (filled in at a village meeting).
    channel: Mapped[Channel]
    #: Free label written on the bundle, e.g. "Tổ 3, ngày 12/3".
    label: Mapped[str] = mapped_column(String(120), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    frame_village: Mapped[FrameVillage] = relationship(lazy="joined")


class KeyedEntry(db.Model):
    """One phiếu as typed in one keying of a batch; the first keying also stores the response."""

    __tablename__ = "keyed_entry"
    __table_args__ = (
        UniqueConstraint("batch_id", "keying", "household_code_id"),
        CheckConstraint("keying IN (1, 2)", name="keying_first_or_second"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("keying_batch.id"), index=True)
    #: 1 = first keying (stored as the response), 2 = independent second keying (compared only).
    keying: Mapped[int]
    household_code_id: Mapped[int] = mapped_column(ForeignKey("household_code.id"), index=True)
    #: The response the first keying stored (None for a second keying).
    response_id: Mapped[int | None] = mapped_column(ForeignKey("response.id"))
    #: What was typed: item key -> 0 blank, 1 satisfied, 2 not satisfied.
    answers: Mapped[dict] = mapped_column(JSON)
    #: Item key -> reason typed for it.
    reasons: Mapped[dict] = mapped_column(JSON, default=dict)
    opinion: Mapped[str] = mapped_column(Text, default="")
    #: "keyed" (typed by a person) or "scan" (read from scanned pages by ``flask paper scan``).
    provenance: Mapped[str] = mapped_column(String(10), default="keyed", server_default="keyed")
    #: For a scan: "<file SHA-256>#<page>" of each page image read, in page order.
    scan_images: Mapped[list | None] = mapped_column(JSON)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Set on a second keying once its mismatch with the stored phiếu is settled.
    resolution: Mapped[Resolution | None]
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    batch: Mapped[KeyingBatch] = relationship()
