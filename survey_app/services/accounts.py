"""Accounts: creation with strong password hashing (Argon2id) and password rules."""
from __future__ import annotations

import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select

from ..errors import InputError
from ..extensions import db
from ..i18n import _
from ..models import Commune, Province, Role, User
from . import api_tokens, audit

hasher = PasswordHasher()
MIN_PASSWORD_LENGTH = 10
#: Login names: letters without diacritics, digits and . _ - (easy to type on any keyboard and to read out).
USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,39}")


def password_problems(password: str, username: str = "") -> list[str]:
    """What is wrong with a password, in the user's language (empty when acceptable)."""
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(_("Mật khẩu cần ít nhất %(n)s ký tự.", n=MIN_PASSWORD_LENGTH))
    if username and username.lower() in password.lower():
        problems.append(_("Mật khẩu không được chứa tên đăng nhập."))
    if password.isdigit() or password.isalpha():
        problems.append(_("Mật khẩu cần có cả chữ và số hoặc ký hiệu."))
    return problems


def hash_password(password: str) -> str:
    """Hash a password with Argon2id."""
    return hasher.hash(password)


def check_password(user: User, password: str) -> bool:
    """Verify a password, upgrading the hash when the parameters changed."""
    try:
        hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
    return True


def set_password(user: User, password: str, *, actor: User | None = None, actor_name: str | None = None) -> int:
    """Give the account a new password and end its access everywhere: every session (the caller logs the
    current one in again) and every API token. Return the number of tokens revoked.

    Without ``actor`` nor ``actor_name`` the user changes their own password; otherwise it is a reset.
    """
    user.password_hash = hash_password(password)
    own = actor is None and actor_name is None
    return end_access(user, reason="password_change" if own else "password_reset",
                      actor=user if own else actor, actor_name=actor_name)


def change_own_password(user: User, password: str) -> int:
    """A user's own new password (``set_password``: their other sessions end), audited; the tokens revoked."""
    revoked = set_password(user, password)
    audit.record("user.password_change", actor=user)
    return revoked


def reset_password(user: User, password: str, *, actor: User) -> int:
    """An administrator's new password for an account (``set_password``), audited. Return the tokens revoked."""
    revoked = set_password(user, password, actor=actor)
    audit.record("user.password_reset", actor=actor, user=user.username)
    return revoked


def set_active(user: User, active: bool, *, actor: User) -> int:
    """Reopen or lock an account, audited. Locking is for good: it ends every session and revokes every API
    token, so reopening the account later brings back nothing of before. Return the tokens revoked."""
    user.active = active
    revoked = 0 if active else end_access(user, reason="deactivate", actor=actor)
    audit.record("user.activate" if active else "user.deactivate", actor=actor, user=user.username)
    return revoked


def unit_names(codes: set[str]) -> dict[str, str]:
    """The full names of the provinces and communes of these codes."""
    names = dict(db.session.execute(select(Province.code, Province.full_name).where(Province.code.in_(codes))).all())
    return names | dict(db.session.execute(select(Commune.code, Commune.full_name)
                                           .where(Commune.code.in_(codes))).all())


def end_sessions(user: User) -> None:
    """Make every session cookie issued to the account so far worthless."""
    user.session_epoch = (user.session_epoch or 0) + 1


def end_access(user: User, *, reason: str, actor: User | None = None, actor_name: str | None = None) -> int:
    """End every session of the account and revoke its API tokens (flushes): what a password reset, a
    password change and a deactivation do, so that nothing issued before survives them. Return the number
    of tokens revoked (each is audited with ``reason``)."""
    end_sessions(user)
    return api_tokens.revoke_all(user, reason=reason, actor=actor, actor_name=actor_name)


def create_user(username: str, password: str, role: Role, unit_code: str | None, *, full_name: str = "",
                actor=None, actor_name: str | None = None) -> User:
    """Create an account (flushes); raise InputError for a taken name, a weak password or an unknown unit."""
    username = username.strip().lower()
    errors = password_problems(password, username)
    if not USERNAME.fullmatch(username):
        errors.append(_("Tên đăng nhập chỉ gồm chữ không dấu, chữ số và các dấu . _ - (từ 2 đến 40 ký tự), "
                        "ví dụ: canbo.binhson."))
    if db.session.execute(select(User.id).where(User.username == username)).first():
        errors.append(_("Tên đăng nhập “%(u)s” đã có.", u=username))
    if unit_code and db.session.get(Commune if len(unit_code) == 5 else Province, unit_code) is None:
        errors.append(_("Không có đơn vị mã %(c)s.", c=unit_code))
    if role is not Role.ADMIN and not unit_code:
        errors.append(_("Tài khoản cán bộ và kiểm tra phải gắn với một tỉnh hoặc một xã."))
    if errors:
        raise InputError(_("Không tạo được tài khoản."), [(0, e) for e in errors])
    user = User(username=username, password_hash=hash_password(password), role=role,
                unit_code=unit_code or None, full_name=full_name)
    db.session.add(user)
    db.session.flush()
    audit.record("user.create", actor=actor, actor_name=actor_name, user=username, role=role.value,
                 unit=unit_code)
    return user
