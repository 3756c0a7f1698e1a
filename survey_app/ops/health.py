"""``/healthz``: is this app server up and can it reach its database? No personal data, no versions."""
from __future__ import annotations

from flask import current_app, jsonify
from sqlalchemy import text

from ..extensions import db
from . import bp


@bp.get("/healthz")
def healthz():
    """Answer 200 when the database answers ``SELECT 1``, else 503; both as JSON."""
    try:
        db.session.execute(text("SELECT 1")).scalar_one()
    except Exception:  # noqa: BLE001 - any failure means "not healthy"; the log has the details
        db.session.rollback()
        current_app.logger.warning("health check: database unavailable", exc_info=True)
        response = jsonify(status="error", database="unavailable")
        response.status_code = 503
    else:
        response = jsonify(status="ok", database="ok")
    response.headers["Cache-Control"] = "no-store"
    return response
