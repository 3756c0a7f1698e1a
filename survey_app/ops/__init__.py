"""Operations: health check, logs without personal data, proxy headers, backups, retention purge."""
from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("ops", __name__)

from . import health  # noqa: E402,F401 - routes register on import


def configure_ops(app: Flask) -> None:
    """Trust the reverse proxy's forwarded headers when told to, and install the request log."""
    from .inputs import reject_malformed_input
    from .logs import configure_logging

    hops = int(app.config.get("SURVEY_PROXY_FIX") or 0)
    if hops > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # Client address (rate limits, client hash) and scheme (HSTS, secure cookies) from the proxy.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops)  # type: ignore[method-assign]
    if app.config.get("SESSION_COOKIE_SECURE"):
        app.config.setdefault("REMEMBER_COOKIE_SECURE", True)
    app.config.setdefault("REMEMBER_COOKIE_SAMESITE", app.config.get("SESSION_COOKIE_SAMESITE", "Lax"))
    # Before every other hook (CSRF included), then the request log's timer before that.
    app.before_request_funcs.setdefault(None, []).insert(0, reject_malformed_input)
    configure_logging(app)
