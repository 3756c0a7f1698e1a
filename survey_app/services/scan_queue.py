"""The scan queue: files sent from the console become queued pages, and workers read them one at a time.

The queue is the ``scan_page`` table itself (status queued), so nothing is lost when a browser closes, a
server restarts or a worker dies: whatever reads pages (a thread of the web process, ``flask paper work``,
an RQ job; see ``survey_app/jobs.py``) claims the oldest queued page in a short transaction of its own
(``FOR UPDATE SKIP LOCKED`` on PostgreSQL, and a conditional UPDATE everywhere, so two workers never claim
one page), reads its pixels with no transaction open, then records it under the page's row lock only if
its claim still holds. A page whose worker stopped is claimed again once its lease (SURVEY_SCAN_LEASE_SECONDS)
is over; one that brought its worker down ``MAX_ATTEMPTS`` times is rejected.
"""
from __future__ import annotations

import logging
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import and_, exists, func, or_, select, update

from ..errors import InputError, StateError
from ..extensions import db
from ..i18n import _
from ..models import ScanFile, ScanPage, ScanStatus, ScanUpload, Survey, User
from ..models._types import utcnow
from ..paper_scan import images
from ..paper_scan.layout import FormLayout
from . import audit, lifecycle, paper_forms
from .scans import Outcome, ScanRun, analyse

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 3
UNREAD = (ScanStatus.QUEUED, ScanStatus.READING)


@dataclass(frozen=True)
class Received:
    """One file of an upload: how many of its pages were queued (0: refused, see ``problem``)."""

    name: str
    pages: int
    problem: str = ""


def new_upload(survey: Survey, actor=None) -> ScanUpload:
    """Start a stack of scans of the survey (flushes); refused once paper phiếu are no longer taken."""
    lifecycle.require(survey, lifecycle.Write.PAPER_KEYING)
    upload = ScanUpload(survey_id=survey.id, batches={}, created_by_id=getattr(actor, "id", None))
    db.session.add(upload)
    db.session.flush()
    return upload


def file_name(name: str | None) -> str:
    """A file name as sent, without its folders and control characters, at most 200 characters."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    clean = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip()
    return clean[:200] or _("(không tên)")


def _refusal(survey: Survey, name: str, data: bytes, sha: str) -> tuple[int, str]:
    """(pages, "") for a file to queue, else (0, why not)."""
    if images.kind(data) is None:
        return 0, _("“%(name)s” không phải tệp PDF, JPEG, PNG hay TIFF; không nhận.", name=name)
    count = images.page_count(data)
    if not count:
        return 0, _("“%(name)s”: không mở được tệp này.", name=name)
    limit = current_app.config["SURVEY_SCAN_MAX_PAGES"]
    if count > limit:
        return 0, _("“%(name)s” có %(n)s trang, quá %(max)s trang cho một tệp; hãy chia nhỏ.", name=name, n=count,
                    max=limit)
    seen = db.session.execute(select(ScanPage.id).where(ScanPage.survey_id == survey.id,
                                                        ScanPage.file_sha256 == sha).limit(1)).first()
    if seen is not None:
        return 0, _("“%(name)s” đã được gửi trước đó; không đọc lại.", name=name)
    return count, ""


def receive(survey: Survey, files: list[tuple[str | None, bytes]], *, actor=None) -> list[Received]:
    """Keep each file and queue its pages for a worker (flushes; audited). Files that are not PDF, JPEG, PNG or
    TIFF by their content, files that do not open, and files sent before are refused and said so."""
    import hashlib

    lifecycle.require(survey, lifecycle.Write.PAPER_KEYING)
    received, upload = [], None
    for raw_name, data in files:
        name, sha = file_name(raw_name), hashlib.sha256(data).hexdigest()
        count, problem = _refusal(survey, name, data, sha)
        received.append(Received(name, count, problem))
        if problem:
            continue
        upload = upload or new_upload(survey, actor)
        db.session.add(ScanFile(survey_id=survey.id, upload_id=upload.id, name=name, sha256=sha, pages=count,
                                data=data))
        db.session.add_all(ScanPage(survey_id=survey.id, upload_id=upload.id, source=f"{name}#{n}"[:300],
                                    file_sha256=sha, file_page=n, status=ScanStatus.QUEUED,
                                    created_by_id=getattr(actor, "id", None)) for n in range(1, count + 1))
        db.session.flush()
    if upload is not None:
        audit.record("paper.upload", actor=actor, survey_id=survey.id, upload=upload.id,
                     files=sum(1 for r in received if r.pages), pages=sum(r.pages for r in received))
    return received


# -- the worker's side -----------------------------------------------------------------------------------


def claim() -> tuple[int, str] | None:
    """Claim the oldest page waiting to be read (or whose worker stopped) and commit: (page id, claim).

    Both statements write first, so that on SQLite the worker waits for the write lock rather than failing
    to upgrade a read lock; on PostgreSQL the page is chosen with ``FOR UPDATE SKIP LOCKED``."""
    now = utcnow()
    stale = now - timedelta(seconds=current_app.config["SURVEY_SCAN_LEASE_SECONDS"])
    db.session.execute(update(ScanPage).where(ScanPage.status == ScanStatus.READING, ScanPage.claimed_at < stale,
                                              ScanPage.attempts >= MAX_ATTEMPTS)
                       .values(status=ScanStatus.REJECTED, problem="crashed", claim=""))
    claimable = or_(ScanPage.status == ScanStatus.QUEUED,
                    and_(ScanPage.status == ScanStatus.READING, ScanPage.claimed_at < stale))
    oldest = (select(ScanPage.id).where(claimable).order_by(ScanPage.id).limit(1)
              .with_for_update(skip_locked=True).scalar_subquery())
    token = secrets.token_hex(16)
    page_id = db.session.execute(update(ScanPage).where(ScanPage.id == oldest)
                                 .values(status=ScanStatus.READING, claim=token, claimed_at=now,
                                         attempts=ScanPage.attempts + 1)
                                 .returning(ScanPage.id)).scalar()
    db.session.commit()
    return (page_id, token) if page_id is not None else None


class Reader:
    """What a worker keeps between pages: the last file read (a 500-page PDF is loaded once, not once per
    page) and each survey's layout."""

    def __init__(self) -> None:
        self.key: tuple[int, str] | None = None
        self.data: bytes | None = None
        self.layouts: dict[int, FormLayout] = {}

    def file(self, survey_id: int, sha: str) -> bytes | None:
        if self.key != (survey_id, sha):
            self.data = db.session.execute(select(ScanFile.data).where(ScanFile.survey_id == survey_id,
                                                                       ScanFile.sha256 == sha)).scalar()
            self.key = (survey_id, sha)
        return self.data

    def layout(self, survey: Survey) -> FormLayout:
        if survey.id not in self.layouts:
            self.layouts[survey.id] = paper_forms.layout(survey)
        return self.layouts[survey.id]


