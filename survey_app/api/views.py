"""API endpoints: the index, the OpenAPI document, the surveys in the token's scope, and a survey's results."""
from __future__ import annotations

from flask import current_app, g, jsonify, request, url_for
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound

from ..errors import RETRY_AFTER, database_unavailable, error_title, log_unavailable
from ..extensions import db
from ..i18n import _
from ..models import Survey
from ..services import audit, snapshots
from ..services.results import survey_fields
from ..services.results_model import ListedSurvey
from ..services.scope import Absent, OutOfScope, Scope
from . import bp
from .openapi import Index, Links, SurveyListing, openapi_document
from .token_auth import ApiError, json_error, token_user

ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"]


@bp.errorhandler(ApiError)
def api_error(error: ApiError):
    """Answer a deliberate API error as JSON."""
    return json_error(error.status, error.message, error.headers)


@bp.errorhandler(HTTPException)
def http_error(error: HTTPException):
    """Answer any HTTP error of the API as JSON."""
    headers = {"Allow": ", ".join(error.valid_methods)} if isinstance(error, MethodNotAllowed) else None
    custom = error.description if error.description != type(error).description else None
    return json_error(error.code or 500, custom or error_title(error.code or 500), headers)


@bp.errorhandler(Exception)
def unexpected_error(error: Exception):
    """Answer an unexpected failure as JSON, after rolling back the session; a lost database is a 503."""
    if database_unavailable(error):
        log_unavailable(error)
        return json_error(503, _("Hệ thống tạm thời bận"), {"Retry-After": RETRY_AFTER})
    db.session.rollback()
    current_app.logger.exception("API error")
    return json_error(500, _("Hệ thống đang gặp sự cố. Vui lòng thử lại sau ít phút."))


@bp.get("/")
def index():
    """Say what this API is and link its OpenAPI document and the surveys listing (no token needed)."""
    return jsonify(Index(
        description=_("API chỉ đọc về kết quả khảo sát sự hài lòng về nông thôn mới; cần mã truy cập "
                      "(Authorization: Bearer) cho mọi địa chỉ trừ trang này và mô tả OpenAPI."),
        links=Links(openapi=url_for("api.openapi", _external=True), surveys=url_for("api.surveys", _external=True)),
    ).model_dump(mode="json"))


@bp.get("/openapi.json")
def openapi():
    """Serve the OpenAPI document of this API."""
    return jsonify(openapi_document())


@bp.get("/surveys")
def surveys():
    """List the surveys in the scope of the token's user (each as the results document describes it)."""
    rows = db.session.execute(Scope.of_token(token_user()).surveys()).scalars().all()
    body = SurveyListing(surveys=[
        ListedSurvey(**survey_fields(s), results_url=url_for("api.survey_results", survey_id=s.id, _external=True))
        for s in rows
    ]).model_dump(mode="json")
    db.session.commit()  # the token's last use
    return jsonify(body)


@bp.get("/surveys/<int:survey_id>/results")
def survey_results(survey_id: int):
    """Return a survey's results document (the same as ``flask results --format json``)."""
    user = token_user()
    try:
        survey = Scope.of_token(user).find(Survey, survey_id)
    except Absent:
        raise ApiError(404, _("Không có đợt khảo sát số %(id)s.", id=survey_id)) from None
    except OutOfScope:
        raise ApiError(403, _("Đợt khảo sát này nằm ngoài phạm vi của tài khoản.")) from None
    document, _indicators, publication = snapshots.document_for(survey)
    audit.record("results.export", actor=user, survey_id=survey.id, format="api", token_id=g.api_token.id)
    db.session.commit()
    if publication is not None:  # the published bytes, as every download of them
        return current_app.response_class(snapshots.published_json(publication), mimetype="application/json")
    return jsonify(document)


@bp.route("/", defaults={"path": ""}, methods=ALL_METHODS)
@bp.route("/<path:path>", methods=ALL_METHODS)
def fallback(path: str):
    """Answer unknown addresses (404) and unsupported methods (405) of the API in JSON."""
    adapter = current_app.url_map.bind_to_environ(request.environ)
    try:
        endpoint, _args = adapter.match(method="GET")
    except HTTPException:
        endpoint = None
    if endpoint and endpoint != "api.fallback":
        allowed = sorted(next(current_app.url_map.iter_rules(endpoint)).methods or [])
        message = _("Địa chỉ này không nhận phương thức %(method)s.", method=request.method)
        raise MethodNotAllowed(valid_methods=allowed, description=message)
    raise NotFound(_("Không có địa chỉ này trong API."))
