"""Views of the resident path: code → phiếu → receipt."""
from __future__ import annotations

from flask import abort, current_app, redirect, render_template, request, url_for
from sqlalchemy import select

from ..extensions import db, limiter
from ..models import CodeStatus, HouseholdCode, Response, Survey
from ..services import household_codes
from ..services.client import client_hash
from ..services.responses import CodeAlreadyUsed, Submission, find_code, find_code_and_survey, recorded_response, submit
from . import bp
from .forms import VALUES, CodeForm, phieu_form

code_lookup_limit = limiter.shared_limit(
    lambda: current_app.config["SURVEY_CODE_FAILURE_LIMIT"],
    scope="household-code-lookup",
    deduct_when=lambda response: response.status_code == 404,
)


@bp.get("/")
@code_lookup_limit
def index():
    """Ask for the code printed on the household's slip; a typed code leads to its phiếu."""
    form = CodeForm(request.args)
    if "code" in request.args and form.validate():
        code = household_codes.normalize(form.code.data)
        if code and find_code(code):
            return redirect(url_for(".phieu", code_text=household_codes.display(code)))
        return render_template("respond/index.html", form=form, unknown=True), 404
    return render_template("respond/index.html", form=form, unknown=False)


def _closed_page(code: HouseholdCode, survey: Survey):
    """The page for a code that cannot take an answer now, or None when it can."""
    if code.status is CodeStatus.VOIDED:
        return render_template("respond/state.html", survey=survey, code=code, state="voided"), 410
    response = recorded_response(code)
    if response is not None:
        return render_template("respond/state.html", survey=survey, code=code, state="used",
                               response=response), 409
    state = survey.window_state()
    if state != "open":
        return render_template("respond/state.html", survey=survey, code=code, state=state), 403
    return None


@bp.route("/s/<code_text>", methods=["GET", "POST"])
@code_lookup_limit
def phieu(code_text: str):
    """Show the household's phiếu and record it on submission."""
    found = find_code_and_survey(code_text, with_places=request.method == "GET")
    if found is None:
        form = CodeForm(data={"code": code_text})
        return render_template("respond/index.html", form=form, unknown=True), 404
    code, survey = found
    if request.method == "GET":
        return _closed_page(code, survey) or _render_phieu(survey, code, phieu_form(survey.template), 200)
    if code.status is CodeStatus.VOIDED or survey.window_state() != "open":
        return _closed_page(code, survey)
    form = phieu_form(survey.template, formdata=request.form)
    if not form.validate():
        return _closed_page(code, survey) or _render_phieu(survey, code, form, 422)
    items = [item["key"] for item in survey.template["items"]]
    submission = Submission(
        answers={key: VALUES[form[f"item_{key}"].data] for key in items},
        reasons={key: form[f"reason_{key}"].data or "" for key in items},
        opinion=form.opinion.data or "",
    )
    try:
        recorded = submit(survey, code, submission, client_hash=client_hash(request))
    except CodeAlreadyUsed:
        db.session.rollback()
        return _closed_page(code, survey)
    db.session.commit()
    return redirect(url_for(".receipt", receipt=recorded.receipt), code=303)


def _render_phieu(survey: Survey, code: HouseholdCode, form, status: int):
    frame = code.frame_village
    return render_template("respond/phieu.html", survey=survey, code=code, form=form, village=frame.village,
                           commune=frame.village.commune), status


@bp.get("/bien-nhan/<receipt>")
def receipt(receipt: str):
    """Show the receipt number and time of a recorded phiếu."""
    response = db.session.execute(select(Response).where(Response.receipt == receipt.upper())).scalar_one_or_none()
    if response is None:
        abort(404)
    survey = db.session.get(Survey, response.survey_id)
    return render_template("respond/receipt.html", survey=survey, response=response)
