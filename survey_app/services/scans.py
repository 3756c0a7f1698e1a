"""Scanned paper phiếu: each page read, kept, and its household's sheet stored only when every answer is sure.

A page is processed on its own (``ScanRun.add_page``, or ``ScanRun.add_queued`` for a page a console upload
queued; flushes; the caller commits per page), so that a run over many files, or a worker over uploads,
loses nothing when it stops. The pixels are read first (``analyse``, no database), so the transaction that
records a page is short; it holds the household's row lock, so that two workers reading a sheet's two
pages at once cannot both leave it waiting for the other. A page's QR names the
household and the page; its sheet (all its pages) is stored as the household's phiếu through the same
write path as a keyed phiếu (``paper.enter_first``: channel paper, lifecycle, four-eyes), with provenance
"scan" and the SHA-256 of each page's file, as soon as every page is in and every item was read with
confidence. Anything else waits for a person in the review queue (``scan_page`` rows with status review,
or waiting for a missing page); a page that is no page of this survey, or whose household already
answered (online, keyed or scanned), is rejected and reported, never counted twice.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import select

from ..errors import InputError, StateError
from ..extensions import db
from ..i18n import _
from ..models import (
    AnswerValue,
    Channel,
    CodeStatus,
    HouseholdCode,
    KeyingBatch,
    ScanPage,
    ScanStatus,
    ScanUpload,
    Survey,
)
from ..paper_scan import kept, reader
from ..paper_scan.images import PageImage
from ..paper_scan.layout import FormLayout
from . import audit, household_codes, lifecycle, paper, paper_forms
from .responses import Submission, response_for

VALUES = {reader.Decision.SATISFIED: AnswerValue.SATISFIED, reader.Decision.NOT_SATISFIED: AnswerValue.NOT_SATISFIED,
          reader.Decision.BLANK: AnswerValue.BLANK}


@dataclass(frozen=True)
class Outcome:
    """What became of one page: its status, the household it names (if any) and a sentence for people."""

    source: str
    status: ScanStatus | None  # None: the page had been read before and was skipped
    code_id: int | None
    message: str


@dataclass(frozen=True)
class Analysis:
    """What a page's pixels say (its QR, and every item read), worked out before the database is asked."""

    found: reader.Found | None
    why: str  # why no QR was found ("" when it was)
    reading: reader.PageReading | None


def analyse(page: PageImage, layout: FormLayout) -> Analysis:
    """Find and read one page against the survey's layout (pure: seconds of CPU, no transaction open)."""
    if page.image is None:
        return Analysis(None, "unreadable", None)
    image = reader.grey(page.image)  # once, not in each step
    found, why = reader.locate(image)
    if found is None:
        return Analysis(None, why, None)
    return Analysis(found, "", reader.read(image, found, layout))


