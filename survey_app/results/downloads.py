"""Downloads of a survey's results; every download is recorded in the audit log."""
from __future__ import annotations

from functools import partial

from flask import Response, abort, request, stream_with_context
from flask_babel import get_locale
from flask_login import current_user, login_required

from ..exports import (
    BundleJob,
    prepare_raw,
    raw_chunks,
    render_csv,
    render_pdf,
    render_xlsx,
    sha256,
    stream_bundle,
    to_json,
)
from ..extensions import db
from ..models import User
from ..scope import survey_for
from ..services import audit, snapshots
from ..services.opinions import opinion_rows, summarise
from . import bp

#: Full Content-Type of each format, sent as is (``content_type=``): passing a type that already names its
#: charset as ``mimetype=`` would make Werkzeug append a second "; charset=utf-8".
MEDIA_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "pdf": "application/pdf",
    "json": "application/json",
    "raw": "text/csv; charset=utf-8",
    "bundle": "application/zip",
}
FILE_NAMES = {"xlsx": "ket-qua-{id}.xlsx", "csv": "ket-qua-{id}.csv", "pdf": "bao-cao-{id}.pdf",
              "json": "ket-qua-{id}.json", "raw": "phieu-tra-loi-{id}.csv",
              "bundle": "ho-so-ket-qua-{id}.zip"}


def _headers(response: Response, fmt: str, survey_id: int) -> Response:
    """Send as a named attachment that no cache keeps."""
    response.headers["Content-Disposition"] = f'attachment; filename="{FILE_NAMES[fmt].format(id=survey_id)}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/<int:survey_id>/tai-ve/<fmt>")
@login_required
def download(survey_id: int, fmt: str):
    """Send one export of a survey's results and record it in the audit log."""
    if fmt not in MEDIA_TYPES:
        abort(404)
    survey = survey_for(survey_id)
    if fmt == "raw":  # streamed from the phiếu: no results document needed
        return _raw(survey, snapshots.as_of(survey, _asked(survey)))
    document, indicators, publication = _chosen(survey)
    as_of = snapshots.as_of(survey, publication)
    if fmt == "bundle":
        return _bundle(survey, document, indicators, publication, as_of)
    digest = None
    if fmt == "json" and publication:  # read and hashed once per process: constant time at any size
        data, digest = snapshots.published_download(publication)
    elif fmt == "json":
        data = to_json(document)
    elif fmt == "csv":
        data = render_csv(document)
    elif fmt == "xlsx":
        data = render_xlsx(document, opinion_rows(survey.id, as_of))
    else:
        data = render_pdf(document, summarise(survey.id, as_of=as_of), indicators)
    audit.record("results.export", actor=current_user, survey_id=survey.id, format=fmt,
                 sha256=digest or sha256(data), bytes=len(data),
                 **({"version": publication.version} if publication else {}))
    db.session.commit()
    return _headers(Response(data, content_type=MEDIA_TYPES[fmt]), fmt, survey.id)


def _raw(survey, as_of):
    """Stream the raw responses: recorded first, then sent in chunks in constant memory."""
    export = prepare_raw(survey, as_of)
    audit.record("results.export", actor=current_user, survey_id=survey.id, format="raw")
    db.session.commit()
    response = Response(stream_with_context(raw_chunks(export)), content_type=MEDIA_TYPES["raw"])
    return _headers(response, "raw", export.survey_id)


def _asked(survey):
    """The publication asked for (``?phien-ban=N``, 404 if there is none), else the current one, else None."""
    asked = request.args.get("phien-ban", type=int)
    if asked is None:
        return snapshots.current(survey)
    publication = next((p for p in snapshots.versions(survey) if p.version == asked), None)
    if publication is None:
        abort(404)
    return publication


def _chosen(survey):
    """The results asked for: a published version, else the live results of a survey not published yet."""
    publication = _asked(survey)
    if publication is None:
        return snapshots.document_for(survey)
    document = snapshots.published_document(publication)
    return document, snapshots.indicators_of(document), publication


def _bundle(survey, document: dict, indicators, publication, as_of):
    """Every export in one streamed ZIP with its manifest; the manifest's hash is audited at the end."""
    job = BundleJob(survey.id, document, tuple(indicators), prepare_raw(survey, as_of), str(get_locale()),
                    partial(opinion_rows, survey.id, as_of), partial(summarise, survey.id, as_of=as_of),
                    snapshots.published_json(publication) if publication else None)
    audit.record("results.export", actor=current_user, survey_id=survey.id, format="bundle")
    db.session.commit()
    user_id, username = current_user.id, current_user.username  # the request's User is detached by then

    def record_manifest(manifest: bytes, files: dict[str, str]) -> None:
        """The finished ZIP's manifest and files, in the audit log (its own unit of work, at the stream's end)."""
        audit.record("results.manifest", actor=db.session.get(User, user_id), actor_name=username,
                     survey_id=job.survey_id, manifest_sha256=sha256(manifest), files=files)
        db.session.commit()

    response = Response(stream_with_context(stream_bundle(job, record_manifest)), content_type=MEDIA_TYPES["bundle"])
    return _headers(response, "bundle", job.survey_id)
