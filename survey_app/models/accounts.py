"""Staff, auditor and admin accounts, and their API tokens."""
from __future__ import annotations

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ._types import UTCDateTime, utcnow


class Role(enum.StrEnum):
    """What a user may do: admins manage users, staff run surveys, auditors read."""

    ADMIN = "admin"
    STAFF = "staff"
    AUDITOR = "auditor"


class User(UserMixin, db.Model):
    """A person who logs in to the console, scoped to a province or a commune."""

    __tablename__ = "user"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    full_name: Mapped[str] = mapped_column(String(160), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role]
    #: Province (2 digits) or commune (5 digits) code the user is scoped to; None = whole country (admin).
    unit_code: Mapped[str | None] = mapped_column(String(5))
    #: Preferred language of the console (vi or en); None follows the browser.
    locale: Mapped[str | None] = mapped_column(String(5))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Part of the id kept in the session cookie: bumped at logout and at a password change, so that every
    #: earlier cookie of the account (a copied one, another device's) stops working.
    session_epoch: Mapped[int] = mapped_column(default=0, server_default="0")

    @property
    def is_active(self) -> bool:  # Flask-Login asks this
        return self.active

    def get_id(self) -> str:  # Flask-Login keeps this in the session
        return f"{self.id}.{self.session_epoch}"


class ApiToken(db.Model):
    """A read-only API token of a user; only its hash is stored."""

    __tablename__ = "api_token"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()
