"""Delete a draft survey created by mistake, as long as nothing of it can have reached a household."""
from __future__ import annotations

from sqlalchemy import delete, func, select

from ..errors import StateError
from ..extensions import db
from ..i18n import _
from ..models import HouseholdCode, KeyingBatch, Survey, SurveyStatus
from . import audit, lifecycle


def delete_problem(survey: Survey) -> str | None:
    """Why the survey cannot be deleted (as loaded, no lock: for showing the button), or None."""
    if survey.status is not SurveyStatus.DRAFT:
        return lifecycle.refusal(lifecycle.Write.DELETE_DRAFT, survey.status)
    issued = db.session.execute(
        select(func.count()).select_from(HouseholdCode).where(HouseholdCode.survey_id == survey.id)
    ).scalar_one()
    if issued:
        return _("Bản nháp đã phát %(n)s mã hộ (phiếu có thể đã in và phát cho các hộ) nên không xóa được. "
                 "Nếu tạo nhầm, hãy để nguyên bản nháp này và không mở lấy ý kiến.", n=issued)
    return None


def delete_draft(survey: Survey, *, actor=None, actor_name: str | None = None) -> dict:
    """Delete a draft survey that has issued no household code, with its frame (flushes); return what it was.

    Refuses (StateError) any other survey. The survey row is locked first (``lifecycle``), so codes being
    issued at the same moment are either committed before (and the deletion refused) or refused after.
    The village list of the commune stays as it is; the audit log keeps the survey's creation and deletion.
    """
    lifecycle.require(survey, lifecycle.Write.DELETE_DRAFT)
    if (problem := delete_problem(survey)) is not None:
        raise StateError(problem)
    deleted = {"title": survey.title, "template": survey.template_key, "unit": survey.unit_code,
               "villages": len(survey.frame), "households": sum(f.households for f in survey.frame),
               "start": survey.start_date.isoformat(), "end": survey.end_date.isoformat()}
    # Bundles of paper phiếu started on the draft are empty: a keyed phiếu needs an issued code.
    batches = db.session.execute(delete(KeyingBatch).where(KeyingBatch.survey_id == survey.id)).rowcount
    audit.record("survey.delete", actor=actor, actor_name=actor_name, survey_id=survey.id,
                 **deleted, **({"paper_batches": batches} if batches else {}))
    db.session.delete(survey)
    db.session.flush()
    return deleted
