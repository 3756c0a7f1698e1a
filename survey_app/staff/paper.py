"""Paper entry: batches, keyboard-fast keying (first and second), mismatch report, corrections, history."""
from __future__ import annotations

import segno
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from ..errors import InputError
from ..exports.labels import answer_label
from ..extensions import db
from ..i18n import _
from ..models import (
    Answer,
    Channel,
    HouseholdCode,
    KeyedEntry,
    KeyingBatch,
    Response,
    ResponseVersion,
    User,
)
from ..scope import may_change, roles_required, survey_for
from ..services import audit, double_entry, lifecycle, paper, receipts
from ..services.responses import Submission
from . import bp
from ._common import ALL_ROLES, EDITORS, actor, attempt, field_errors, flash_problems, problems
from .forms import ActionForm, BatchForm, CorrectionForm, options, paper_form


@bp.app_template_global("survey_allows")
def survey_allows(survey, write: str) -> bool:
    """Whether the survey's state allows a write (``lifecycle.Write`` value), for showing its buttons."""
    return lifecycle.allows(survey, lifecycle.Write(write))


def _batch(survey, batch_id: int) -> KeyingBatch:
    batch = db.session.get(KeyingBatch, batch_id)
    if batch is None or batch.survey_id != survey.id:
        abort(404)
    return batch


def _keys(survey) -> list[str]:
    return [item.key for item in survey.form.items]


def _submission(survey, form) -> Submission:
    """What the keying form holds; raises InputError when the answer string is wrong."""
    keys = _keys(survey)
    return Submission(answers=paper.parse_answers(form.answers.data, keys),
                      reasons={k: (form[f"reason_{k}"].data or "").strip() for k in keys},
                      opinion=(form.opinion.data or "").strip())


@bp.get("/surveys/<int:survey_id>/paper")
@roles_required(*ALL_ROLES)
def paper_batches(survey_id: int):
    """List the batches of paper phiếu and start a new one."""
    survey = survey_for(survey_id)
    batches = list(db.session.execute(select(KeyingBatch).where(KeyingBatch.survey_id == survey.id)
                                      .order_by(KeyingBatch.id.desc())).scalars())
    form = BatchForm()
    form.village.choices = options((f.id, f"{f.village.code} · {f.village.name}") for f in survey.frame)
    return render_template("staff/paper_batches.html", survey=survey, batches=batches, form=form,
                           counts=paper.batch_counts(survey), editable=may_change(survey))


@bp.post("/surveys/<int:survey_id>/paper")
@roles_required(*EDITORS)
def new_batch(survey_id: int):
    """Start a batch of paper phiếu of one village."""
    survey = survey_for(survey_id, edit=True)
    form = BatchForm()
    form.village.choices = options((f.id, f.village.name) for f in survey.frame)
    if not form.validate_on_submit():
        flash_problems([_("Hãy chọn thôn và cách thu phiếu.")])
        return redirect(url_for(".paper_batches", survey_id=survey.id))
    batch, errors = attempt(paper.create_batch, survey, form.village.data, Channel(form.channel.data),
                            form.label.data or "", actor=actor())
    if errors:
        flash_problems(errors)
        return redirect(url_for(".paper_batches", survey_id=survey.id))
    return redirect(url_for(".keying", survey_id=survey.id, batch_id=batch.id, keying=1))


def _entries(batch: KeyingBatch, keying: int) -> list:
    return db.session.execute(
        select(KeyedEntry, HouseholdCode.serial, Response.receipt, User.username)
        .join(HouseholdCode, HouseholdCode.id == KeyedEntry.household_code_id)
        .outerjoin(Response, Response.id == KeyedEntry.response_id)
        .outerjoin(User, User.id == KeyedEntry.created_by_id)
        .where(KeyedEntry.batch_id == batch.id, KeyedEntry.keying == keying)
        .order_by(KeyedEntry.id.desc())
    ).all()


