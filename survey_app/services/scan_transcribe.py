"""Handwriting on stored scanned phiếu, typed in by a person (issue 17, item 3: no silent recognition).

A sheet whose every mark was sure is stored without anybody looking at it (``scans.ScanRun._store``), but the
reader measured the ink on each reason line and in the opinion box (``crops["writing"]``). This queue shows a
stored sheet with writing (ink above ``scan_review.WRITING_MM2``, the review page's threshold) whose
stored phiếu lacks the text of a written field and that nobody has transcribed yet: each written crop beside a
text field. The typed text is saved as a correction of the paper phiếu (``paper.correct_response``: a new
version with the same answers, who typed it, the ``paper.correct`` audit entry), so the tally is unchanged
and the old version stays as history. "Không đọc được / bỏ trống" closes the sheet without text. Either way
the sheet's pages keep a ``transcribed`` note in their crops (who, when, which version), and an audit entry
``paper.scan_transcribe`` records it. Allowed while the survey accepts corrections of paper phiếu
(``lifecycle.Write.CORRECTION``): after publication nothing changes.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select

from ..errors import InputError
from ..extensions import db
from ..i18n import _
from ..models import HouseholdCode, KeyedEntry, Response, ScanPage, ScanStatus, Survey
from ..models._types import utcnow
from . import audit, lifecycle, paper, scans
from .responses import Submission
from .scan_review import OPINION_MAX, REASON_MAX, WRITING_MM2

OPINION = "opinion"
#: The note a transcribed sheet's pages keep in their crops JSON.
TRANSCRIBED = "transcribed"


@dataclass(frozen=True)
class Written:
    """One field written by hand on the sheet: an item's reason line, or the opinion box."""

    key: str  # the item's key, or OPINION
    number: int | None  # the item's number (None: the opinion box)
    criterion: str
    page_id: int  # the page row whose crop shows it
    current: str  # the text the stored phiếu holds for it ("" when none)

    @property
    def name(self) -> str:
        """The form field's name, also the crop's name for ``scan_review.image``."""
        return OPINION if self.key == OPINION else f"reason-{self.key}"


@dataclass(frozen=True)
class Transcription:
    """A stored sheet whose handwriting waits for a person."""

    code: HouseholdCode
    response: Response
    rows: list[ScanPage]
    fields: list[Written]

    @property
    def row_ids(self) -> str:
        return ",".join(str(row.id) for row in self.rows)


def _written_keys(writing) -> list[str]:
    """The fields of a page's ``crops["writing"]`` (mm² of ink by item key or OPINION) with writing in them."""
    if not isinstance(writing, dict):
        return []
    return [key for key, ink in writing.items() if isinstance(ink, int | float) and ink > WRITING_MM2]


def _candidates(survey: Survey, code_id: int | None = None) -> dict[int, tuple[int, list[tuple[int, dict]]]]:
    """Stored, straightened sheets with writing and no transcription note: code id -> (response id, pages with
    their ink by field). Only the two parts of the crops JSON it needs are read (the rectangles are not)."""
    query = (select(ScanPage.household_code_id, ScanPage.id, ScanPage.crops["writing"],
                    ScanPage.crops[TRANSCRIBED], KeyedEntry.response_id)
             .join(KeyedEntry, KeyedEntry.id == ScanPage.keyed_entry_id)
             .where(ScanPage.survey_id == survey.id, ScanPage.status == ScanStatus.STORED,
                    ScanPage.household_code_id.is_not(None), ScanPage.image.is_not(None),
                    ScanPage.image_type == "image/png", KeyedEntry.response_id.is_not(None))
             .order_by(ScanPage.id))
    if code_id is not None:
        query = query.where(ScanPage.household_code_id == code_id)
    sheets: dict[int, tuple[int, list[tuple[int, dict]]]] = {}
    done: set[int] = set()
    for code, row_id, writing, transcribed, response_id in db.session.execute(query):
        if transcribed is not None:
            done.add(code)
        sheets.setdefault(code, (response_id, []))[1].append((row_id, writing))
    return {code: sheet for code, sheet in sheets.items()
            if code not in done and any(_written_keys(writing) for _id, writing in sheet[1])}


