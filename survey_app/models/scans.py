"""Scanned pages of printed paper phiếu: what the reader made of each, and the queue of what a person decides."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Enum, ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ._types import UTCDateTime, utcnow


class ScanStatus(enum.StrEnum):
    """Where a scanned page stands."""

    WAITING = "waiting"  # read with confidence; its sheet still lacks a page
    REVIEW = "review"  # its sheet waits for a person (an unsure item, a page that could not be aligned…)
    STORED = "stored"  # its sheet was stored as the household's phiếu
    REJECTED = "rejected"  # not a page of this survey's phiếu, or its household already answered


class ScanPage(db.Model):
    """One page image read by ``flask paper scan`` (or, later, an upload): never deleted by the reader.

    ``decisions`` holds each item's reading (satisfied / not_satisfied / blank / unsure) with its
    measurements; ``crops`` the rectangles (mm, on ``image``) of each item's answers and reason and of the
    opinion box, so that a reviewer sees the crop beside the decision and a person can transcribe writing.
    """

    __tablename__ = "scan_page"
    __table_args__ = (Index("ix_scan_page_code_status", "household_code_id", "status"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id"), index=True)
    #: The household whose slip the page's QR names (None when it names none of this survey's).
    household_code_id: Mapped[int | None] = mapped_column(ForeignKey("household_code.id"))
    page: Mapped[int | None]
    pages: Mapped[int | None]
    #: The file and page it came from, e.g. "to-3.pdf#2".
    source: Mapped[str] = mapped_column(String(300))
    #: SHA-256 of the file as received, and the page's number in it: the same page is never read twice.
    file_sha256: Mapped[str] = mapped_column(String(64), index=True)
    file_page: Mapped[int]
    status: Mapped[ScanStatus] = mapped_column(
        Enum(ScanStatus, native_enum=False, length=10, values_callable=lambda e: [m.value for m in e])
    )
    #: Why it is not stored: no_qr, not_a_phieu, several, other_survey, voided, layout, marks, unsure, …
    problem: Mapped[str] = mapped_column(String(40), default="")
    decisions: Mapped[dict] = mapped_column(JSON, default=dict)
    crops: Mapped[dict] = mapped_column(JSON, default=dict)
    #: The page straightened onto the layout (grey PNG, 6 px per mm), or the page as received when it could
    #: not be straightened (JPEG, at most 2,000 px): personal data, purged with the survey's other data.
    image: Mapped[bytes | None] = mapped_column(LargeBinary)
    image_type: Mapped[str] = mapped_column(String(20), default="")
    #: The stored phiếu's first keying (when the sheet was stored).
    keyed_entry_id: Mapped[int | None] = mapped_column(ForeignKey("keyed_entry.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
