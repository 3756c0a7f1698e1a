"""Bearer-token authentication and JSON errors of the API (never an HTML page)."""
from __future__ import annotations

from flask import g, jsonify, request

from ..i18n import _
from ..models import User
from ..services import api_tokens

#: Largest id an integer primary key holds on every supported database (PostgreSQL ``integer``).


class ApiError(Exception):
    """An error answered as ``{"error": {"status": ..., "message": ...}}``."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status, self.message, self.headers = status, message, headers or {}


def json_error(status: int, message: str, headers: dict[str, str] | None = None):
    """A JSON error response."""
    response = jsonify({"error": {"status": status, "message": message}})
    response.status_code = status
    response.headers.update(headers or {})
    response.headers["Cache-Control"] = "no-store"
    return response


def token_user() -> User:
    """The user of the request's bearer token; raise a 401 ApiError without a valid one."""
    header = request.headers.get("Authorization", "")
    scheme, _sep, token = header.partition(" ")
    if not header:
        raise ApiError(401, _("Cần mã truy cập: gửi tiêu đề Authorization: Bearer <mã>."),
                       {"WWW-Authenticate": 'Bearer realm="api"'})
    found = api_tokens.authenticate(token.strip()) if scheme.lower() == "bearer" else None
    if found is None:
        raise ApiError(401, _("Mã truy cập không hợp lệ, đã bị thu hồi hoặc tài khoản đã bị khóa."),
                       {"WWW-Authenticate": 'Bearer realm="api", error="invalid_token"'})
    g.api_user, g.api_token = found
    return found[0]
