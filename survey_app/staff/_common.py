"""Helpers shared by the staff views: roles, the acting account, the unit of work, error display, paging."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import Select

from ..errors import InputError, StateError
from ..extensions import db
from ..i18n import _
from ..models import Role, Survey, User
from ..scope import survey_for
from .forms import ActionForm

ALL_ROLES = (Role.ADMIN, Role.STAFF, Role.AUDITOR)
EDITORS = (Role.ADMIN, Role.STAFF)


def actor() -> User:
    """The signed-in account itself (not Flask-Login's proxy), as services and audit entries take it."""
    return current_user._get_current_object()


def survey_to_act_on(survey_id: int) -> Survey:
    """The survey a posted button acts on, in the user's scope to change; 400 when the form's token is wrong."""
    survey = survey_for(survey_id, edit=True)
    if not ActionForm().validate_on_submit():
        abort(400)
    return survey


def unconfirmed(survey: Survey, warning: str):
    """Back to the survey's page with ``warning`` when the confirmation box was not ticked; None when it was."""
    if request.form.get("confirm") == "y":
        return None
    flash(warning, "error")
    return redirect(url_for("staff.survey", survey_id=survey.id))


def problems(exc: Exception) -> list[str]:
    """The lines to show for a domain error: its message, then each (line, message) it carries."""
    if isinstance(exc, InputError):
        return [exc.message] + [
            _("Dòng %(line)s: %(message)s", line=n, message=m) if n else m for n, m in exc.errors
        ]
    return [str(exc)]


def attempt(action: Callable[..., Any], *args, **kwargs) -> tuple[Any, list[str]]:
    """Run a service call as the request's unit of work: commit on success, roll back on a domain error.

    Returns (result, []) or (None, the lines describing the error).
    """
    try:
        result = action(*args, **kwargs)
    except (InputError, StateError) as exc:
        db.session.rollback()
        return None, problems(exc)
    db.session.commit()
    return result, []


def field_errors(form) -> list[str]:
    """Each field error of a form as "label: message" (for pages that lay their inputs out by hand)."""
    return [_("%(field)s: %(message)s", field=field.label.text, message=message)
            for field in form if field.errors for message in field.errors if field.name != "csrf_token"]


def flash_problems(lines: list[str]) -> None:
    """Show an error (and its details) at the top of the next page."""
    for line in lines:
        flash(line, "error")


def paginate(query: Select, per_page: int = 50):
    """Cut a query into pages with Flask-SQLAlchemy's ``db.paginate``; the page number comes from ``?page=``
    and is clamped to the pages that exist (a number past the end shows the last page, not an empty one)."""
    number = max(request.args.get("page", 1, type=int) or 1, 1)
    page = db.paginate(query, page=number, per_page=per_page, error_out=False)
    if number > 1 and number > (page.pages or 1):
        page = db.paginate(query, page=max(page.pages, 1), per_page=per_page, error_out=False)
    return page
