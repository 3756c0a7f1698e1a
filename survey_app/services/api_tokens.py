"""Per-user API tokens: shown once at creation, stored only as a SHA-256 hash, revocable."""
from __future__ import annotations

import hashlib
import hmac
import secrets

from sqlalchemy import select

from ..errors import InputError
from ..extensions import db
from ..i18n import _
from ..models import ApiToken, User
from ..models._types import utcnow
from . import audit
from .scope import Scope

#: Prefix of every token, so that a leaked one is easy to recognise (e.g. by secret scanners).
PREFIX = "ntm_"
NAME_MAX = 80


def token_hash(token: str) -> str:
    """The stored form of a token."""
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(user: User, name: str, *, actor=None) -> tuple[ApiToken, str]:
    """Create a token for ``user`` (flushes); return the row and the clear token, which is never stored."""
    name = " ".join(name.split())
    if not name or len(name) > NAME_MAX:
        raise InputError(_("Tên mã truy cập cần từ 1 đến %(n)s ký tự.", n=NAME_MAX))
    clear = PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, name=name, token_hash=token_hash(clear))
    db.session.add(row)
    db.session.flush()
    audit.record("api_token.create", actor=actor or user, token_id=row.id, owner=user.username, name=name)
    return row, clear


def authenticate(clear: str) -> tuple[User, ApiToken] | None:
    """The active user and live token matching a presented token, or None."""
    if not clear.startswith(PREFIX) or len(clear) > 200:
        return None
    digest = token_hash(clear)
    row = db.session.execute(select(ApiToken).where(ApiToken.token_hash == digest)).scalar_one_or_none()
    if row is None or row.revoked_at is not None or not hmac.compare_digest(row.token_hash, digest):
        return None
    user = row.user
    if user is None or not user.active:
        return None
    row.last_used_at = utcnow()
    return user, row


def tokens_visible_to(user: User) -> list[ApiToken]:
    """Tokens a user manages (``Scope.api_tokens``): their own, and for an admin those of the accounts it
    manages; live ones first, newest first."""
    return list(db.session.execute(Scope.of(user).api_tokens()).scalars())


def revoke(token: ApiToken, *, actor: User | None = None, actor_name: str | None = None,
           reason: str | None = None) -> bool:
    """Revoke a token (flushes); return whether it was live (revoking twice changes nothing).

    ``reason`` says why when the token is revoked as part of something else (``password_reset``...).
    """
    if token.revoked_at is not None:
        return False
    token.revoked_at = utcnow()
    db.session.flush()
    details = {"reason": reason} if reason else {}
    audit.record("api_token.revoke", actor=actor, actor_name=actor_name, token_id=token.id,
                 owner=token.user.username, name=token.name, **details)
    return True


def revoke_all(user: User, *, reason: str, actor: User | None = None, actor_name: str | None = None) -> int:
    """Revoke every live token of an account (flushes); return how many were revoked."""
    live = db.session.execute(select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
                              .order_by(ApiToken.id)).scalars().all()
    return sum(revoke(token, actor=actor, actor_name=actor_name, reason=reason) for token in live)
