"""The review queue of scanned sheets: one household's sheet at a time, what the machine read of each item
beside the crop of it, confirmed by a person through the keyed phiếu's write path.

A confirmed sheet is stored by ``scans.store_sheet`` like a sure one (``paper.enter_first``: lifecycle, one
phiếu per household, the stack's keying batch), with the confirming person as the keyed entry's author: a
second keying of the batch must then be by someone else (``double_entry``'s four-eyes rule), and the audit
entry lists the items a person decided. Writing (reasons, the opinion) is shown as crops for the person to
type in, never read by machine.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select

from ..errors import InputError
from ..extensions import db
from ..i18n import _
from ..models import AnswerValue, HouseholdCode, ScanPage, ScanStatus, ScanUpload, Survey
from ..paper_scan import kept
from . import audit, lifecycle, paper_forms, scans
from .responses import Submission
from .scans import VALUES, store_sheet

#: Ink (mm²) on a reason line or in the opinion box above which it is shown for a person to type in.
WRITING_MM2 = 2.0
REASON_MAX, OPINION_MAX = 500, 2000


@dataclass(frozen=True)
class ReviewItem:
    """One item of a sheet under review: the machine's sure value (None: a person decides) and its crops."""

    key: str
    number: int
    criterion: str
    value: int | None
    why: str  # why a person decides ("" when the machine was sure)
    page_id: int | None  # the page row whose crops show it (None: the page is missing)
    straight: bool  # the page was straightened (crops exist); else only the whole page can be shown
    reason_written: bool


@dataclass(frozen=True)
class Sheet:
    """A household's sheet waiting for a person."""

    code: HouseholdCode
    rows: list[ScanPage]
    items: list[ReviewItem]
    opinion_page_id: int | None  # the page whose opinion box has writing in it
    problems: list[str]

    @property
    def row_ids(self) -> str:
        return ",".join(str(row.id) for row in self.rows)


def _item_reading(rows: list[ScanPage], key: str) -> tuple[int | None, str]:
    """The machine's value of an item from its page's copies (None and why when a person must decide)."""
    if not rows:
        return None, "missing"
    found = [row.decisions.get(key) for row in rows]
    if any(f is None for f in found):
        return None, "unread"
    decisions = {f["decision"] for f in found}
    if len(decisions) == 1 and "unsure" not in decisions:
        return int(VALUES[next(iter(decisions))]), ""
    return None, ("twice" if len(rows) > 1 and "unsure" not in decisions else
                  next(f["why"] for f in found if f["decision"] == "unsure"))


def sheet(survey: Survey, code_id: int) -> Sheet | None:
    """The sheet of one household waiting for a person (None when it waits for nobody)."""
    code = scans.household_code(survey, code_id)
    if code is None:
        return None
    rows = list(db.session.execute(select(ScanPage).where(
        ScanPage.household_code_id == code.id, ScanPage.status == ScanStatus.REVIEW).order_by(ScanPage.page,
                                                                                              ScanPage.id)).scalars())
    if not rows:
        return None
    by_page: dict[int, list[ScanPage]] = {}
    for row in rows:
        by_page.setdefault(row.page or 0, []).append(row)
    criteria = {item.key: item.criterion or item.question for item in survey.form.items}
    items = [_review_item(item, by_page.get(item.page, []), criteria.get(item.key, ""))
             for item in paper_forms.layout(survey).items]
    opinion = next((row.id for row in rows if _written(row, "opinion")), None)
    problems = sorted({row.problem for row in rows if row.problem})
    return Sheet(code, rows, items, opinion, problems)


def _written(row: ScanPage, key: str) -> bool:
    return row.crops.get("writing", {}).get(key, 0) > WRITING_MM2


def _review_item(item, copies: list[ScanPage], criterion: str) -> ReviewItem:
    """One item of the layout as its page's copies read it."""
    value, why = _item_reading(copies, item.key)
    first = copies[0] if copies else None
    if first is None:
        return ReviewItem(item.key, item.number, criterion, value, why, None, False, False)
    return ReviewItem(item.key, item.number, criterion, value, why, first.id, first.image_type == "image/png",
                      _written(first, item.key))


