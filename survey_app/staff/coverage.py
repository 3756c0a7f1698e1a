"""Live coverage of a survey per village, readable on a phone."""
from __future__ import annotations

from flask import render_template

from ..exports.labels import count_label
from ..scope import roles_required, survey_for
from ..services.collection_progress import survey_coverage
from . import bp
from ._common import ALL_ROLES


@bp.get("/surveys/<int:survey_id>/coverage")
@roles_required(*ALL_ROLES)
def coverage(survey_id: int):
    """Show households, codes, answers by channel and coverage against the quorum, per village and total."""
    survey = survey_for(survey_id)
    return render_template("staff/coverage.html", survey=survey, coverage=survey_coverage(survey),
                           count_label=count_label)
