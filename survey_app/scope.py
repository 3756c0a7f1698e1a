"""The scope rule on the pages: the signed-in user's ``Scope``, roles, and objects loaded by id (404 when
absent, 403 when outside the scope). The rule itself is ``services/scope.Scope``."""
from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from .models import Role, Survey
from .services.scope import Absent, OutOfScope, Scope


def current_scope() -> Scope:
    """The scope of the signed-in user (nothing for the anonymous visitor)."""
    return Scope.of(current_user)


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


def in_scope(model, ident, *, edit: bool = False):
    """Load an object (survey, commune, account, API token...) the current user may see (or change): 404 if
    absent, 403 if out of scope."""
    try:
        return current_scope().find(model, ident, edit=edit)
    except Absent:
        abort(404)
    except OutOfScope:
        abort(403)


def survey_for(survey_id: int, *, edit: bool = False) -> Survey:
    """Load a survey the current user may see (or change): 404 if absent, 403 if out of scope."""
    return in_scope(Survey, survey_id, edit=edit)


def may_change(obj) -> bool:
    """Whether the current user may change an object it sees (to show or hide the buttons that would)."""
    return current_scope().allows(obj, edit=True)