def _fields(survey: Survey, pages: list[tuple[int, dict]], stored: Submission) -> list[Written]:
    """The written fields of a sheet in the phiếu's order (items, then the opinion), with their stored text."""
    where = {key: row_id for row_id, writing in pages for key in _written_keys(writing)}
    fields = [Written(item.key, number, item.criterion or item.question, where[item.key],
                      stored.reasons.get(item.key, ""))
              for number, item in enumerate(survey.form.items, 1) if item.key in where]
    if OPINION in where:
        fields.append(Written(OPINION, None, "", where[OPINION], stored.opinion or ""))
    return fields


def _waiting(fields: list[Written]) -> bool:
    return any(not field.current.strip() for field in fields)


def queue(survey: Survey) -> list[int]:
    """Household code ids of the stored sheets whose handwriting waits for a person, oldest first."""
    candidates = _candidates(survey)
    stored = paper.current_submissions([response_id for response_id, _pages in candidates.values()])
    return [code for code, (response_id, pages) in candidates.items()
            if response_id in stored and _waiting(_fields(survey, pages, stored[response_id]))]


def sheet(survey: Survey, code_id: int) -> Transcription | None:
    """The stored sheet of one household if its handwriting waits for a person (else None)."""
    code = scans.household_code(survey, code_id)
    if code is None:
        return None
    found = _candidates(survey, code_id).get(code_id)
    if found is None:
        return None
    response_id, pages = found
    stored = paper.current_submissions([response_id]).get(response_id)
    if stored is None:
        return None
    fields = _fields(survey, pages, stored)
    if not _waiting(fields):
        return None
    rows = [db.session.get(ScanPage, row_id) for row_id, _writing in pages]
    return Transcription(code, db.session.get(Response, response_id), rows, fields)


def _typed(current: Transcription, typed: Mapping[str, str]) -> dict[str, str]:
    """The non-empty texts typed for the sheet's written fields (by item key or OPINION), within the limits."""
    texts = {}
    for field in current.fields:
        text = (typed.get(field.name) or "").strip()
        limit = OPINION_MAX if field.key == OPINION else REASON_MAX
        if len(text) > limit:
            raise InputError(_("Ý kiến khác dài quá %(max)s ký tự.", max=limit) if field.key == OPINION else
                             _("Lý do câu %(n)s dài quá %(max)s ký tự.", n=field.number, max=limit))
        if text:
            texts[field.key] = text
    return texts


def save(survey: Survey, code_id: int, seen: str, typed: Mapping[str, str], *, actor,
         unreadable: bool = False) -> HouseholdCode:
    """Store what a person typed from a sheet's handwriting as a new version of its phiếu, or (``unreadable``)
    close the sheet with no text (flushes; the view commits). ``seen``: the page ids the person was shown."""
    current = scans.sheet_as_seen(survey, code_id, seen, lifecycle.Write.CORRECTION, sheet, _(
        "Chữ viết tay của phiếu này đã được chép lại, hoặc phiếu không còn chờ chép lại. Hãy xem lại."))
    texts = {} if unreadable else _typed(current, typed)
    if not texts and not unreadable:
        raise InputError(_("Hãy gõ lại chữ viết trên phiếu, hoặc bấm “Không đọc được / bỏ trống”."))
    version = None
    if texts:
        before = paper.current_submissions([current.response.id])[current.response.id]
        reasons = {**before.reasons, **{key: text for key, text in texts.items() if key != OPINION}}
        after = Submission(before.answers, reasons, texts.get(OPINION, before.opinion), before.channel)
        if paper.differences(survey.form.items, before, after):
            version = paper.correct_response(survey, current.response, after,
                                             _("Chép lại chữ viết tay trên phiếu quét"), actor=actor).version
    note = {"by": getattr(actor, "id", None), "at": utcnow().isoformat(), "version": version}
    for row in current.rows:
        row.crops = {**row.crops, TRANSCRIBED: note}
    db.session.flush()
    audit.record("paper.scan_transcribe", actor=actor, survey_id=survey.id, serial=current.code.serial,
                 receipt=current.response.receipt, version=version, typed=sorted(texts), unreadable=unreadable)
    return current.code
