"""Helpers shared by the staff views: roles, the unit of work, error display, paging."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import flash, request
from sqlalchemy import Select, func, select

from ..errors import InputError, StateError
from ..extensions import db
from ..i18n import _
from ..models import Role

ALL_ROLES = (Role.ADMIN, Role.STAFF, Role.AUDITOR)
EDITORS = (Role.ADMIN, Role.STAFF)


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


@dataclass(frozen=True)
class Page:
    """One page of a long list."""

    items: list
    number: int
    pages: int
    total: int

    @property
    def has_prev(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages


def paginate(query: Select, per_page: int = 50) -> Page:
    """Cut a query into pages; the page number comes from ``?page=`` and is clamped to what exists."""
    total = db.session.execute(select(func.count()).select_from(query.order_by(None).subquery())).scalar_one()
    pages = max(1, -(-total // per_page))
    number = min(max(request.args.get("page", 1, type=int) or 1, 1), pages)
    items = list(db.session.execute(query.limit(per_page).offset((number - 1) * per_page)).scalars())
    return Page(items, number, pages, total)
