"""Responses (one per household code per survey), their versions and their answers."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..i18n import _l
from ._types import UTCDateTime, VillageRow, utcnow


class Channel(enum.StrEnum):
    """How a phiếu reached us."""

    WEB = "web"
    PAPER = "paper"
    MEETING = "meeting"

    @property
    def label(self) -> str:
        """The channel in words, in the reader's language (the one wording of every page and download)."""
        return str(_CHANNEL_LABELS[self])


class AnswerValue(enum.IntEnum):
    """One item's answer; BLANK is a left-empty or double-marked item ("không xác định")."""

    BLANK = 0
    SATISFIED = 1
    NOT_SATISFIED = 2

    @property
    def label(self) -> str:
        """The answer in words, in the reader's language (the one wording of every page and download)."""
        return str(_ANSWER_LABELS[self])


_CHANNEL_LABELS = {Channel.WEB: _l("Trực tuyến"), Channel.PAPER: _l("Phiếu giấy"), Channel.MEETING: _l("Họp thôn")}
_ANSWER_LABELS = {AnswerValue.SATISFIED: _l("Hài lòng"), AnswerValue.NOT_SATISFIED: _l("Không hài lòng"),
                  AnswerValue.BLANK: _l("Không xác định")}


class Response(VillageRow, db.Model):
    """One household's phiếu for a survey; corrections add versions, nothing is edited in place."""

    __tablename__ = "response"
    __table_args__ = (
        UniqueConstraint("survey_id", "household_code_id"),
        # the tally's phiếu per village and channel, read from the index alone (services/tally.py)
        Index("ix_response_tally", "survey_id", "frame_village_id", "channel"),
    )
    household_code_id: Mapped[int] = mapped_column(ForeignKey("household_code.id"))
    channel: Mapped[Channel]
    #: Receipt number shown to the resident (or written on the paper phiếu).
    receipt: Mapped[str] = mapped_column(String(20), unique=True)
    #: SHA-256 of the submitted answers: an identical retry gets the same receipt.
    submission_digest: Mapped[str] = mapped_column(String(64))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    current_version: Mapped[int] = mapped_column(default=1)
    #: Keyed, truncated hash of the client address (integrity indicators only; purged after publication).
    client_hash: Mapped[str | None] = mapped_column(String(16))

    versions: Mapped[list[ResponseVersion]] = relationship(
        back_populates="response", order_by="ResponseVersion.version", cascade="all, delete-orphan"
    )


class ResponseVersion(db.Model):
    """One version of a phiếu: the first as submitted, later ones as corrected (who, when, why)."""

    __tablename__ = "response_version"
    __table_args__ = (UniqueConstraint("response_id", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("response.id"))
    version: Mapped[int]
    #: Free-text "ý kiến khác".
    opinion: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    #: Why a correction was made (empty for the first version).
    change_reason: Mapped[str] = mapped_column(Text, default="")

    response: Mapped[Response] = relationship(back_populates="versions")
    answers: Mapped[list[Answer]] = relationship(back_populates="version", cascade="all, delete-orphan")


class Answer(db.Model):
    """One item's answer within one version of a phiếu."""

    __tablename__ = "answer"
    __table_args__ = (
        UniqueConstraint("response_version_id", "item_key"),
        CheckConstraint("value IN (0, 1, 2)", name="value_known"),
        # Covering index: a survey's tally is one grouped index-only scan.
        Index("ix_answer_tally", "survey_id", "is_current", "frame_village_id", "item_key", "value"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    response_version_id: Mapped[int] = mapped_column(ForeignKey("response_version.id"))
    #: The response's survey and village, copied for the tally's covering index; no foreign keys: the response's
    #: own guarantee they exist (migration 0013), and checking them cost two lookups per answer row.
    survey_id: Mapped[int]
    frame_village_id: Mapped[int]
    item_key: Mapped[str] = mapped_column(String(60))
    value: Mapped[AnswerValue] = mapped_column(SmallInteger)
    #: Why not satisfied (optional).
    reason: Mapped[str] = mapped_column(Text, default="")
    #: True for the answers of the response's latest version (the ones that are tallied).
    is_current: Mapped[bool] = mapped_column(default=True)

    version: Mapped[ResponseVersion] = relationship(back_populates="answers")
