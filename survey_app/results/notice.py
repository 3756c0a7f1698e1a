"""The public notice ("niêm yết") of published results: an A4 page for the commune office and villages.

Anyone may read it, so it shows the public copy of the results (``services.disclosure``): no rate of a
village, nor of the survey, that rests on fewer phiếu than ``SURVEY_PUBLIC_MIN_RESPONDENTS``.
"""
from __future__ import annotations

import segno
from flask import abort, current_app, render_template, url_for

from ..exports import labels
from ..extensions import db
from ..models import Survey
from ..services import snapshots
from ..services.disclosure import public_document, public_minimum
from . import bp


def public_url(survey_id: int) -> str:
    """The online address of the notice, printed under its QR code."""
    base = current_app.config["SURVEY_PUBLIC_URL"].rstrip("/")
    return base + url_for("results.notice", survey_id=survey_id)


@bp.get("/<int:survey_id>/niem-yet")
def notice(survey_id: int):
    """Show the printable public notice of a published survey (no login needed; small numbers withheld)."""
    survey = db.session.get(Survey, survey_id)
    publication = snapshots.current(survey) if survey is not None else None
    if publication is None:
        abort(404)
    document = public_document(snapshots.published_document(publication), public_minimum())
    url = public_url(survey.id)
    qr = segno.make(url, error="m").png_data_uri(scale=4, border=2)
    overall_key = (document.get("overall") or {}).get("item")
    return render_template("results/notice.html", survey=survey, document=document, labels=labels, url=url,
                           qr=qr, overall_key=overall_key, publication=publication)
