"""Reopening published results for a correction (the next publication supersedes the current one)."""
from __future__ import annotations

from flask import flash, redirect, request, url_for

from ..i18n import _
from ..scope import roles_required
from ..services import snapshots
from . import bp
from ._common import EDITORS, actor, attempt, flash_problems, survey_to_act_on, unconfirmed


@bp.post("/surveys/<int:survey_id>/reopen")
@roles_required(*EDITORS)
def reopen(survey_id: int):
    """Reopen a published survey with a written reason: paper corrections, then a new publication."""
    survey = survey_to_act_on(survey_id)
    if back := unconfirmed(survey, _("Hãy đánh dấu ô xác nhận rồi bấm lại: việc này không làm lại được.")):
        return back
    _result, errors = attempt(snapshots.reopen, survey, request.form.get("reason", ""),
                              actor=actor())
    if errors:
        flash_problems(errors)
    else:
        flash(_("Đã mở lại để đính chính. Kết quả đã công bố vẫn được giữ nguyên và hiển thị cho đến khi công bố "
                "phiên bản mới."), "success")
    return redirect(url_for(".survey", survey_id=survey.id))
