"""The audit log: entries in the user's scope, and a check of the whole hash chain."""
from __future__ import annotations

import re
from collections.abc import Mapping

from flask import render_template, request

from .. import formatting
from ..models import AuditEntry
from ..scope import current_scope, roles_required, survey_for
from ..services import audit as audit_log
from . import bp
from ._common import ALL_ROLES, paginate

#: Problems listed on the page (all are counted): a chain sealed with another key has one per entry.
MAX_SHOWN = 50
#: A detail written as ISO 8601 (a moment in UTC, or a day): shown as every page shows times and dates.
ISO_TEXT = re.compile(r"\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:[+-]\d{2}:\d{2}|Z)?)?")


def readable(value, nested: bool = False) -> str:
    """A detail value as plain text for people: "key: value" pairs, lists joined, letters as they are.

    The result is an ordinary string, so the template still escapes it; nested lists and mappings are
    put in parentheses so that their items stay apart from their neighbours'.
    """
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return "✓" if value else "✗"
    if isinstance(value, Mapping):
        text = ", ".join(f"{key}: {readable(item, True)}" for key, item in value.items())
    elif isinstance(value, (list, tuple)):
        text = ", ".join(readable(item, True) for item in value)
    elif isinstance(value, str) and ISO_TEXT.fullmatch(value):
        return _when(value)
    else:
        return str(value)
    return f"({text})" if nested else text or "–"


def _when(text: str) -> str:
    """An ISO 8601 detail in local time (``HH:mm dd/mm/yyyy``) or as a date; as written if it is no real date."""
    try:
        return formatting.datetime(text) if "T" in text else formatting.date(text)
    except ValueError:
        return text


@bp.get("/audit")
@roles_required(*ALL_ROLES)
def audit():
    """List audit entries, newest first, optionally those of one survey (?survey=ID) or whose action
    starts with some text (?action=survey finds survey.open, survey.close…)."""
    query = current_scope().audit_entries()
    survey = None
    survey_id = request.args.get("survey", type=int)
    if survey_id is not None:
        survey = survey_for(survey_id)
        query = query.where(AuditEntry.survey_id == survey.id)
    action = request.args.get("action", "").strip().lower()[:60]  # action names are lower case
    if action:
        query = query.where(AuditEntry.action.startswith(action, autoescape=True))
    return render_template("staff/audit.html", page=paginate(query, per_page=50), survey=survey,
                           action=action, readable=readable)


@bp.get("/audit/verify")
@roles_required(*ALL_ROLES)
def audit_verify():
    """Walk the whole hash chain and say whether any entry was altered, removed, reordered or added without
    the audit key; a head quoted earlier (?head=, from an export manifest) shows whether the newest entries
    were removed since. A head that is not 64 hexadecimal digits is named as such, not as tampering."""
    known = request.args.get("head", "").strip()[:200]
    malformed = bool(known) and not audit_log.is_head(known)
    count, problems = audit_log.verify([known] if known and not malformed else [])
    return render_template("staff/audit_verify.html", count=count, problems=problems[:MAX_SHOWN],
                           problem_count=len(problems), head=audit_log.head(), known=known, malformed=malformed)
