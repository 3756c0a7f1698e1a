"""Retention: forget client data and scan images of surveys published more than SURVEY_RETENTION_DAYS ago."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update

from ..extensions import db
from ..models import Response, ScanFile, ScanPage, Survey, SurveyStatus
from ..models._types import utcnow
from ..services import audit


@dataclass(frozen=True)
class PurgeResult:
    """Which surveys were past retention and how many responses lost their client data."""

    survey_ids: tuple[int, ...]
    responses: int
    cutoff: datetime
    #: Scanned page images and scanned files whose bytes were dropped (hashes and readings stay).
    scan_images: int = 0


def surveys_past_retention(days: int, now: datetime | None = None) -> list[int]:
    """Ids of the surveys published before ``now - days``."""
    cutoff = (now or utcnow()) - timedelta(days=days)
    return list(db.session.execute(
        select(Survey.id).where(Survey.status == SurveyStatus.PUBLISHED, Survey.published_at.is_not(None),
                                Survey.published_at < cutoff).order_by(Survey.id)
    ).scalars())


def purge_client_data(days: int, *, now: datetime | None = None, dry_run: bool = False,
                      actor_name: str = "cli") -> PurgeResult:
    """Clear the client hash of every response, and the scan images, of surveys past retention (flushes; the
    caller commits).

    The client hash is the only client data a response keeps (the address itself is never stored); it
    serves the burst indicator while a survey runs and is checked, and has no use once results are out.
    """
    if days < 0:
        raise ValueError("retention days must not be negative")
    now = now or utcnow()
    ids = surveys_past_retention(days, now)
    held = (Response.survey_id.in_(ids), Response.client_hash.is_not(None))
    count = images = 0
    if ids:
        count = db.session.execute(select(func.count()).select_from(Response).where(*held)).scalar_one()
        images = _scan_images(ids, dry_run)
    if count and not dry_run:
        db.session.execute(update(Response).where(*held).values(client_hash=None)
                           .execution_options(synchronize_session=False))
    if (count or images) and not dry_run:
        audit.record("privacy.purge", actor_name=actor_name, surveys=ids, responses=count,
                     retention_days=days, **({"scan_images": images} if images else {}))
    return PurgeResult(tuple(ids), count, now - timedelta(days=days), images)


def _scan_images(survey_ids: list[int], dry_run: bool) -> int:
    """Drop the scanned pages' images and any file still kept of these surveys; return how many.

    A page keeps its file's SHA-256, its household, its readings and who confirmed it (the keyed entry),
    so that what was stored can still be traced to the paper original, which the commune keeps."""
    pages = (ScanPage.survey_id.in_(survey_ids), ScanPage.image.is_not(None))
    files = (ScanFile.survey_id.in_(survey_ids), ScanFile.data.is_not(None))
    count = (db.session.execute(select(func.count()).select_from(ScanPage).where(*pages)).scalar_one()
             + db.session.execute(select(func.count()).select_from(ScanFile).where(*files)).scalar_one())
    if count and not dry_run:
        db.session.execute(update(ScanPage).where(*pages).values(image=None)
                           .execution_options(synchronize_session=False))
        db.session.execute(update(ScanFile).where(*files).values(data=None)
                           .execution_options(synchronize_session=False))
    return count
