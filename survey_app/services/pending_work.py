"""What must be settled before a survey's results are published: paper batches and double keying."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from ..errors import StateError
from ..extensions import db
from ..i18n import _
from ..models import KeyedEntry, KeyingBatch, ScanPage, ScanStatus, Survey
from .double_entry import batch_report


@dataclass(frozen=True)
class PendingWork:
    """One batch of paper phiếu with work left: nothing keyed, a second keying unfinished, or mismatches."""

    batch_id: int
    village: str
    label: str
    kind: str  # "empty" | "second_unfinished" | "mismatches" | "scans" (scanned sheets awaiting a person) |
    # "scans_unread" (uploaded pages not read yet)
    count: int

    def describe(self) -> str:
        """The work in the user's language."""
        label = ", " + self.label if self.label else ""
        batch = _("Tập %(id)s (%(village)s%(label)s)", id=self.batch_id, village=self.village, label=label)
        if self.kind == "scans":
            return _("Còn %(n)s phiếu quét chờ người xem hoặc chờ trang còn thiếu.", n=self.count)
        if self.kind == "scans_unread":
            return _("Còn %(n)s trang quét máy chưa đọc xong.", n=self.count)
        if self.kind == "empty":
            return _("%(batch)s: chưa nhập phiếu nào.", batch=batch)
        if self.kind == "second_unfinished":
            return _("%(batch)s: còn %(n)s phiếu chưa nhập lần hai.", batch=batch, n=self.count)
        return _("%(batch)s: còn %(n)s sai lệch giữa hai lần nhập chưa xử lý.", batch=batch, n=self.count)

    def as_audit(self) -> dict:
        return {"batch": self.batch_id, "kind": self.kind, "count": self.count}


def pending_work(survey: Survey) -> list[PendingWork]:
    """Every batch of the survey that is not settled, in batch order, then scanned sheets left for a person.

    A batch is settled when it has phiếu keyed and, if a second keying was started, every phiếu was
    keyed twice and every disagreement resolved. Double keying stays optional: a batch never keyed a
    second time is settled.
    """
    counts = dict(db.session.execute(
        select(KeyingBatch.id, func.count(KeyedEntry.id))
        .outerjoin(KeyedEntry, KeyedEntry.batch_id == KeyingBatch.id)
        .where(KeyingBatch.survey_id == survey.id).group_by(KeyingBatch.id)
    ).all())
    second = set(db.session.execute(
        select(KeyedEntry.batch_id).join(KeyingBatch, KeyingBatch.id == KeyedEntry.batch_id)
        .where(KeyingBatch.survey_id == survey.id, KeyedEntry.keying == 2).distinct()
    ).scalars())
    pending = []
    batches = db.session.execute(select(KeyingBatch).where(KeyingBatch.survey_id == survey.id)
                                 .order_by(KeyingBatch.id)).scalars()
    for batch in batches:
        village, label = batch.frame_village.village.name, batch.label
        if not counts.get(batch.id):
            pending.append(PendingWork(batch.id, village, label, "empty", 0))
        elif batch.id in second:
            mismatches, _agreeing, awaiting = batch_report(survey, batch)
            if awaiting:
                pending.append(PendingWork(batch.id, village, label, "second_unfinished", awaiting))
            if mismatches:
                pending.append(PendingWork(batch.id, village, label, "mismatches", len(mismatches)))
    scans = db.session.execute(select(func.count(func.distinct(ScanPage.household_code_id))).where(
        ScanPage.survey_id == survey.id, ScanPage.status.in_([ScanStatus.REVIEW, ScanStatus.WAITING]))).scalar_one()
    if scans:
        pending.append(PendingWork(0, "", "", "scans", scans))
    unread = db.session.execute(select(func.count()).select_from(ScanPage).where(
        ScanPage.survey_id == survey.id, ScanPage.status.in_([ScanStatus.QUEUED, ScanStatus.READING]))).scalar_one()
    if unread:
        pending.append(PendingWork(0, "", "", "scans_unread", unread))
    return pending


def waiver_details(survey: Survey, waiver: str | None, min_length: int) -> dict:
    """The audit details of a publication: the pending work waived and why; refuses unexplained work."""
    pending = pending_work(survey)
    if not pending:
        return {}
    waiver = (waiver or "").strip()
    if len(waiver) < min_length:
        raise StateError(_("Còn việc chưa xong nên chưa công bố được: %(work)s Hãy hoàn tất, hoặc ghi rõ lý do "
                           "vẫn công bố (ít nhất %(n)s ký tự; lý do được ghi vào nhật ký).",
                           work=" ".join(work.describe() for work in pending), n=min_length))
    return {"waived": [work.as_audit() for work in pending], "waiver": waiver}
