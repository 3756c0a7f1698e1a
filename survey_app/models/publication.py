"""Publications: the results document of a survey as it was published, frozen as canonical bytes."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ._types import UTCDateTime, utcnow


class Publication(db.Model):
    """Version N of a survey's published results: the document's canonical JSON bytes and their SHA-256.

    Rows are only ever inserted: a correction after publication is a new version (with its reason) that
    supersedes the previous one, which stays downloadable as it was.
    """

    __tablename__ = "publication"
    __table_args__ = (UniqueConstraint("survey_id", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id"), index=True)
    version: Mapped[int]
    #: The results document without its ``published`` block, as canonical JSON (UTF-8, sorted keys).
    document: Mapped[bytes] = mapped_column(LargeBinary)
    #: SHA-256 of ``document``, hex: the figure printed on the notice and recorded in the audit log.
    sha256: Mapped[str] = mapped_column(String(64))
    #: Why this version was published (empty for the first publication).
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
