"""Views of the resident path: code → phiếu → receipt."""
from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask_wtf.csrf import CSRFError

from ..errors import StateError, csrf_error_page
from ..extensions import db
from ..i18n import ngettext
from ..models import CodeStatus, HouseholdCode, Survey
from ..services import household_codes, receipts, throttle
from ..services.client import client_hash
from ..services.responses import CodeAlreadyUsed, Submission, find_code, find_code_and_survey, recorded_response, submit
from . import bp
from .forms import CodeForm, phieu_form, valid_answers

#: Look-ups of codes that match no slip, per client address. Only these failures count: a valid code, the
#: home page and a phiếu's submission are never refused for what others typed behind the same address.
UNKNOWN_CODES = throttle.Budget("unknown-household-code", "SURVEY_CODE_FAILURE_LIMIT")
#: Look-ups of receipt numbers that match no phiếu, per client address, under the same limit.
UNKNOWN_RECEIPTS = throttle.Budget("unknown-receipt", "SURVEY_CODE_FAILURE_LIMIT")


@bp.get("/")
def index():
    """Ask for the code printed on the household's slip; a typed code leads to its phiếu."""
    form = CodeForm(request.args)
    if "code" in request.args and form.validate():
        code = household_codes.normalize(form.code.data)
        if code and find_code(code):
            return redirect(url_for(".phieu", code_text=household_codes.display(code)))
        return _unknown_code(form)
    return render_template("respond/index.html", form=form, unknown=False)


def _failed_lookup(budget: throttle.Budget, template: str, wait_message, **context):
    """The page for a look-up that found nothing (404), counted against the client's budget of failures;
    once the budget is spent the page says how long to wait (429). ``wait_message(minutes)`` says it."""
    try:
        throttle.count_failure(budget, throttle.client_key(request.remote_addr))
    except throttle.Exhausted as exhausted:
        return (render_template(template, unknown=True, blocked=wait_message(exhausted.minutes), **context), 429,
                {"Retry-After": str(exhausted.retry_after)})
    return render_template(template, unknown=True, **context), 404


def _unknown_code(form: CodeForm):
    """The page for a code that matches no slip; a valid code still works once the budget is spent."""
    return _failed_lookup(UNKNOWN_CODES, "respond/index.html", lambda minutes: ngettext(
        "Đã có quá nhiều lần nhập mã không đúng từ mạng này. Nếu mã đúng, Ông/Bà vẫn nhập "
        "được; nếu không, vui lòng thử lại sau %(num)d phút.",
        "Đã có quá nhiều lần nhập mã không đúng từ mạng này. Nếu mã đúng, Ông/Bà vẫn nhập "
        "được; nếu không, vui lòng thử lại sau %(num)d phút.", minutes), form=form)


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
def phieu(code_text: str):
    """Show the household's phiếu (GET, and HEAD without the body) and record it on submission."""
    posted = request.method == "POST"
    found = find_code_and_survey(code_text, with_places=not posted)
    if found is None:
        return _unknown_code(CodeForm(data={"code": code_text}))
    code, survey = found
    if not posted:
        return _closed_page(code, survey) or _render_phieu(survey, code, phieu_form(survey.form), 200)
    if code.status is CodeStatus.VOIDED or survey.window_state() != "open":
        return _closed_page(code, survey)
    valid = valid_answers(tuple(item.key for item in survey.form.items), request.form)
    if valid is None:  # the form says what is wrong
        form = phieu_form(survey.form, formdata=request.form)
        form.validate()
        return _closed_page(code, survey) or _render_phieu(survey, code, form, 422)
    answers, reasons, opinion = valid
    submission = Submission(answers=answers, reasons=reasons, opinion=opinion)
    try:
        recorded = submit(survey, code, submission, client_hash=client_hash(request), alone=True)
    except (CodeAlreadyUsed, StateError) as exc:  # answered, voided or closed meanwhile: the page says which
        db.session.rollback()  # expires code and survey: the pages below read their state afresh
        refusal = str(exc) if isinstance(exc, StateError) else None
        form = phieu_form(survey.form, formdata=request.form)
        return _closed_page(code, survey) or _render_phieu(survey, code, form, 409, refusal=refusal)
    db.session.commit()
    return redirect(url_for(".receipt", receipt=recorded.receipt), code=303)


@bp.errorhandler(CSRFError)
def expired_form(error: CSRFError):
    """A phiếu sent without a valid token (the session cookie expired or was cleared, the form is old):
    nothing is recorded, and the phiếu comes back filled in as sent, with a fresh token and a request to tap
    "Gửi phiếu" again. The household code identifies the household, so no answer is ever dropped here."""
    if request.endpoint != "respond.phieu":
        return csrf_error_page()
    found = find_code_and_survey(request.view_args["code_text"])
    if found is None:
        return _unknown_code(CodeForm(data={"code": request.view_args["code_text"]}))
    code, survey = found
    form = phieu_form(survey.form, formdata=request.form)
    return _closed_page(code, survey) or _render_phieu(survey, code, form, 400, expired=True)


def _render_phieu(survey: Survey, code: HouseholdCode, form, status: int, **notice):
    """The phiếu page; a page answering a POST (``status`` ≠ 200) also loads the script that makes its
    history entry a plain visit of the phiếu, so Back after the next submission shows the used-code page
    rather than the browser's "confirm form resubmission" page."""
    frame = code.frame_village
    return render_template("respond/phieu.html", survey=survey, code=code, form=form, village=frame.village,
                           commune=frame.village.commune, answered_post=status != 200, **notice), status


@bp.get("/bien-nhan")
def receipt_check():
    """The "Kiểm tra biên nhận" page (the notice's QR code leads here); a typed number leads to its receipt."""
    typed = request.args.get("so")
    if typed is None:
        return render_template("respond/receipt_check.html", typed="", unknown=False)
    found = receipts.normalize(typed)
    if found is None:
        return _unknown_receipt(typed)
    return redirect(url_for(".receipt", receipt=found))


@bp.get("/bien-nhan/<receipt>")
def receipt(receipt: str):
    """Show a recorded phiếu's receipt and, once results are published, whether the publication counted it
    (from the snapshot); never its answers. Typed in any case, with or without the dash."""
    checked = receipts.check(receipt)
    if checked is None:
        return _unknown_receipt(receipt)
    return render_template("respond/receipt.html", check=checked)


def _unknown_receipt(typed: str):
    """The page for a receipt number that matches no phiếu (404), counted against the client's budget of
    failed look-ups like an unknown household code; once spent, the page says to wait (429)."""
    return _failed_lookup(UNKNOWN_RECEIPTS, "respond/receipt_check.html", lambda minutes: ngettext(
        "Đã có quá nhiều lần nhập số biên nhận không đúng từ mạng này. Vui lòng thử lại sau %(num)d phút.",
        "Đã có quá nhiều lần nhập số biên nhận không đúng từ mạng này. Vui lòng thử lại sau %(num)d phút.",
        minutes), typed=typed[:40])
