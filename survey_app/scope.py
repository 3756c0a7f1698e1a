"""Who may see and change what: roles and unit scope, checked on the server for every page and download."""
from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user, login_required
from sqlalchemy import Select, false, or_, select

from .models import Commune, Role, Survey, User
from .models._types import MAX_ID


def unit_in_scope(user: User, unit_code: str, province_code: str | None = None) -> bool:
    """Whether a commune (5 digits, with its province) or a province (2 digits) lies in the user's scope."""
    if user.role is Role.ADMIN and not user.unit_code:
        return True
    scope = user.unit_code or ""
    if len(scope) == 2:  # a province user sees the province and all its communes
        return unit_code == scope or province_code == scope
    return unit_code == scope


def _survey_province(survey: Survey) -> str | None:
    if survey.unit_level == "province":
        return survey.unit_code
    from .extensions import db

    commune = db.session.get(Commune, survey.unit_code)
    return commune.province_code if commune else None


def can_view(user: User, survey: Survey) -> bool:
    """Staff, auditors and admins see the surveys of their unit (a province sees its communes)."""
    return bool(user and user.is_authenticated and user.is_active
                and unit_in_scope(user, survey.unit_code, _survey_province(survey)))


def can_edit(user: User, survey: Survey) -> bool:
    """Only staff and admins change surveys, and only within their scope; auditors only read."""
    return can_view(user, survey) and user.role in (Role.STAFF, Role.ADMIN)


def surveys_in_scope(user: User) -> Select:
    """A query of the surveys the user may see, newest first."""
    query = select(Survey).order_by(Survey.id.desc())
    if user.role is Role.ADMIN and not user.unit_code:
        return query
    scope = user.unit_code or "-"
    if len(scope) == 2:
        communes = select(Commune.code).where(Commune.province_code == scope)
        return query.where(or_(Survey.unit_code == scope, Survey.unit_code.in_(communes)))
    return query.where(Survey.unit_code == scope)


def manages_account(user: User, account: User) -> bool:
    """Whether an admin manages an account (its password, activity and API tokens): a national admin every
    account, an admin scoped to a unit the non-admin accounts of that unit (a province: of its communes too)."""
    if user.role is not Role.ADMIN:
        return False
    if not user.unit_code:
        return True
    if account.role is Role.ADMIN or not account.unit_code:
        return False
    from .extensions import db

    commune = db.session.get(Commune, account.unit_code) if len(account.unit_code) == 5 else None
    return unit_in_scope(user, account.unit_code, commune.province_code if commune else None)


def accounts_managed_by(user: User) -> Select:
    """A query of the ids of the accounts an admin manages (``manages_account`` in SQL); none for others."""
    query = select(User.id)
    if user.role is not Role.ADMIN:
        return query.where(false())
    if not user.unit_code:
        return query
    query = query.where(User.role != Role.ADMIN)
    if len(user.unit_code) == 2:
        communes = select(Commune.code).where(Commune.province_code == user.unit_code)
        return query.where(or_(User.unit_code == user.unit_code, User.unit_code.in_(communes)))
    return query.where(User.unit_code == user.unit_code)


def roles_required(*roles: Role):
    """Require a logged-in user with one of ``roles`` (403 otherwise)."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def survey_for(survey_id: int, *, edit: bool = False) -> Survey:
    """Load a survey the current user may see (or change): 404 if absent, 403 if out of scope."""
    from .extensions import db

    survey = db.session.get(Survey, survey_id) if survey_id <= MAX_ID else None  # ids also come from queries
    if survey is None:
        abort(404)
    if not (can_edit if edit else can_view)(current_user, survey):
        abort(403)
    return survey
