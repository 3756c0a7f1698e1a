"""Handwriting on stored scanned phiếu, typed in by a person: one sheet at a time, each written crop (reason
lines, the opinion box) beside a text field; "Lưu" stores the text as a new version of the phiếu, "Không đọc
được / bỏ trống" closes the sheet without text (services/scan_transcribe.py)."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for

from ..i18n import _
from ..scope import roles_required, survey_for
from ..services import lifecycle, scan_transcribe, scans
from . import bp
from ._common import EDITORS, actor, attempt, flash_problems


def _page(survey, current, status: int = 200, errors: list[str] | None = None):
    return render_template("staff/scan_transcribe.html", survey=survey, sheet=current,
                           left=len(scan_transcribe.queue(survey)), errors=errors or [],
                           writable=lifecycle.allows(survey, lifecycle.Write.CORRECTION),
                           typed=request.form if request.method == "POST" else {}), status


@bp.get("/surveys/<int:survey_id>/scans/transcribe")
@roles_required(*EDITORS)
def scan_transcribe_next(survey_id: int):
    """The oldest stored sheet whose handwriting waits for a person (or ``?sheet=<household code id>``)."""
    survey = survey_for(survey_id, edit=True)
    wanted = request.args.get("sheet", type=int)
    current = scan_transcribe.sheet(survey, wanted) if wanted is not None else None
    if current is None:
        waiting = scan_transcribe.queue(survey)
        current = scan_transcribe.sheet(survey, waiting[0]) if waiting else None
    return _page(survey, current)


@bp.post("/surveys/<int:survey_id>/scans/transcribe/<int:code_id>")
@roles_required(*EDITORS)
def scan_transcribe_save(survey_id: int, code_id: int):
    """Store the typed text (``action=save``) or close the sheet with none (``action=unreadable``)."""
    survey = survey_for(survey_id, edit=True)
    code = scans.household_code(survey, code_id)
    if code is None:
        abort(404)
    if scan_transcribe.sheet(survey, code_id) is None:  # done meanwhile, or a second click
        flash_problems([_("Chữ viết tay của phiếu này đã được chép lại, hoặc phiếu không còn chờ chép lại.")])
        return redirect(url_for(".scan_transcribe_next", survey_id=survey.id), 303)
    form = request.form
    unreadable = form.get("action") == "unreadable"
    typed = {key: value for key, value in form.items() if key == "opinion" or key.startswith("reason-")}
    code, errors = attempt(scan_transcribe.save, survey, code_id, form.get("seen", ""), typed, actor=actor(),
                           unreadable=unreadable)
    if errors:
        return _page(survey, scan_transcribe.sheet(survey, code_id), 422, errors)
    flash(_("Đã đánh dấu phiếu số %(serial)s là không đọc được chữ viết tay.", serial=code.serial) if unreadable
          else _("Đã lưu chữ viết tay chép lại của phiếu số %(serial)s.", serial=code.serial), "success")
    return redirect(url_for(".scan_transcribe_next", survey_id=survey.id), 303)
