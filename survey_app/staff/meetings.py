"""Village meetings: staff declare when a village answers together, so its burst of web answers is expected."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from wtforms import DateField, SelectField, StringField, TimeField
from wtforms.validators import InputRequired, Optional

from ..formatting import datetime as format_datetime
from ..i18n import _, _l
from ..models._types import MAX_ID
from ..scope import may_change, roles_required, survey_for
from ..services import lifecycle
from ..services.meetings import NOTE_LENGTH, declare_meeting, meetings_of, withdraw_meeting
from . import bp
from ._common import ALL_ROLES, EDITORS, actor, attempt, field_errors, flash_problems, survey_to_act_on
from .forms import REQUIRED, ActionForm, StaffForm, longest, options


class MeetingForm(StaffForm):
    """A village meeting: which village, which day, from when to when, and a note."""

    village = SelectField(_l("Thôn"), coerce=int, validators=[InputRequired(REQUIRED)])
    day = DateField(_l("Ngày họp"), validators=[InputRequired(REQUIRED)])
    start = TimeField(_l("Bắt đầu"), validators=[InputRequired(REQUIRED)])
    end = TimeField(_l("Kết thúc"), validators=[InputRequired(REQUIRED)])
    note = StringField(_l("Ghi chú (nơi họp, người chủ trì)"), validators=[Optional(), longest(NOTE_LENGTH)])


def _form(survey) -> MeetingForm:
    form = MeetingForm()
    form.village.choices = options((f.id, f"{f.village.code} · {f.village.name}") for f in survey.frame)
    return form


@bp.get("/surveys/<int:survey_id>/meetings")
@roles_required(*ALL_ROLES)
def meetings(survey_id: int):
    """The survey's declared village meetings, and a form to declare one."""
    survey = survey_for(survey_id)
    return render_template("staff/meetings.html", survey=survey, meetings=meetings_of(survey), form=_form(survey),
                           editable=may_change(survey)
                           and lifecycle.allows(survey, lifecycle.Write.DECLARE_MEETING),
                           action=ActionForm())


@bp.post("/surveys/<int:survey_id>/meetings")
@roles_required(*EDITORS)
def declare(survey_id: int):
    """Declare a village meeting (audited); its village's web answers during it become expected."""
    survey = survey_for(survey_id, edit=True)
    form = _form(survey)
    if not form.validate_on_submit():
        flash_problems(field_errors(form) or [_("Hãy điền đủ thôn, ngày và giờ họp.")])
        return redirect(url_for(".meetings", survey_id=survey.id))
    meeting, errors = attempt(declare_meeting, survey, form.village.data, form.day.data, form.start.data,
                              form.end.data, form.note.data or "", actor=actor())
    if errors:
        flash_problems(errors)
    else:
        flash(_("Đã khai báo buổi họp của %(village)s từ %(start)s đến %(end)s.",
                village=meeting.frame_village.village.name, start=format_datetime(meeting.starts_at),
                end=format_datetime(meeting.ends_at)), "success")
    return redirect(url_for(".meetings", survey_id=survey.id))


@bp.post("/surveys/<int:survey_id>/meetings/<int:meeting_id>/withdraw")
@roles_required(*EDITORS)
def withdraw(survey_id: int, meeting_id: int):
    """Withdraw a meeting declared by mistake (audited)."""
    survey = survey_to_act_on(survey_id)
    if meeting_id > MAX_ID:
        abort(404)
    _result, errors = attempt(withdraw_meeting, survey, meeting_id, actor=actor())
    if errors:
        flash_problems(errors)
    else:
        flash(_("Đã rút khai báo buổi họp; nhật ký vẫn ghi lại việc khai báo và rút khai báo."), "success")
    return redirect(url_for(".meetings", survey_id=survey.id))
