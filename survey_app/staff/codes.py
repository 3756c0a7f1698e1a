"""Household codes: issue, download (CSV, A4 slips PDF), void a lost slip and print its replacement."""
from __future__ import annotations

from decimal import Decimal

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for

from ..exports.codes_csv import codes_csv as render_codes_csv
from ..formatting import number as format_number
from ..i18n import _
from ..models._types import MAX_ID
from ..scope import may_change, roles_required, survey_for
from ..services import issuing, lifecycle
from ..services.collection_progress import survey_coverage
from ..services.slips import SlipError, render_slips_pdf
from ..web import local_public_url
from . import bp
from ._common import ALL_ROLES, EDITORS, actor, attempt, field_errors, flash_problems
from .forms import IssueForm, VoidForm


@bp.get("/surveys/<int:survey_id>/codes")
@roles_required(*ALL_ROLES)
def codes(survey_id: int):
    """Show codes per village and, to staff, the issue, download and void forms."""
    survey = survey_for(survey_id)
    share = Decimal(str(current_app.config["SURVEY_SPARE_SHARE"])) * 100
    share = share.quantize(Decimal(1)) if share == share.to_integral() else share.normalize()
    public_url = current_app.config["SURVEY_PUBLIC_URL"]
    return render_template("staff/codes.html", survey=survey, coverage=survey_coverage(survey),
                           local_address=public_url if local_public_url(public_url) else None,
                           editable=may_change(survey), issue_form=IssueForm(spare_percent=share),
                           void_form=VoidForm(),
                           can_issue=lifecycle.allows(survey, lifecycle.Write.ISSUE_CODES),
                           remaining=sum(n for _frame, n in issuing.codes_wanted(survey, float(share) / 100)),
                           replacement=request.args.get("replacement", type=int))


@bp.post("/surveys/<int:survey_id>/codes/issue")
@roles_required(*EDITORS)
def issue(survey_id: int):
    """Issue codes up to each village's household count plus the spare share."""
    survey = survey_for(survey_id, edit=True)
    form = IssueForm()
    if not form.validate_on_submit():
        return _to_codes(survey, [_("Tỷ lệ phiếu dự phòng phải là một số từ 0 đến 100.")])
    share = float(form.spare_percent.data) / 100
    issued, errors = attempt(issuing.issue_codes, survey, spare_share=share,
                             actor=actor())
    remaining = sum(n for _frame, n in issuing.codes_wanted(survey, share)) if issued else 0
    if errors:
        flash_problems(errors)
    elif issued and remaining:
        flash(_("Đã phát %(n)s mã mới (phiếu số %(first)s đến %(last)s); còn %(left)s mã chưa phát: bấm “Phát mã” "
                "lần nữa để phát tiếp.", n=format_number(len(issued)), first=issued[0].serial,
                last=issued[-1].serial, left=format_number(remaining)), "info")
    elif issued:
        flash(_("Đã phát %(n)s mã mới (phiếu số %(first)s đến %(last)s). Hãy tải tệp PDF để in.",
                n=format_number(len(issued)), first=issued[0].serial, last=issued[-1].serial), "success")
    else:
        flash(_("Mọi thôn đã đủ mã; không phát thêm."), "info")
    return _to_codes(survey)


@bp.post("/surveys/<int:survey_id>/codes/void")
@roles_required(*EDITORS)
def void(survey_id: int):
    """Void a lost slip and issue its replacement for the same village."""
    survey = survey_for(survey_id, edit=True)
    form = VoidForm()
    if not form.validate_on_submit():
        return _to_codes(survey, field_errors(form) or [_("Hãy nhập số phiếu bị mất và lý do.")])
    replacement, errors = attempt(issuing.void_and_replace, survey, form.serial.data,
                                  reason=form.reason.data.strip(), actor=actor())
    if errors:
        return _to_codes(survey, errors)
    flash(_("Đã hủy phiếu số %(old)s; phiếu thay thế số %(new)s của %(village)s.", old=form.serial.data,
            new=replacement.serial, village=replacement.village_name), "success")
    return _to_codes(survey, replacement=replacement.serial)


def _to_codes(survey, problems: list[str] | None = None, **args) -> Response:
    """Back to the survey's codes page (``args``: its query), showing ``problems`` first."""
    if problems:
        flash_problems(problems)
    return redirect(url_for(".codes", survey_id=survey.id, **args))


def _selected(survey) -> tuple[list, dict]:
    """The usable slips asked for: all, one village (?village=frame id) or one serial (?serial=N); 404 for
    a selection that names nothing, rather than a silent file of every slip or of none."""
    chosen: dict = {}
    village = request.args.get("village", type=int)
    serial = request.args.get("serial", type=int)
    if (village is None and "village" in request.args) or (serial is None and "serial" in request.args):
        abort(404)
    if village is not None:
        codes_of = {f.id: f.village.code for f in survey.frame}
        if village not in codes_of:
            abort(404)
        chosen["village"] = codes_of[village]
    if serial is not None:
        if not 0 < serial <= MAX_ID:
            abort(404)
        chosen["serial"] = serial
    slips = issuing.reprint(survey, frame_village_id=village, serials={serial} if serial is not None else None)
    if serial is not None and not slips:
        abort(404)
    return slips, chosen


def _download(data: bytes, content_type: str, name: str) -> Response:
    response = Response(data, content_type=content_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"  # the file holds live household codes
    return response


@bp.get("/surveys/<int:survey_id>/codes.csv")
@roles_required(*EDITORS)
def codes_csv(survey_id: int):
    """Download the usable codes as CSV (village_code, village_name, serial, code, url)."""
    survey = survey_for(survey_id, edit=True)
    slips, chosen = _selected(survey)
    data = render_codes_csv(slips)
    attempt(issuing.record_export, survey, "csv", len(slips), chosen, actor=actor())
    return _download(data, "text/csv; charset=utf-8", f"ma-ho-dot-{survey.id}.csv")


@bp.get("/surveys/<int:survey_id>/slips.pdf")
@roles_required(*EDITORS)
def slips_pdf(survey_id: int):
    """Download the usable codes as an A4 sheet of cut-out slips."""
    survey = survey_for(survey_id, edit=True)
    slips, chosen = _selected(survey)
    try:
        data = render_slips_pdf(slips, deadline=survey.end_date)
    except SlipError as exc:
        return _to_codes(survey, [str(exc)])
    attempt(issuing.record_export, survey, "pdf", len(slips), chosen, actor=actor())
    suffix = "".join(f"-{key}-{value}" for key, value in chosen.items())
    return _download(data, "application/pdf", f"phieu-ma-ho-dot-{survey.id}{suffix}.pdf")
