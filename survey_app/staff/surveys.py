"""Survey lifecycle: dashboard, create (template, unit, frame, window), open / close / publish, rules."""
from __future__ import annotations

from datetime import date

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_login import current_user

from ..extensions import db
from ..i18n import _, _l
from ..models import Commune, Province, SurveyStatus, Village
from ..models.surveys import vietnam_today
from ..scope import current_scope, may_change, roles_required, survey_for
from ..services import snapshots
from ..services.collection_progress import progress_of, working_days_left
from ..services.drafts import delete_problem
from ..services.pending_work import pending_work
from ..services.surveys import (
    MIN_JUSTIFICATION,
    change_rules,
    create_survey,
    start_problem,
    survey_plan,
    transition,
)
from ..services.unit_register import villages_of
from ..services.units import FrameRow
from ..services.window import counting_text, window_options
from ..survey_templates import TemplateError, load_all
from ..web import translate_text
from . import bp
from ._common import ALL_ROLES, EDITORS, actor, attempt, flash_problems, paginate, survey_to_act_on, unconfirmed
from ._frame import FrameChoice, frame_choice
from .forms import ActionForm, RulesForm, SurveyForm, options

bp.add_app_template_global(counting_text, "window_counting")

#: What closing or publishing means, confirmed with a tick before it happens (neither can be undone).
CONFIRMATIONS = {
    "close": _l("Tôi xác nhận kết thúc lấy ý kiến: người dân không gửi phiếu qua mạng được nữa và không mở lại "
                "được. Phiếu giấy đã thu vẫn nhập, nhập lần hai và đối chiếu được cho đến khi công bố."),
    "publish": _l("Tôi xác nhận đã kiểm tra kết quả: sau khi công bố, quy tắc và phiếu không sửa được nữa."),
}
#: What a change of state did, said right after it.
AFTER_TRANSITION = {
    "close": _l("Đã kết thúc lấy ý kiến: người dân không gửi phiếu qua mạng được nữa. Vẫn nhập được phiếu giấy "
                "đã thu, nhập lần hai và đối chiếu; sau đó công bố kết quả."),
    "publish": _l("Đã công bố kết quả: từ nay phiếu, mã và quy tắc của đợt khảo sát không thay đổi được nữa."),
}
TRANSITIONS = {"open": _l("Mở lấy ý kiến"), "close": _l("Kết thúc lấy ý kiến"),
               "publish": _l("Công bố kết quả")}


@bp.get("/")
@roles_required(*ALL_ROLES)
def dashboard():
    """List the surveys in the user's scope with their state and answers so far."""
    page = paginate(current_scope().surveys(), per_page=25)
    answered, households = progress_of([s.id for s in page.items])
    return render_template("staff/dashboard.html", page=page, answered=answered, households=households,
                           can_create=current_user.role in EDITORS)


def _unit(code: str) -> Commune | Province | None:
    """The commune (5 digits) or province (2 digits) of a code, or None."""
    code = (code or "").strip()
    if code.isdigit() and len(code) in (2, 5):
        return db.session.get(Commune if len(code) == 5 else Province, code)
    return None


def _templates(level: str) -> dict:
    try:
        templates = load_all()
    except TemplateError as exc:
        current_app.logger.error("survey templates: %s", exc)
        abort(500)
    wanted = (lambda t: t.level == "commune") if level == "commune" else (lambda t: t.level != "commune")
    newest_first = sorted(templates.items(), key=lambda kv: (kv[1].period, kv[0]), reverse=True)
    return {key: t for key, t in newest_first if wanted(t)}


def _chosen_unit() -> tuple[str, Commune | Province | None]:
    """The unit code asked for (the user's own commune by default) and its unit, or None."""
    code = (request.values.get("unit") or request.form.get("unit_code") or "").strip()
    if not code and current_user.unit_code and len(current_user.unit_code) == 5:
        code = current_user.unit_code
    return code, _unit(code)


def _survey_form(unit, villages: list[Village]) -> SurveyForm:
    if request.method == "POST":
        return SurveyForm()
    return SurveyForm(unit_code=unit.code, start=vietnam_today(), villages=[
        {"village_id": v.id, "include": True, "households": v.households} for v in villages])


def _submit(form: SurveyForm, unit, villages: list[Village]):
    """Read the posted frame and create the survey when asked and valid: (frame, errors, survey or None)."""
    # The frame is read even when other fields are wrong, so that an attached file is kept meanwhile.
    choice = frame_choice(form, villages, drop="drop_frame" in request.form)
    if not form.validate_on_submit():
        return choice, [_("Có ô chưa hợp lệ, xin xem các ô được đánh dấu.")] + (
            choice.errors if choice.file_name else []), None
    if choice.errors or "create" not in request.form:
        return choice, choice.errors, None
    survey, errors = attempt(create_survey, form.template.data, unit.code, choice.rows,
                             start=form.start.data, skip_holidays=form.skip_holidays.data,
                             actor=actor())
    return choice, errors, survey


def _preview_rows(choice: FrameChoice, villages: list[Village], level: str) -> list[FrameRow]:
    """The frame previewed: the chosen one, else (first view of a commune) its villages with households."""
    if choice.rows or level != "commune" or choice.file_name is not None or request.method != "GET":
        return choice.rows
    return [FrameRow(i, v.code, v.name, v.households) for i, v in enumerate(villages, 1) if v.households]


