"""Retention: forget client data of surveys published more than SURVEY_RETENTION_DAYS ago."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update

from ..extensions import db
from ..models import Response, Survey, SurveyStatus
from ..models._types import utcnow
from ..services import audit


@dataclass(frozen=True)
class PurgeResult:
    """Which surveys were past retention and how many responses lost their client data."""

    survey_ids: tuple[int, ...]
    responses: int
    cutoff: datetime


def surveys_past_retention(days: int, now: datetime | None = None) -> list[int]:
    """Ids of the surveys published before ``now - days``."""
    cutoff = (now or utcnow()) - timedelta(days=days)
    return list(db.session.execute(
        select(Survey.id).where(Survey.status == SurveyStatus.PUBLISHED, Survey.published_at.is_not(None),
                                Survey.published_at < cutoff).order_by(Survey.id)
    ).scalars())


def purge_client_data(days: int, *, now: datetime | None = None, dry_run: bool = False,
                      actor_name: str = "cli") -> PurgeResult:
    """Clear the client hash of every response of surveys past retention (flushes; the caller commits).

    The client hash is the only client data a response keeps (the address itself is never stored); it
    serves the burst indicator while a survey runs and is checked, and has no use once results are out.
    """
    if days < 0:
        raise ValueError("retention days must not be negative")
    now = now or utcnow()
    ids = surveys_past_retention(days, now)
    held = (Response.survey_id.in_(ids), Response.client_hash.is_not(None))
    count = 0
    if ids:
        count = db.session.execute(select(func.count()).select_from(Response).where(*held)).scalar_one()
    if count and not dry_run:
        db.session.execute(update(Response).where(*held).values(client_hash=None)
                           .execution_options(synchronize_session=False))
        audit.record("privacy.purge", actor_name=actor_name, surveys=ids, responses=count,
                     retention_days=days)
    return PurgeResult(tuple(ids), count, now - timedelta(days=days))
