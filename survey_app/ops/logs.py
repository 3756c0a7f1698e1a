"""Structured JSON logs without personal data: no client address, user agent, household code or path.

Each request is logged once with a request id, the method, the route *rule* (``/s/<code_text>``, never
the code itself), the status and the duration. Messages from elsewhere (Flask's "Exception on /s/...",
libraries) go through the same formatter, which blanks paths after ``/s/`` and ``/bien-nhan/``, anything
shaped like a household code or receipt, and IP addresses: a second line of defence, not the first.
"""
from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from datetime import UTC, datetime

from flask import Flask, g, request

REQUEST_LOGGER = "survey_app.request"
_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
_REDACTIONS = (
    # The resident's path segments: household code and receipt number.
    (re.compile(r"(/s/|/bien-nhan/)[^\s/?\"'\]\[]+"), r"\1<redacted>"),
    # Anything shaped like a grouped code (K7PX-3MQD-9T) or a receipt (7KQ4-M2XD).
    (re.compile(r"\b[0-9A-Z]{4}-[0-9A-Z]{4}(?:-[0-9A-Z]{2})?\b"), "<redacted>"),
    # A bare canonical code (10 symbols of the code alphabet).
    (re.compile(r"\b[2-9A-HJKMNP-Z]{10}\b"), "<redacted>"),
    # IPv4 and IPv6 addresses.
    (re.compile(r"\b(?:\d{1,3}\.){3}\d{1,3}\b"), "<ip>"),
    (re.compile(r"(?<![\w:])(?:(?:[0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]{1,4}"
                r"|(?:[0-9A-Fa-f]{1,4}:){0,6}[0-9A-Fa-f]{0,4}::(?:[0-9A-Fa-f]{1,4}:){0,6}[0-9A-Fa-f]{0,4})(?![\w:])"),
     "<ip>"),
)


def redact(text: str) -> str:
    """Blank household codes, receipts, resident paths and IP addresses in a log text."""
    for pattern, replacement in _REDACTIONS:
        text = pattern.sub(replacement, text)
    return text


class JsonFormatter(logging.Formatter):
    """One JSON object per line; extra fields given as ``extra={"fields": {...}}`` are merged in."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": redact(record.getMessage()),
        }
        entry.update(getattr(record, "fields", {}))
        if record.exc_info:
            entry["exc"] = redact(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False, default=str)


class _StderrHandler(logging.StreamHandler):
    """Write to whatever ``sys.stderr`` is at the time (test runners swap it)."""

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value) -> None:
        pass


def _handler(app: Flask) -> logging.Handler:
    handler = _StderrHandler()
    handler.set_name("survey_app.json")
    if app.config.get("SURVEY_LOG_JSON", True):
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    return handler


def configure_logging(app: Flask) -> None:
    """Send the app's logs to stderr (JSON by default) and log each request without personal data."""
    from flask.logging import default_handler

    logger = app.logger
    logger.removeHandler(default_handler)
    if not any(h.get_name() == "survey_app.json" for h in logger.handlers):
        logger.addHandler(_handler(app))
    logger.setLevel(app.config.get("SURVEY_LOG_LEVEL", "INFO"))
    if app.config.get("SURVEY_LOG_REQUESTS", True):
        # First of all before-request hooks, so that even a rate-limited request is timed.
        app.before_request_funcs.setdefault(None, []).insert(0, _start_request)
        app.after_request(_log_request)


def _start_request() -> None:
    incoming = request.headers.get("X-Request-ID", "")
    g.request_id = incoming if _REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
    g.request_started = time.perf_counter()


def _log_request(response):
    started = g.get("request_started")
    request_id = g.get("request_id") or uuid.uuid4().hex
    response.headers["X-Request-ID"] = request_id
    fields = {
        "request_id": request_id,
        "method": request.method,
        "route": request.url_rule.rule if request.url_rule is not None else None,
        "status": response.status_code,
        "duration_ms": round((time.perf_counter() - started) * 1000, 2) if started else None,
    }
    logging.getLogger(REQUEST_LOGGER).info("request", extra={"fields": fields})
    return response
