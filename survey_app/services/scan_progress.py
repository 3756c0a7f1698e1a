"""Where a survey's scanned pages stand: counts for the progress view, the sheets waiting for a person, and the
pages refused with their reason in words."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from ..extensions import db
from ..i18n import _
from ..models import HouseholdCode, ScanPage, ScanStatus, Survey


@dataclass(frozen=True)
class Progress:
    """Pages of a survey by where they stand, and sheets (households) waiting for a person."""

    unread: int  # queued or being read
    waiting: int  # read; their sheet lacks a page
    review: int  # pages of sheets waiting for a person
    stored: int
    rejected: int
    sheets_in_review: int
    oldest_unread: datetime | None

    @property
    def busy(self) -> bool:
        return self.unread > 0


def progress(survey: Survey) -> Progress:
    """Counts of the survey's scanned pages by status (two grouped queries)."""
    counts = dict(db.session.execute(select(ScanPage.status, func.count()).where(ScanPage.survey_id == survey.id)
                                     .group_by(ScanPage.status)).all())
    sheets, oldest = db.session.execute(
        select(func.count(func.distinct(ScanPage.household_code_id)),
               select(func.min(ScanPage.created_at)).where(
                   ScanPage.survey_id == survey.id,
                   ScanPage.status.in_([ScanStatus.QUEUED, ScanStatus.READING])).scalar_subquery())
        .where(ScanPage.survey_id == survey.id, ScanPage.status == ScanStatus.REVIEW)).one()
    return Progress(unread=counts.get(ScanStatus.QUEUED, 0) + counts.get(ScanStatus.READING, 0),
                    waiting=counts.get(ScanStatus.WAITING, 0), review=counts.get(ScanStatus.REVIEW, 0),
                    stored=counts.get(ScanStatus.STORED, 0), rejected=counts.get(ScanStatus.REJECTED, 0),
                    sheets_in_review=sheets, oldest_unread=oldest)


def review_queue(survey: Survey) -> list[int]:
    """Household code ids of the sheets waiting for a person, oldest first."""
    return list(db.session.execute(
        select(ScanPage.household_code_id).where(ScanPage.survey_id == survey.id,
                                                 ScanPage.status == ScanStatus.REVIEW,
                                                 ScanPage.household_code_id.is_not(None))
        .group_by(ScanPage.household_code_id).order_by(func.min(ScanPage.id))).scalars())


def rejected_pages(survey: Survey, limit: int = 200) -> list[tuple[ScanPage, int | None]]:
    """The latest refused pages with their household's serial (when their QR named one)."""
    return [tuple(row) for row in db.session.execute(
        select(ScanPage, HouseholdCode.serial).outerjoin(HouseholdCode, HouseholdCode.id == ScanPage.household_code_id)
        .where(ScanPage.survey_id == survey.id, ScanPage.status == ScanStatus.REJECTED)
        .order_by(ScanPage.id.desc()).limit(limit)).all()]


def problem_label(problem: str) -> str:
    """Why a page was refused or waits for a person, in words."""
    labels = {
        "unreadable": _("không mở được ảnh"),
        "no_qr": _("không thấy mã QR của phiếu"),
        "not_a_phieu": _("mã QR không phải của phiếu khảo sát"),
        "several": _("ảnh có nhiều mã QR (nhiều phiếu trong một ảnh)"),
        "other_survey": _("phiếu của đợt khảo sát khác"),
        "voided": _("phiếu đã bị hủy (báo mất)"),
        "answered": _("hộ đã có phiếu (qua mạng, nhập tay hoặc quét trước đó)"),
        "layout": _("phiếu in theo mẫu khác"),
        "marks": _("không căn được trang theo bốn ô đen ở góc"),
        "unsure": _("có câu máy đọc chưa chắc chắn"),
        "twice": _("có trang được quét hai lần"),
        "crashed": _("ảnh làm bộ đọc dừng nhiều lần"),
        "state": _("đợt khảo sát không còn nhận phiếu giấy"),
        "by_person": _("cán bộ đã loại phiếu này"),
    }
    return labels.get(problem, problem or _("không rõ"))


def why_label(why: str) -> str:
    """Why the machine was unsure of an item, in words."""
    labels = {
        "two_marks": _("cả hai ô đều có dấu"),
        "faint": _("dấu mờ hoặc nhỏ, chưa rõ là có đánh dấu"),
        "stray": _("có nét mực ngoài ô (khoanh tròn chữ, đánh dấu lệch ô)"),
        "twice": _("trang này được quét hai lần"),
        "unread": _("máy không đọc được trang này"),
        "missing": _("trang này chưa được quét: xem phiếu giấy"),
    }
    return labels.get(why, why)
