"""The machine-readable paper phiếu of a village (or all villages), as PDF to print."""
from __future__ import annotations

from flask import abort, redirect, request, url_for

from ..extensions import db
from ..scope import roles_required, survey_for
from ..services.paper_forms import print_forms
from ..services.slips import SlipError
from . import bp
from ._common import EDITORS, actor, flash_problems
from .codes import _download


@bp.get("/surveys/<int:survey_id>/paper-forms.pdf")
@roles_required(*EDITORS)
def paper_forms_pdf(survey_id: int):
    """One A4 phiếu per unused household code: of the village ``?village=<frame id>``, or of all villages."""
    survey = survey_for(survey_id, edit=True)
    village = request.args.get("village", type=int)
    if "village" in request.args and village not in {frame.id for frame in survey.frame}:
        abort(404)
    try:
        data, _count = print_forms(survey, frame_village_id=village, actor=actor())
    except SlipError as exc:
        flash_problems([str(exc)])
        return redirect(url_for(".codes", survey_id=survey.id))
    db.session.commit()
    suffix = f"-thon-{village}" if village is not None else ""
    return _download(data, "application/pdf", f"phieu-giay-dot-{survey.id}{suffix}.pdf")