# The first keying's rule is registered first, so that url_for() without ``keying`` builds it.
@bp.route("/surveys/<int:survey_id>/paper/<int:batch_id>/second", methods=["GET", "POST"],
          defaults={"keying": 2})
@bp.route("/surveys/<int:survey_id>/paper/<int:batch_id>", methods=["GET", "POST"],
          defaults={"keying": 1})
@roles_required(*ALL_ROLES)
def keying(survey_id: int, batch_id: int, keying: int):
    """Key the phiếu of a batch, one after another (first keying stores them, second only checks)."""
    survey = survey_for(survey_id, edit=request.method == "POST")
    batch = _batch(survey, batch_id)
    form = paper_form(survey.form)
    errors: list[str] = []
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                submission = _submission(survey, form)
                code = paper.find_slip(survey, form.slip.data)
            except InputError as exc:
                errors = problems(exc)
            else:
                enter = paper.enter_first if keying == 1 else double_entry.enter_second
                result, errors = attempt(enter, survey, batch, code, submission,
                                         actor=actor())
                if not errors:
                    flash(_("Đã lưu phiếu số %(serial)s.", serial=code.serial) if keying == 1 else
                          _("Đã ghi lần nhập hai của phiếu số %(serial)s để đối chiếu.", serial=code.serial),
                          "success")
                    return redirect(request.path)
        else:
            errors = [_("Thiếu số phiếu hoặc câu trả lời.")] + field_errors(form)
    status = 422 if errors else 200
    return render_template("staff/keying.html", survey=survey, batch=batch, form=form, keying=keying,
                           errors=errors, entries=_entries(batch, keying),
                           editable=may_change(survey)), status


@bp.get("/surveys/<int:survey_id>/paper/<int:batch_id>/report")
@roles_required(*ALL_ROLES)
def batch_report(survey_id: int, batch_id: int):
    """Compare the second keying with the stored phiếu and list the mismatches to settle."""
    survey = survey_for(survey_id)
    batch = _batch(survey, batch_id)
    audit.record("paper.view", actor=actor(), survey_id=survey.id, batch=batch.id)
    db.session.commit()
    mismatches, agreeing, awaiting = double_entry.batch_report(survey, batch)
    return render_template("staff/batch_report.html", survey=survey, batch=batch, mismatches=mismatches,
                           agreeing=agreeing, awaiting=awaiting, action_form=ActionForm(),
                           editable=may_change(survey), receipts=receipts.batch_receipts(batch))


@bp.get("/surveys/<int:survey_id>/paper/<int:batch_id>/receipts")
@roles_required(*ALL_ROLES)
def batch_receipts(survey_id: int, batch_id: int):
    """The receipts of a batch's stored phiếu (serial → receipt), as cut-out slips to print on A4 and hand
    back to the households, each with the address (and QR code) of its receipt check."""
    survey = survey_for(survey_id)
    batch = _batch(survey, batch_id)
    base = current_app.config["SURVEY_PUBLIC_URL"].rstrip("/")
    slips = [(serial, receipt, segno.make(base + url_for("respond.receipt", receipt=receipt), error="m")
              .png_data_uri(scale=2, border=1)) for serial, receipt in receipts.batch_receipts(batch)]
    return render_template("staff/batch_receipts.html", survey=survey, batch=batch, slips=slips,
                           check_url=base + url_for("respond.receipt_check"))


@bp.post("/surveys/<int:survey_id>/paper/<int:batch_id>/resolve/<int:entry_id>")
@roles_required(*EDITORS)
def resolve(survey_id: int, batch_id: int, entry_id: int):
    """Settle one mismatch: keep the stored phiếu or take the second keying."""
    survey = survey_for(survey_id, edit=True)
    batch = _batch(survey, batch_id)
    entry = db.session.get(KeyedEntry, entry_id)
    if entry is None or entry.batch_id != batch.id:
        abort(404)
    if ActionForm().validate_on_submit():
        _result, errors = attempt(double_entry.resolve, survey, entry, request.form.get("use") == "second",
                                  actor=actor())
        flash_problems(errors) if errors else flash(_("Đã xử lý sai lệch."), "success")
    return redirect(url_for(".batch_report", survey_id=survey.id, batch_id=batch.id))


