"""Scanned paper phiếu in the console: send PDFs and photos, watch them being read, see what was refused."""
from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from .. import jobs
from ..errors import render_error
from ..i18n import _
from ..scope import roles_required, survey_for
from ..services.scan_progress import problem_label, progress, rejected_pages
from ..services.scan_queue import receive
from ..services.scan_transcribe import queue as transcribe_queue
from . import bp
from ._common import ALL_ROLES, EDITORS, actor, attempt, flash_problems

#: Seconds between two refreshes of the progress view while pages are being read (no JavaScript needed).
REFRESH_SECONDS = 5


@bp.errorhandler(RequestEntityTooLarge)
def too_large(error):
    """A sending larger than SURVEY_UPLOAD_MAX_MB: say the limit and what to do."""
    return render_error(413, _("Các tệp gửi cùng một lần vượt quá %(mb)s MB. Hãy gửi thành nhiều lần, mỗi lần ít "
                               "tệp hơn (ví dụ mỗi lần một xấp khoảng 100 trang).", mb=upload_limit_mb()))


def upload_limit_mb() -> str:
    """The largest sending in MB, as people read it (MAX_CONTENT_LENGTH)."""
    return f"{current_app.config['MAX_CONTENT_LENGTH'] / 1024 / 1024:g}"


@bp.get("/surveys/<int:survey_id>/scans")
@roles_required(*ALL_ROLES)
def scans(survey_id: int):
    """Send scans to be read; how many pages are waiting, read, stored, left for a person or refused."""
    survey = survey_for(survey_id)
    state = progress(survey)
    if state.busy:
        jobs.kick()  # after a restart, viewing the progress is enough to resume reading
    return render_template("staff/scans.html", survey=survey, progress=state, refresh=REFRESH_SECONDS,
                           rejected=rejected_pages(survey), problem_label=problem_label,
                           editable=current_user.role in EDITORS, to_transcribe=len(transcribe_queue(survey)),
                           max_mb=upload_limit_mb())


@bp.post("/surveys/<int:survey_id>/scans")
@roles_required(*EDITORS)
def upload_scans(survey_id: int):
    """Keep the files sent and queue their pages; the reading goes on after this answer."""
    survey = survey_for(survey_id, edit=True)
    files = [(sent.filename, sent.read()) for sent in request.files.getlist("files") if sent.filename]
    if not files:
        flash_problems([_("Hãy chọn ít nhất một tệp PDF, JPEG, PNG hoặc TIFF.")])
        return redirect(url_for(".scans", survey_id=survey.id), 303)
    received, errors = attempt(receive, survey, files, actor=actor())
    if errors:
        flash_problems(errors)
        return redirect(url_for(".scans", survey_id=survey.id), 303)
    flash_problems([item.problem for item in received if item.problem])
    pages = sum(item.pages for item in received)
    if pages:
        jobs.kick()
        flash(_("Đã nhận %(n)s trang; máy đang đọc.", n=pages), "success")
    return redirect(url_for(".scans", survey_id=survey.id), 303)
