"""Scanned paper phiếu: each page read, kept, and its household's sheet stored only when every answer is sure.

A page is processed on its own (``ScanRun.add_page``, flushes; the caller commits per page), so that a run
over many files, or later a worker over uploads, loses nothing when it stops. A page's QR names the
household and the page; its sheet (all its pages) is stored as the household's phiếu through the same
write path as a keyed phiếu (``paper.enter_first``: channel paper, lifecycle, four-eyes), with provenance
"scan" and the SHA-256 of each page's file, as soon as every page is in and every item was read with
confidence. Anything else waits for a person in the review queue (``scan_page`` rows with status review,
or waiting for a missing page); a page that is no page of this survey, or whose household already
answered (online, keyed or scanned), is rejected and reported, never counted twice.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import cv2
import numpy as np
from sqlalchemy import select

from ..errors import InputError
from ..extensions import db
from ..i18n import _
from ..models import AnswerValue, Channel, CodeStatus, HouseholdCode, KeyingBatch, ScanPage, ScanStatus, Survey
from ..paper_scan import reader
from ..paper_scan.images import PageImage
from ..paper_scan.layout import FormLayout, Rect
from . import audit, household_codes, lifecycle, paper, paper_forms
from .responses import Submission, response_for

VALUES = {reader.Decision.SATISFIED: AnswerValue.SATISFIED, reader.Decision.NOT_SATISFIED: AnswerValue.NOT_SATISFIED,
          reader.Decision.BLANK: AnswerValue.BLANK}
PHOTO_SIDE = 2000  # px: a page that could not be straightened is kept at most this large (JPEG)


@dataclass(frozen=True)
class Outcome:
    """What became of one page: its status, the household it names (if any) and a sentence for people."""

    source: str
    status: ScanStatus | None  # None: the page had been read before and was skipped
    code_id: int | None
    message: str


@dataclass
class ScanRun:
    """One scanning session of a survey: pages added one by one, a summary at the end."""

    survey: Survey
    actor: object = None
    actor_name: str | None = None
    outcomes: list[Outcome] = field(default_factory=list)
    _layout: FormLayout | None = None
    _batches: dict[int, int] = field(default_factory=dict)  # frame village id -> keying batch id

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
            outcome = self._read(page, source, file_sha256)
        self.outcomes.append(outcome)
        return outcome

    def _row(self, scanned: PageImage, source: str, sha: str, status: ScanStatus, problem: str,
             **values) -> ScanPage:
        row = ScanPage(survey_id=self.survey.id, source=source[:300], file_sha256=sha, file_page=scanned.number,
                       status=status, problem=problem, created_by_id=getattr(self.actor, "id", None), **values)
        if "image" not in values and scanned.image is not None:
            row.image, row.image_type = _photo(scanned.image), "image/jpeg"
        db.session.add(row)
        db.session.flush()
        return row

    def _reject(self, page, source, sha, problem, message, code=None) -> Outcome:
        self._row(page, source, sha, ScanStatus.REJECTED, problem,
                  household_code_id=code.id if code is not None else None)
        return Outcome(source, ScanStatus.REJECTED, code.id if code is not None else None, message)

    def _read(self, page: PageImage, source: str, sha: str) -> Outcome:
        if page.image is None:
            return self._reject(page, source, sha, "unreadable", _("không mở được ảnh."))
        found, why = reader.locate(page.image)
        if found is None:
            return self._reject(page, source, sha, why, _("không đọc được mã QR của phiếu."))
        code = _code_of(self.survey, found.page_id.code)
        if code is None:
            return self._reject(page, source, sha, "other_survey",
                                _("mã QR không phải phiếu của đợt khảo sát này."))
        if code.status is CodeStatus.VOIDED:
            return self._reject(page, source, sha, "voided",
                                _("phiếu số %(serial)s đã bị hủy (báo mất).", serial=code.serial), code)
        answered = _answered(code)
        if answered:
            return self._reject(page, source, sha, "answered", answered, code)
        reading = reader.read(page.image, found, self.layout)
        status = ScanStatus.WAITING if reading.confident else ScanStatus.REVIEW
        values = dict(household_code_id=code.id, page=found.page_id.page, pages=found.page_id.pages,
                      decisions=_decisions(reading), crops=_crops(self.layout, found.page_id.page, reading))
        if reading.straight is not None:
            values |= dict(image=_png(reading.straight), image_type="image/png")
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
        batch = self._batch(code.frame_village_id)
        try:
            entry, _created = paper.enter_first(self.survey, batch, code, Submission(answers), actor=self.actor)
        except InputError as exc:  # answered meanwhile by another path
            for row in rows:
                row.status, row.problem = ScanStatus.REJECTED, "answered"
            return Outcome(source, ScanStatus.REJECTED, code.id, str(exc))
        entry.provenance = "scan"
        entry.scan_images = [f"{row.file_sha256}#{row.file_page}" for row in rows]
        for row in rows:
            row.status, row.keyed_entry_id = ScanStatus.STORED, entry.id
        db.session.flush()
        audit.record("paper.scan", actor=self.actor, actor_name=self.actor_name, survey_id=self.survey.id,
                     serial=code.serial, images=entry.scan_images, batch=batch.id)
        return Outcome(source, ScanStatus.STORED, code.id, _("phiếu số %(serial)s đã được lưu.", serial=code.serial))

    def _batch(self, frame_village_id: int) -> KeyingBatch:
        if frame_village_id not in self._batches:
            batch = paper.create_batch(self.survey, frame_village_id, Channel.PAPER, _("Phiếu quét"),
                                       actor=self.actor)
            self._batches[frame_village_id] = batch.id
        return db.session.get(KeyingBatch, self._batches[frame_village_id])

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


def _decisions(reading: reader.PageReading) -> dict:
    return {item.key: {"decision": item.decision.value, "why": item.why, "ink": [round(v, 4) for v in item.ink],
                       "faint": [round(v, 4) for v in item.faint], "stray": round(item.stray, 2)}
            for item in reading.items}


def _crops(layout: FormLayout, number: int, reading: reader.PageReading) -> dict:
    """Rectangles (mm on the straightened image) a person looks at: answers, reasons, opinion."""
    def box(rect: Rect) -> list[float]:
        return rect.rounded()

    page = layout.pages[number - 1]
    crops: dict = {item.key: {"answers": box(item.answers), "reason": box(item.reason)} for item in page.items}
    if page.opinion is not None:
        crops["opinion"] = box(page.opinion)
    crops["writing"] = reading.writing
    return crops


def _png(image: np.ndarray) -> bytes:
    ok, data = cv2.imencode(".png", image, [cv2.IMWRITE_PNG_COMPRESSION, 6])
    assert ok
    return data.tobytes()


def _photo(image: np.ndarray) -> bytes:
    side = max(image.shape[:2])
    if side > PHOTO_SIDE:
        image = cv2.resize(image, None, fx=PHOTO_SIDE / side, fy=PHOTO_SIDE / side, interpolation=cv2.INTER_AREA)
    ok, data = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 80])
    assert ok
    return data.tobytes()