def _start_and_margin(form: SurveyForm) -> tuple[date, float]:
    """The start date and margin of error the preview uses (today and 5 % when the form's are unusable)."""
    start = form.start.data if isinstance(form.start.data, date) and not start_problem(form.start.data) \
        else vietnam_today()
    margins = {str(option[0]) for option in form.margin.iter_choices()}
    return start, float(form.margin.data) if form.margin.data in margins else 0.05


@bp.route("/surveys/new", methods=["GET", "POST"])
@roles_required(*EDITORS)
def new_survey():
    """Create a survey: pick the unit, then template, start date and the villages of the frame."""
    code, unit = _chosen_unit()
    if unit is None:
        status = 422 if code else 200
        return render_template("staff/survey_unit.html", code=code, unknown=bool(code)), status
    if not current_scope().allows(unit, edit=True):
        abort(403)
    level = "commune" if isinstance(unit, Commune) else "province"
    templates = _templates(level)
    villages = villages_of(unit.code) if level == "commune" else []
    form = _survey_form(unit, villages)
    form.template.choices = options((key, f"{translate_text(t.short_title)} ({key})") for key, t in templates.items())
    errors: list[str] = []
    choice = FrameChoice([], [])
    if request.method == "POST":
        choice, errors, survey = _submit(form, unit, villages)
        if survey is not None:
            flash(_("Đã tạo đợt khảo sát (bản nháp). Kiểm tra lại rồi bấm “Mở lấy ý kiến”."), "success")
            return redirect(url_for(".survey", survey_id=survey.id))
    form.frame_name.data, form.frame_data.data = choice.file_name or "", choice.carried
    start, margin = _start_and_margin(form)
    template = templates.get(form.template.data or next(iter(templates), ""))
    plan = survey_plan(_preview_rows(choice, villages, level), template, margin)
    windows = window_options(start, str(get_locale()))
    return render_template("staff/survey_new.html", form=form, unit=unit, level=level, errors=errors,
                           village_rows=list(zip(villages, form.villages, strict=False)), plan=plan,
                           start=start, windows=windows, chosen=windows[bool(form.skip_holidays.data)],
                           frame_file=choice.file_name, template=template,
                           frame_file_ok=choice.file_name is not None and bool(choice.rows)), 422 if errors else 200


@bp.get("/surveys/<int:survey_id>")
@roles_required(*ALL_ROLES)
def survey(survey_id: int):
    """Show a survey: state, window, frame, rules and the actions its state allows."""
    survey = survey_for(survey_id)
    pending = pending_work(survey) if survey.status is SurveyStatus.CLOSED else []
    published = snapshots.current(survey)
    return render_template("staff/survey.html", survey=survey,
                           pending=[work.describe() for work in pending], min_waiver=MIN_JUSTIFICATION,
                           published=published,
                           editable=may_change(survey), action_form=ActionForm(),
                           transitions=TRANSITIONS, confirmations=CONFIRMATIONS,
                           days_left=working_days_left(survey),
                           households=sum(f.households for f in survey.frame),
                           undeletable=delete_problem(survey) if survey.status is SurveyStatus.DRAFT else None,
                           to_confirm=survey.form.to_confirm,
                           has_results="results.survey" in current_app.view_functions)


@bp.post("/surveys/<int:survey_id>/<any(open, close, publish):action>")
@roles_required(*EDITORS)
def change_state(survey_id: int, action: str):
    """Open, close or publish a survey."""
    survey = survey_to_act_on(survey_id)
    if action in CONFIRMATIONS and (back := unconfirmed(
            survey, _("Hãy đánh dấu ô xác nhận rồi bấm lại: việc này không làm lại được."))):
        return back
    _result, errors = attempt(transition, survey, action, actor=actor(),
                              waiver=request.form.get("waiver") if action == "publish" else None,
                              reason=request.form.get("reason", "") if action == "publish" else "")
    if errors:
        flash_problems(errors)
    else:
        flash(AFTER_TRANSITION.get(action) or _("Đợt khảo sát chuyển sang: %(status)s.",
                                                 status=survey.status.label), "success")
    return redirect(url_for(".survey", survey_id=survey.id))


@bp.route("/surveys/<int:survey_id>/rules", methods=["GET", "POST"])
@roles_required(*EDITORS)
def rules(survey_id: int):
    """Change the survey's rules; a written justification is required and logged with old and new."""
    survey = survey_for(survey_id, edit=True)
    form = RulesForm() if request.method == "POST" else RulesForm(rules=[
        {"threshold": r["threshold"], "source": r.get("source", ""), "verified": r.get("verified", False),
         "note": r.get("note", "")} for r in survey.rules])
    errors: list[str] = []
    if request.method == "POST":
        if form.validate_on_submit() and len(form.rules) == len(survey.rules):
            new = [dict(old) | {"threshold": row.threshold.data.strip(),
                                "source": (row.source.data or "").strip(),
                                "verified": bool(row.verified.data), "note": (row.note.data or "").strip()}
                   for old, row in zip(survey.rules, form.rules, strict=True)]
            _result, errors = attempt(change_rules, survey, new, form.justification.data,
                                      actor=actor())
            if not errors:
                flash(_("Đã đổi quy tắc; thay đổi được ghi vào nhật ký."), "success")
                return redirect(url_for(".survey", survey_id=survey.id))
        else:
            errors = [_("Có ô chưa hợp lệ, xin xem các ô được đánh dấu.")]
    return render_template("staff/rules.html", survey=survey, form=form, errors=errors,
                           rows=list(zip(survey.rules, form.rules, strict=False))), 422 if errors else 200