@dataclass
class ScanRun:
    """One scanning session of a survey: pages added one by one, a summary at the end."""

    survey: Survey
    actor: object = None
    actor_name: str | None = None
    #: The stack the pages come with: its sheets go to one keying batch per village.
    upload: ScanUpload | None = None
    outcomes: list[Outcome] = field(default_factory=list)
    _layout: FormLayout | None = None
    _target: ScanPage | None = None  # the queued row being read (None: a new row per page)

    @property
    def layout(self) -> FormLayout:
        if self._layout is None:
            self._layout = paper_forms.layout(self.survey)
        return self._layout

    def add_page(self, page: PageImage, file_sha256: str) -> Outcome:
        """Read one page, keep it, and store its sheet if it is now complete and sure (flushes)."""
        lifecycle.require(self.survey, lifecycle.Write.PAPER_KEYING)
        source = f"{page.source}#{page.number}"
        seen = db.session.execute(select(ScanPage.id).where(
            ScanPage.survey_id == self.survey.id, ScanPage.file_sha256 == file_sha256,
            ScanPage.file_page == page.number)).first()
        if seen is not None:
            outcome = Outcome(source, None, None, _("đã quét trước đó, bỏ qua."))
        else:
            outcome = self._record(page, source, file_sha256, analyse(page, self.layout))
        self.outcomes.append(outcome)
        return outcome

    def add_queued(self, row: ScanPage, page: PageImage, analysis: Analysis) -> Outcome:
        """Record what was read of a queued page in its own row, and store its sheet if now sure (flushes)."""
        lifecycle.require(self.survey, lifecycle.Write.PAPER_KEYING)
        self._target = row
        try:
            outcome = self._record(page, row.source, row.file_sha256, analysis)
        finally:
            self._target = None
        self.outcomes.append(outcome)
        return outcome

    def _row(self, scanned: PageImage, source: str, sha: str, status: ScanStatus, problem: str,
             **values) -> ScanPage:
        row = self._target
        if row is None:
            row = ScanPage(survey_id=self.survey.id, source=source[:300], file_sha256=sha, file_page=scanned.number,
                           created_by_id=getattr(self.actor, "id", None),
                           upload_id=self.upload.id if self.upload else None)
            db.session.add(row)
        row.status, row.problem, row.claim = status, problem, ""
        for name, value in values.items():
            setattr(row, name, value)
        if "image" not in values and scanned.image is not None:
            row.image, row.image_type = kept.photo(scanned.image), "image/jpeg"
        db.session.flush()
        return row

    def _reject(self, page, source, sha, problem, message, code=None) -> Outcome:
        self._row(page, source, sha, ScanStatus.REJECTED, problem,
                  household_code_id=code.id if code is not None else None)
        return Outcome(source, ScanStatus.REJECTED, code.id if code is not None else None, message)

    def _record(self, page: PageImage, source: str, sha: str, analysis: Analysis) -> Outcome:
        if page.image is None:
            return self._reject(page, source, sha, "unreadable", _("không mở được ảnh."))
        found, reading = analysis.found, analysis.reading
        if found is None or reading is None:
            return self._reject(page, source, sha, analysis.why, _("không đọc được mã QR của phiếu."))
        code = _code_of(self.survey, found.page_id.code)
        if code is None:
            return self._reject(page, source, sha, "other_survey",
                                _("mã QR không phải phiếu của đợt khảo sát này."))
        if code.status is CodeStatus.VOIDED:
            return self._reject(page, source, sha, "voided",
                                _("phiếu số %(serial)s đã bị hủy (báo mất).", serial=code.serial), code)
        lock_household(code.id)  # one sheet's pages are recorded one after another, whichever worker reads them
        answered = _answered(code)
        if answered:
            return self._reject(page, source, sha, "answered", answered, code)
        status = ScanStatus.WAITING if reading.confident else ScanStatus.REVIEW
        values = dict(household_code_id=code.id, page=found.page_id.page, pages=found.page_id.pages,
                      decisions=kept.decisions(reading), crops=kept.crops(self.layout, found.page_id.page, reading))
        if reading.straight is not None:
            values |= dict(image=kept.png(reading.straight), image_type="image/png")
        self._row(page, source, sha, status, reading.problem or ("" if reading.confident else "unsure"), **values)
        return self._settle(code, source)

    def _settle(self, code: HouseholdCode, source: str) -> Outcome:
        """Store the household's sheet if all its pages are in and sure; say where it stands."""
        rows = list(db.session.execute(select(ScanPage).where(
            ScanPage.household_code_id == code.id,
            ScanPage.status.in_([ScanStatus.WAITING, ScanStatus.REVIEW])).order_by(ScanPage.page)).scalars())
        pages = rows[0].pages or 1
        numbers = Counter(row.page for row in rows)
        if any(n > 1 for n in numbers.values()):
            for row in rows:
                row.status, row.problem = ScanStatus.REVIEW, "twice"
            return Outcome(source, ScanStatus.REVIEW, code.id,
                           _("phiếu số %(serial)s có trang được quét hai lần: cần người xem.", serial=code.serial))
        if any(row.status is ScanStatus.REVIEW for row in rows):
            for row in rows:  # the whole sheet waits for a person
                row.status = ScanStatus.REVIEW
            return Outcome(source, ScanStatus.REVIEW, code.id,
                           _("phiếu số %(serial)s có câu chưa chắc chắn: cần người xem.", serial=code.serial))
        missing = sorted(set(range(1, pages + 1)) - set(numbers))
        if missing:
            return Outcome(source, ScanStatus.WAITING, code.id,
                           _("phiếu số %(serial)s: đã đọc trang này, còn thiếu trang %(pages)s.", serial=code.serial,
                             pages=", ".join(map(str, missing))))
        return self._store(code, rows, source)

    def _store(self, code: HouseholdCode, rows: list[ScanPage], source: str) -> Outcome:
        answers = {key: VALUES[reader.Decision(value["decision"])] for row in rows
                   for key, value in row.decisions.items()}
        try:
            store_sheet(self.survey, code, rows, Submission(answers), upload=self.upload, actor=self.actor,
                        actor_name=self.actor_name)
        except InputError as exc:  # answered meanwhile by another path
            for row in rows:
                row.status, row.problem = ScanStatus.REJECTED, "answered"
            return Outcome(source, ScanStatus.REJECTED, code.id, str(exc))
        return Outcome(source, ScanStatus.STORED, code.id, _("phiếu số %(serial)s đã được lưu.", serial=code.serial))

    def summary(self) -> dict[ScanStatus, int]:
        """Sheets of this run by where they ended: stored, review (waiting for a page counts here), rejected.

        A household's pages count once; a page naming no household counts alone."""
        by_sheet: dict[object, set] = {}
        for index, outcome in enumerate(self.outcomes):
            if outcome.status is not None:
                by_sheet.setdefault(outcome.code_id or f"page-{index}", set()).add(outcome.status)
        counts = Counter()
        for statuses in by_sheet.values():
            if ScanStatus.STORED in statuses:
                counts[ScanStatus.STORED] += 1
            elif statuses & {ScanStatus.REVIEW, ScanStatus.WAITING}:
                counts[ScanStatus.REVIEW] += 1
            else:
                counts[ScanStatus.REJECTED] += 1
        return counts


