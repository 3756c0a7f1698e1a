"""The public notice ("niêm yết") of published results: one A4 page for the commune office and villages.

Anyone may read it, so it shows the public copy of the results (``services.disclosure``): no rate of a
village, nor of the survey, that rests on fewer phiếu than ``SURVEY_PUBLIC_MIN_RESPONDENTS``. It is served
from the current publication snapshot, names its version and SHA-256 prefix (and, for a republication,
why), and leads residents to the receipt check (its QR code) and to the receipt fingerprints each village's
count rests on (a CSV per village, or of all).

Fingerprints are offered for every village, withheld ones included: a fingerprint says that a household
answered, never how, and the number of phiếu a village returned is public anyway (docs/privacy.md).
"""
from __future__ import annotations

import segno
from flask import Response, abort, current_app, render_template, request, url_for

from ..exports import labels
from ..exports.fingerprints import fingerprints_csv
from ..exports.tables import item_names, not_answered
from ..extensions import db
from ..models import Survey, SurveyStatus
from ..services import snapshots
from ..services.disclosure import public_version
from ..services.receipts import HASH_PREFIX
from . import bp, fragments

#: Words naming a unit's type, left out of the place name of the date line ("Bình Sơn, ngày …").
UNIT_TYPES = ("Thành phố ", "Thị trấn ", "Thị xã ", "Đặc khu ", "Phường ", "Tỉnh ", "Huyện ", "Xã ")


def public_url(endpoint: str, **values) -> str:
    """The online address of a public page, as printed on paper (``SURVEY_PUBLIC_URL``)."""
    base = current_app.config["SURVEY_PUBLIC_URL"].rstrip("/")
    return base + url_for(endpoint, **values)


def place_name(unit_name: str) -> str:
    """The place of the date line: the unit's name without its type (``Xã Bình Sơn`` → ``Bình Sơn``)."""
    for prefix in UNIT_TYPES:
        if unit_name.lower().startswith(prefix.lower()) and len(unit_name) > len(prefix):
            return unit_name[len(prefix):]
    return unit_name


def _published(survey_id: int):
    """The survey and the publication asked for (``?phien-ban=N``, else the current one), or 404."""
    survey = db.session.get(Survey, survey_id)
    versions = snapshots.versions(survey) if survey is not None else []
    asked = request.args.get("phien-ban", type=int)
    publication = next((p for p in versions if asked is None or p.version == asked), None)
    if publication is None:
        abort(404)
    return survey, publication, versions


@bp.get("/<int:survey_id>/niem-yet")
def notice(survey_id: int):
    """Show the printable public notice of a published survey (no login needed; small numbers withheld).

    The sheet is rendered once per publication, later versions and survey state (``fragments``)."""
    survey, publication, versions = _published(survey_id)
    current = versions[0]
    correcting = publication == current and survey.status is not SurveyStatus.PUBLISHED

    def render() -> str:
        document = public_version(publication, versions)
        check_url = public_url("respond.receipt_check")
        return render_template(
            "results/_notice_sheet.html", survey=survey, document=document, labels=labels,
            qr=segno.make(check_url, error="m").png_data_uri(scale=4, border=2),
            overall_key=(document.get("overall") or {}).get("item"), items=item_names(document),
            not_answered=not_answered, publication=publication, current=current,
            hash_prefix=publication.sha256[:HASH_PREFIX], url=public_url("results.notice", survey_id=survey.id),
            check_url=check_url, place=place_name(document["survey"].get("unit_name") or ""), correcting=correcting)

    config = current_app.config
    sheet = fragments.rendered(("notice", survey.id, survey.title, survey.start_date, survey.end_date, correcting,
                                publication.id, tuple(p.id for p in versions), config["SURVEY_PUBLIC_URL"],
                                config["SURVEY_PUBLIC_MIN_RESPONDENTS"]), render)
    return render_template("results/notice.html", survey=survey, sheet=sheet)


@bp.get("/<int:survey_id>/niem-yet/dau-bien-nhan.csv")
def fingerprints(survey_id: int):
    """The receipt fingerprints of a publication as CSV: of one village (``?xa=&thon=``) or of all."""
    survey, publication, _versions = _published(survey_id)
    villages = snapshots.published_document(publication)["villages"]
    commune, village = request.args.get("xa"), request.args.get("thon")
    if village is not None:
        villages = [v for v in villages if v["code"] == village and commune in (None, v["commune_code"])]
        if not villages:
            abort(404)
    data = fingerprints_csv(villages, snapshots.fingerprints(publication))
    name = f"dau-bien-nhan-{survey.id}-v{publication.version}" + (f"-{villages[0]['code']}" if village else "")
    return Response(data, content_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="{_safe_file_name(name)}.csv"',
        "Cache-Control": "public, max-age=300"})


def _safe_file_name(name: str) -> str:
    """A file name of ASCII letters, digits and dashes (village codes are typed by people)."""
    return "".join(ch if ch.isascii() and (ch.isalnum() or ch == "-") else "-" for ch in name)
