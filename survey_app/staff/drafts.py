"""Deleting a draft survey created by mistake (before any household code was issued)."""
from __future__ import annotations

from flask import abort, flash, redirect, request, url_for

from ..i18n import _
from ..scope import roles_required, survey_for
from ..services.drafts import delete_draft
from ..web import survey_title
from . import bp
from ._common import EDITORS, actor, attempt, flash_problems
from .forms import ActionForm


@bp.post("/surveys/<int:survey_id>/delete")
@roles_required(*EDITORS)
def delete_survey(survey_id: int):
    """Delete a draft with no household code, after a ticked confirmation; the audit log keeps the record."""
    survey = survey_for(survey_id, edit=True)
    if not ActionForm().validate_on_submit():
        abort(400)
    if request.form.get("confirm") != "y":
        flash(_("Hãy đánh dấu ô xác nhận rồi bấm lại: bản nháp đã xóa không lấy lại được."), "error")
        return redirect(url_for(".survey", survey_id=survey.id))
    title = survey_title(survey)
    _deleted, errors = attempt(delete_draft, survey, actor=actor())
    if errors:
        flash_problems(errors)
        return redirect(url_for(".survey", survey_id=survey_id))
    flash(_("Đã xóa bản nháp “%(title)s” (số %(id)s); nhật ký vẫn ghi việc tạo và xóa.", title=title, id=survey_id),
          "success")
    return redirect(url_for(".dashboard"))