def store_sheet(survey: Survey, code: HouseholdCode, rows: list[ScanPage], submission: Submission, *,
                upload: ScanUpload | None, actor=None, actor_name: str | None = None, reviewed: list[str] = ()):
    """Store a household's scanned sheet through the keyed phiếu's write path (flushes; audited).

    ``reviewed``: the items a person decided (the machine was unsure). Raises InputError when the household
    answered meanwhile, with nothing of the sheet written (not even the village's batch of this stack)."""
    with db.session.begin_nested():  # one savepoint: a refused sheet leaves no batch made for it behind
        batch = batch_for(survey, upload, code.frame_village_id, actor)
        entry, _created = paper.enter_first(survey, batch, code, submission, actor=actor)
    entry.provenance = "scan"
    entry.scan_images = [f"{row.file_sha256}#{row.file_page}" for row in rows]
    for row in rows:
        row.status, row.keyed_entry_id = ScanStatus.STORED, entry.id
    db.session.flush()
    audit.record("paper.scan", actor=actor, actor_name=actor_name, survey_id=survey.id, serial=code.serial,
                 images=entry.scan_images, batch=batch.id, **({"reviewed": list(reviewed)} if reviewed else {}))
    return entry


def batch_for(survey: Survey, upload: ScanUpload | None, frame_village_id: int, actor) -> KeyingBatch:
    """The keying batch of a stack's sheets of one village, made when its first sheet is stored (flushes)."""
    if upload is not None:
        db.session.refresh(upload, with_for_update=True)  # two workers: one batch per village and stack
        known = (upload.batches or {}).get(str(frame_village_id))
        if known is not None:
            return db.session.get(KeyingBatch, known)
    batch = paper.create_batch(survey, frame_village_id, Channel.PAPER, _("Phiếu quét"), actor=actor)
    if upload is not None:
        upload.batches = {**(upload.batches or {}), str(frame_village_id): batch.id}
    return batch


def household_code(survey: Survey, code_id: int) -> HouseholdCode | None:
    """The household code ``code_id`` when it belongs to ``survey`` (else None)."""
    code = db.session.get(HouseholdCode, code_id)
    return code if code is not None and code.survey_id == survey.id else None


def lock_household(code_id: int) -> None:
    """Take the household's row lock: one sheet is recorded, reviewed or transcribed at a time."""
    db.session.execute(select(HouseholdCode.id).where(HouseholdCode.id == code_id).with_for_update())


def sheet_as_seen(survey: Survey, code_id: int, seen: str, write: lifecycle.Write, sheet_of: Callable, changed: str):
    """The household's sheet (``sheet_of(survey, code_id)``) under its row lock, when the survey still takes
    ``write`` and the sheet is the one a person was shown (page ids ``seen``); else StateError(``changed``)."""
    lifecycle.require(survey, write)
    lock_household(code_id)
    current = sheet_of(survey, code_id)
    if current is None or current.row_ids != seen:
        raise StateError(changed)
    return current


def _code_of(survey: Survey, printed: str) -> HouseholdCode | None:
    code = household_codes.normalize(printed)
    row = db.session.execute(select(HouseholdCode).where(
        HouseholdCode.lookup_hash == household_codes.lookup_hash(code))).scalar_one_or_none() if code else None
    return row if row is not None and row.survey_id == survey.id else None


def _answered(code: HouseholdCode) -> str:
    """Why the household cannot be counted again ("" when it has not answered)."""
    existing = response_for(code)
    if existing is None:
        return ""
    if existing.channel is Channel.WEB:
        return _("phiếu số %(serial)s: hộ đã trả lời qua mạng (biên nhận %(receipt)s); phiếu giấy không được tính.",
                 serial=code.serial, receipt=existing.receipt)
    return _("phiếu số %(serial)s: hộ đã có phiếu giấy (biên nhận %(receipt)s); không tính lần nữa.",
             serial=code.serial, receipt=existing.receipt)