def process(page_id: int, token: str, reader: Reader) -> Outcome | None:
    """Read a claimed page and record it (commits); None when the claim was lost meanwhile."""
    row = db.session.get(ScanPage, page_id)
    survey = db.session.get(Survey, row.survey_id)
    layout, data = reader.layout(survey), reader.file(row.survey_id, row.file_sha256)
    name, number = row.source.rsplit("#", 1)[0], row.file_page
    db.session.rollback()  # no transaction stays open while the pixels are read
    page = images.page_at(name, data or b"", number)
    try:
        analysis = analyse(page, layout)
    except Exception:  # noqa: BLE001 - a page the reader cannot handle is rejected, the worker goes on
        log.exception("scan page %s could not be read", page_id)
        page = images.PageImage(page.source, page.number, None)
        analysis = analyse(page, layout)
    held = db.session.execute(update(ScanPage).where(  # the page's row lock, if the claim still holds
        ScanPage.id == page_id, ScanPage.status == ScanStatus.READING, ScanPage.claim == token)
        .values(claimed_at=utcnow())).rowcount
    if not held:
        db.session.rollback()
        return None
    row = db.session.get(ScanPage, page_id)
    actor = db.session.get(User, row.created_by_id) if row.created_by_id else None
    upload = db.session.get(ScanUpload, row.upload_id) if row.upload_id else None
    run = ScanRun(db.session.get(Survey, row.survey_id), actor=actor, upload=upload, _layout=layout)
    try:
        outcome = run.add_queued(row, page, analysis)
    except (StateError, InputError) as exc:  # e.g. results published while the page waited
        db.session.rollback()
        row = db.session.get(ScanPage, page_id)
        row.status, row.problem, row.claim = ScanStatus.REJECTED, "state", ""
        outcome = Outcome(row.source, ScanStatus.REJECTED, None, str(exc))
    _drop_read_file(row.survey_id, row.file_sha256)
    db.session.commit()
    return outcome


def _drop_read_file(survey_id: int, sha: str) -> None:
    """Forget a file's bytes once none of its pages is left to read (the pages keep their own images)."""
    unread = exists().where(ScanPage.survey_id == survey_id, ScanPage.file_sha256 == sha,
                            ScanPage.status.in_(UNREAD))
    db.session.execute(update(ScanFile).where(ScanFile.survey_id == survey_id, ScanFile.sha256 == sha, ~unread)
                       .values(data=None))


def drain(limit: int | None = None) -> int:
    """Read queued pages until none is left (or ``limit`` were read); return how many this worker read."""
    reader, done = Reader(), 0
    while limit is None or done < limit:
        claimed = claim()
        if claimed is None:
            break
        if process(*claimed, reader) is not None:
            done += 1
    return done


def unread_pages() -> int:
    """Pages of every survey still to be read (queued or being read)."""
    return db.session.execute(select(func.count()).select_from(ScanPage)
                              .where(ScanPage.status.in_(UNREAD))).scalar_one()