@bp.get("/surveys/<int:survey_id>/responses")
@roles_required(*ALL_ROLES)
def find_response(survey_id: int):
    """Find a paper phiếu by slip serial, household code or receipt number."""
    survey = survey_for(survey_id)
    typed = request.args.get("q", "").strip()[:40]
    response = None
    if typed:
        response = db.session.execute(select(Response).where(
            Response.survey_id == survey.id, Response.receipt == typed.upper())).scalar_one_or_none()
        if response is None:
            try:
                code = paper.find_slip(survey, typed)
            except InputError:
                code = None
            response = db.session.execute(select(Response).where(
                Response.survey_id == survey.id, Response.household_code_id == code.id)
            ).scalar_one_or_none() if code else None
        if response is not None and response.channel in paper.PAPER_CHANNELS:
            return redirect(url_for(".response_history", survey_id=survey.id, response_id=response.id))
    return render_template("staff/find_response.html", survey=survey, typed=typed, response=response), \
        404 if typed else 200


@bp.route("/surveys/<int:survey_id>/responses/<int:response_id>", methods=["GET", "POST"])
@roles_required(*ALL_ROLES)
def response_history(survey_id: int, response_id: int):
    """Show every version of a paper phiếu (who, when, why) and correct it with a new version."""
    survey = survey_for(survey_id, edit=request.method == "POST")
    response = db.session.get(Response, response_id)
    # Web answers are the household's own: never shown to or changed by staff.
    if response is None or response.survey_id != survey.id or response.channel not in paper.PAPER_CHANNELS:
        abort(404)
    if request.method == "GET":
        audit.record("paper.view", actor=actor(), survey_id=survey.id,
                     response=response.id)
        db.session.commit()
    keys = _keys(survey)
    current = paper.current_submissions([response.id])[response.id]
    form = paper_form(survey.form, CorrectionForm, data={
        "answers": paper.answer_string(current, keys), "opinion": current.opinion,
        **{f"reason_{k}": current.reasons.get(k, "") for k in keys}} if request.method == "GET" else None)
    errors: list[str] = []
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                submission = _submission(survey, form)
            except InputError as exc:
                errors = problems(exc)
            else:
                submission = Submission(submission.answers, submission.reasons, submission.opinion,
                                        response.channel)
                _version, errors = attempt(paper.correct_response, survey, response, submission,
                                           form.change_reason.data, actor=actor())
                if not errors:
                    flash(_("Đã lưu bản sửa (phiên bản %(n)s).", n=response.current_version), "success")
                    return redirect(request.path)
        else:
            errors = [_("Hãy ghi lý do sửa và câu trả lời.")] + field_errors(form)
    return render_template("staff/response.html", survey=survey, response=response, form=form, errors=errors,
                           history=_history(response), keys=keys, answer_label=answer_label,
                           serial=db.session.get(HouseholdCode, response.household_code_id).serial,
                           correctable=may_change(survey)
                           and survey_allows(survey, "correction")), 422 if errors else 200


def _history(response: Response) -> list[tuple]:
    """Each version, newest first, with its author and its answers by item key (two queries)."""
    versions = db.session.execute(
        select(ResponseVersion, User.username).outerjoin(User, User.id == ResponseVersion.created_by_id)
        .where(ResponseVersion.response_id == response.id).order_by(ResponseVersion.version.desc())
    ).all()
    answers: dict[int, dict] = {version.id: {} for version, _name in versions}
    rows = db.session.execute(select(Answer).where(Answer.response_version_id.in_(list(answers)))).scalars()
    for answer in rows:
        answers[answer.response_version_id][answer.item_key] = answer
    return [(version, name, answers[version.id]) for version, name in versions]
