"""Scanned pages of printed paper phiếu: stacks sent, their files, what the reader made of each page, and the
queue of pages a worker still has to read and of sheets a person decides."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ._types import UTCDateTime, utcnow


class ScanStatus(enum.StrEnum):
    """Where a scanned page stands."""

    QUEUED = "queued"  # received (a console upload), not read yet: a worker will
    READING = "reading"  # claimed by a worker (``claimed_at``); claimed again when the worker died
    WAITING = "waiting"  # read with confidence; its sheet still lacks a page
    REVIEW = "review"  # its sheet waits for a person (an unsure item, a page that could not be aligned…)
    STORED = "stored"  # its sheet was stored as the household's phiếu
    REJECTED = "rejected"  # not a page of this survey's phiếu, or its household already answered


class ScanUpload(db.Model):
    """A stack of scans sent at once (one console upload, or one ``flask paper scan`` run).

    Its sheets are stored in one keying batch per village (``batches``), as a hand-keyed stack would be, so a
    second keying by another person can check the stack like any batch."""

    __tablename__ = "scan_upload"
    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id"), index=True)
    #: Frame village id (as text: JSON keys) -> the keying batch its sheets are stored in.
    batches: Mapped[dict] = mapped_column(JSON, default=dict)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ScanFile(db.Model):
    """A file received by the console, kept until a worker has read every page of it (then its bytes go)."""

    __tablename__ = "scan_file"
    __table_args__ = (UniqueConstraint("survey_id", "sha256"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id"), index=True)
    upload_id: Mapped[int] = mapped_column(ForeignKey("scan_upload.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64))
    pages: Mapped[int]
    #: The file as received: personal data, dropped once its pages are read (and by the retention purge).
    data: Mapped[bytes | None] = mapped_column(LargeBinary)


class ScanPage(db.Model):
    """One page image read by ``flask paper scan`` or queued by a console upload: never deleted by the reader.

    ``decisions`` holds each item's reading (satisfied / not_satisfied / blank / unsure) with its
    measurements; ``crops`` the rectangles (mm, on ``image``) of each item's answers and reason and of the
    opinion box, so that a reviewer sees the crop beside the decision and a person can transcribe writing.
    """

    __tablename__ = "scan_page"
    __table_args__ = (Index("ix_scan_page_code_status", "household_code_id", "status"),
                      Index("ix_scan_page_status", "status", "id"))
    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id"), index=True)
    #: The stack it came with (None for pages scanned before stacks were kept).
    upload_id: Mapped[int | None] = mapped_column(ForeignKey("scan_upload.id"), index=True)
    #: The household whose slip the page's QR names (None when it names none of this survey's).
    household_code_id: Mapped[int | None] = mapped_column(ForeignKey("household_code.id"))
    page: Mapped[int | None]
    pages: Mapped[int | None]
    #: The file and page it came from, e.g. "to-3.pdf#2".
    source: Mapped[str] = mapped_column(String(300))
    #: SHA-256 of the file as received, and the page's number in it: the same page is never read twice.
    file_sha256: Mapped[str] = mapped_column(String(64), index=True)
    file_page: Mapped[int]
    status: Mapped[ScanStatus]
    #: Why it is not stored: no_qr, not_a_phieu, several, other_survey, voided, layout, marks, unsure, …
    problem: Mapped[str] = mapped_column(String(40), default="")
    decisions: Mapped[dict] = mapped_column(JSON, default=dict)
    crops: Mapped[dict] = mapped_column(JSON, default=dict)
    #: The page straightened onto the layout (grey PNG, 6 px per mm), or the page as received when it could
    #: not be straightened (JPEG, at most 2,000 px): personal data, cleared by ``flask privacy purge``.
    image: Mapped[bytes | None] = mapped_column(LargeBinary)
    image_type: Mapped[str] = mapped_column(String(20), default="")
    #: The stored phiếu's first keying (when the sheet was stored).
    keyed_entry_id: Mapped[int | None] = mapped_column(ForeignKey("keyed_entry.id"))
    #: A worker's claim on a queued page: a random token, when, and how many claims so far (a page that
    #: brought its worker down three times is rejected rather than claimed for ever).
    claim: Mapped[str] = mapped_column(String(32), default="")
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
