"""Deleting a draft survey created by mistake (before any household code was issued)."""
from __future__ import annotations

from flask import flash, redirect, url_for

from ..i18n import _
from ..scope import roles_required
from ..services.drafts import delete_draft
from ..web import survey_title
from . import bp
from ._common import EDITORS, actor, attempt, flash_problems, survey_to_act_on, unconfirmed


@bp.post("/surveys/<int:survey_id>/delete")
@roles_required(*EDITORS)
def delete_survey(survey_id: int):
    """Delete a draft with no household code, after a ticked confirmation; the audit log keeps the record."""
    survey = survey_to_act_on(survey_id)
    if back := unconfirmed(survey, _("Hãy đánh dấu ô xác nhận rồi bấm lại: bản nháp đã xóa không lấy lại được.")):
        return back
    title = survey_title(survey)
    _deleted, errors = attempt(delete_draft, survey, actor=actor())
    if errors:
        flash_problems(errors)
        return redirect(url_for(".survey", survey_id=survey_id))
    flash(_("Đã xóa bản nháp “%(title)s” (số %(id)s); nhật ký vẫn ghi việc tạo và xóa.", title=title, id=survey_id),
          "success")
    return redirect(url_for(".dashboard"))