def _answers(sheet_: Sheet, choices: Mapping[str, str]) -> dict[str, AnswerValue]:
    answers, missing = {}, []
    for item in sheet_.items:
        chosen = (choices.get(item.key) or "").strip()
        if chosen in ("0", "1", "2"):
            answers[item.key] = AnswerValue(int(chosen))
        else:
            missing.append(str(item.number))
    if missing:
        raise InputError(_("Hãy chọn câu trả lời cho câu %(items)s.", items=", ".join(missing)))
    return answers


def _texts(sheet_: Sheet, reasons: Mapping[str, str], opinion: str) -> tuple[dict[str, str], str]:
    kept_reasons = {item.key: (reasons.get(item.key) or "").strip() for item in sheet_.items}
    for item in sheet_.items:
        if len(kept_reasons[item.key]) > REASON_MAX:
            raise InputError(_("Lý do câu %(n)s dài quá %(max)s ký tự.", n=item.number, max=REASON_MAX))
    opinion = (opinion or "").strip()
    if len(opinion) > OPINION_MAX:
        raise InputError(_("Ý kiến khác dài quá %(max)s ký tự.", max=OPINION_MAX))
    return {k: v for k, v in kept_reasons.items() if v}, opinion


def _locked_sheet(survey: Survey, code_id: int, seen: str) -> Sheet:
    """The sheet, under its household's row lock, as the person saw it (else StateError)."""
    return scans.sheet_as_seen(survey, code_id, seen, lifecycle.Write.PAPER_KEYING, sheet, _(
        "Phiếu này vừa thay đổi (đã có người xem xong, hoặc có thêm trang được quét). Hãy xem lại."))


def confirm(survey: Survey, code_id: int, seen: str, choices: Mapping[str, str], reasons: Mapping[str, str],
            opinion: str, *, actor) -> HouseholdCode:
    """Store the sheet with the person's answers (flushes; the view commits); ``seen``: the page ids shown."""
    current = _locked_sheet(survey, code_id, seen)
    answers = _answers(current, choices)
    kept_reasons, opinion = _texts(current, reasons, opinion)
    reviewed = [item.key for item in current.items if item.value is None or item.value != int(answers[item.key])]
    upload = db.session.get(ScanUpload, current.rows[0].upload_id) if current.rows[0].upload_id else None
    store_sheet(survey, current.code, current.rows, Submission(answers, kept_reasons, opinion), upload=upload,
                actor=actor, reviewed=reviewed)
    return current.code


def reject(survey: Survey, code_id: int, seen: str, note: str, *, actor) -> HouseholdCode:
    """Set a sheet aside (a spoiled or duplicate sheet): its household can still answer or be keyed by hand."""
    note = (note or "").strip()
    if not note:
        raise InputError(_("Hãy ghi lý do loại phiếu."))
    current = _locked_sheet(survey, code_id, seen)
    for row in current.rows:
        row.status, row.problem = ScanStatus.REJECTED, "by_person"
    db.session.flush()
    audit.record("paper.scan_reject", actor=actor, survey_id=survey.id, serial=current.code.serial,
                 images=[f"{row.file_sha256}#{row.file_page}" for row in current.rows], note=note[:500])
    return current.code


def image(survey: Survey, page_id: int, part: str) -> tuple[bytes, str] | None:
    """A page image or one of its crops ("page", "answers-KEY", "reason-KEY", "opinion"), with its type."""
    row = db.session.get(ScanPage, page_id)
    if row is None or row.survey_id != survey.id or not row.image:
        return None
    if part == "page":
        return row.image, row.image_type or "application/octet-stream"
    kind, _sep, key = part.partition("-")
    rect = row.crops.get("opinion") if part == "opinion" else row.crops.get(key, {}).get(kind)
    if kind not in ("answers", "reason", "opinion") or not isinstance(rect, list) or row.image_type != "image/png":
        return None
    data = kept.cut(row.image, rect)
    return (data, "image/png") if data else None
