"""The review queue of scanned phiếu: one sheet at a time, each doubtful item's crop beside what the machine
read, answered with one key (1, 2, 0; Enter saves) or with the radio buttons and the button without JavaScript."""
from __future__ import annotations

from flask import abort, flash, make_response, redirect, render_template, request, url_for

from ..i18n import _
from ..scope import roles_required, survey_for
from ..services import scan_review, scans
from ..services.scan_progress import problem_label, review_queue, why_label
from . import bp
from ._common import EDITORS, actor, attempt, flash_problems


def _page(survey, current, status: int = 200, errors: list[str] | None = None):
    queue = review_queue(survey)
    return render_template("staff/scan_review.html", survey=survey, sheet=current, left=len(queue),
                           errors=errors or [], problem_label=problem_label, why_label=why_label,
                           chosen=request.form if request.method == "POST" else {}), status


@bp.get("/surveys/<int:survey_id>/scans/review")
@roles_required(*EDITORS)
def scan_review_next(survey_id: int):
    """The oldest sheet waiting for a person (or ``?sheet=<household code id>``)."""
    survey = survey_for(survey_id, edit=True)
    queue = review_queue(survey)
    wanted = request.args.get("sheet", type=int)
    code_id = wanted if wanted in queue else (queue[0] if queue else None)
    return _page(survey, scan_review.sheet(survey, code_id) if code_id is not None else None)


@bp.post("/surveys/<int:survey_id>/scans/review/<int:code_id>")
@roles_required(*EDITORS)
def scan_review_save(survey_id: int, code_id: int):
    """Store the sheet with the answers chosen, or set it aside with a reason (``action=reject``)."""
    survey = survey_for(survey_id, edit=True)
    code = scans.household_code(survey, code_id)
    if code is None:
        abort(404)
    if scan_review.sheet(survey, code_id) is None:
        flash_problems([_("Phiếu này không còn chờ người xem.")])
        return redirect(url_for(".scan_review_next", survey_id=survey.id), 303)
    form, by = request.form, actor()
    if form.get("action") == "reject":
        code, errors = attempt(scan_review.reject, survey, code_id, form.get("seen", ""), form.get("note", ""),
                               actor=by)
        done = _("Đã loại phiếu số %(serial)s.", serial=code.serial) if code else ""
    else:
        choices = {key[5:]: value for key, value in form.items() if key.startswith("item-")}
        reasons = {key[7:]: value for key, value in form.items() if key.startswith("reason-")}
        code, errors = attempt(scan_review.confirm, survey, code_id, form.get("seen", ""), choices, reasons,
                               form.get("opinion", ""), actor=by)
        done = _("Đã lưu phiếu số %(serial)s.", serial=code.serial) if code else ""
    if errors:
        return _page(survey, scan_review.sheet(survey, code_id), 422, errors)
    flash(done, "success")
    return redirect(url_for(".scan_review_next", survey_id=survey.id), 303)


@bp.get("/surveys/<int:survey_id>/scans/image/<int:page_id>/<part>")
@roles_required(*EDITORS)
def scan_image(survey_id: int, page_id: int, part: str):
    """A scanned page or a crop of it (personal data: never cached, only in scope)."""
    survey = survey_for(survey_id, edit=True)
    found = scan_review.image(survey, page_id, part)
    if found is None:
        abort(404)
    data, content_type = found
    response = make_response(data)
    response.headers["Content-Type"] = content_type
    response.headers["Cache-Control"] = "no-store, private"
    return response

