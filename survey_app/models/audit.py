"""The append-only, hash-chained audit log."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ._types import UTCDateTime, utcnow


class AuditEntry(db.Model):
    """One staff action; ``entry_hash`` (HMAC under the audit key) covers its content and the previous
    entry's hash. Entries are only ever inserted: the app's database role may not change them."""

    __tablename__ = "audit_entry"
    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    #: Username at the time (or "cli", "system"): survives the account's later changes.
    actor_name: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(60), index=True)
    #: The survey the action concerns; no foreign key, since the log outlives a deleted draft survey.
    survey_id: Mapped[int | None] = mapped_column(index=True)
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    #: Unique: an entry has at most one successor, so the chain cannot fork.
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)
    entry_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: How ``entry_hash`` was made: "hmac-sha256:<key id>" (keyed), or "sha256" for the entries written
    #: before the chain was keyed (services/audit.py).
    scheme: Mapped[str] = mapped_column(String(40), server_default="sha256")
