"""Layered configuration: defaults in code -> instance/config.py -> SURVEY_* environment -> test mapping."""
from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path

from flask import Flask

ENV_PREFIX = "SURVEY_"

#: Settings read from ``SURVEY_<NAME>`` environment variables, mapped to Flask config keys.
ENV_KEYS = {
    "DATABASE_URL": "SQLALCHEMY_DATABASE_URI",
    "SECRET_KEY": "SECRET_KEY",
}


class Defaults:
    """Defaults suitable for a laptop; production overrides them through the environment."""

    SECRET_KEY = "dev-only-not-secret"  # noqa: S105 - replaced in production by SURVEY_SECRET_KEY
    SQLALCHEMY_DATABASE_URI: str | None = None  # filled with an SQLite file in instance/
    #: pre-ping: a connection broken by a database restart is replaced, not handed to a request;
    #: hide_parameters: SQL errors in the logs never carry submitted values (personal data).
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True, "hide_parameters": True}
    BABEL_DEFAULT_LOCALE = "vi"
    BABEL_DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
    LANGUAGES = ("vi", "en")
    WTF_CSRF_TIME_LIMIT = None  # a resident may keep the form open for a long time
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False  # True behind TLS (SURVEY_SESSION_COOKIE_SECURE=1)
    REMEMBER_COOKIE_HTTPONLY = True
    PERMANENT_SESSION_LIFETIME = 8 * 3600
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = False  # the 429 handler sends Retry-After itself (errors.py)
    #: Look-ups of unknown codes allowed per client address; a valid code is never counted nor refused.
    SURVEY_CODE_FAILURE_LIMIT = "20 per 10 minutes"
    #: Failed logins per login name at one client address, and per address over every name (an office
    #: behind one NAT address shares the second, so it is the looser one). No limit counts one account's
    #: failures from every address: others' failures never refuse the owner's right password
    #: (services/signin.py).
    SURVEY_LOGIN_LIMIT = "10 per 5 minutes"
    SURVEY_LOGIN_ADDRESS_LIMIT = "30 per 5 minutes"
    #: Base URL printed on slips and in the CLI (the QR code points there).
    SURVEY_PUBLIC_URL = "http://127.0.0.1:5000"
    #: Extra days off (ISO dates) not counted in the 20-day survey window, besides weekends and public holidays.
    #: Only for surveys created to skip public holidays (python-holidays supplies the official ones).
    SURVEY_HOLIDAYS: tuple[str, ...] = ()
    #: Saturdays and Sundays declared working days (làm bù, ISO dates) announced after the installed
    #: python-holidays: counted in every survey window.
    SURVEY_WORKING_WEEKENDS: tuple[str, ...] = ()
    SURVEY_WINDOW_WORKING_DAYS = 20
    #: Share of spare codes issued per village on top of its household count.
    SURVEY_SPARE_SHARE = 0.05
    #: Most household codes issued by one request or one step of `flask codes issue` (a province's
    #: hundreds of thousands are issued in steps, each committed and reported).
    SURVEY_CODES_PER_REQUEST = 20_000
    SURVEY_TEMPLATES_DIR: str | None = None
    #: Key of the household codes (see docs/codes.md); default: instance/household-code.key, made once.
    SURVEY_CODE_KEY: str | None = None
    #: Older household-code keys kept after a rotation (a JSON list; docs/deploy.md, "Keys").
    SURVEY_CODE_KEY_FALLBACKS: tuple[str, ...] = ()
    #: Public outputs (the notice) give no rate or answer count resting on fewer phiếu than this (docs/privacy.md).
    SURVEY_PUBLIC_MIN_RESPONDENTS = 5
    #: Characters of rendered published-results pages kept per worker process (results/fragments.py; 0: off).
    SURVEY_PUBLISHED_PAGE_CACHE = 32_000_000
    #: Surveys whose live results (before publication) are kept per worker process, each until the next write
    #: (services/live_results.py; 0: off). A province's document and indicators take tens of MB.
    SURVEY_LIVE_RESULTS_CACHE = 4
    #: Compress pages, JSON and static files for clients that accept it (survey_app/assets.py); False sends
    #: them as they are (e.g. when something in front compresses instead).
    SURVEY_COMPRESS = True
    #: Key of the audit log's hash chain (HMAC-SHA256, docs/deploy.md); default: instance/audit-chain.key, made once.
    SURVEY_AUDIT_KEY: str | None = None
    #: Days after publication before a survey's client data (client hashes) is purged (flask privacy purge).
    SURVEY_RETENTION_DAYS = 30
    #: Number of reverse proxies in front of the app whose X-Forwarded-* headers are trusted (0: none).
    SURVEY_PROXY_FIX = 0
    #: Who reads scans sent from the console: "auto" (RQ when the rate limits are in Redis, else a thread of
    #: the web process), "rq", "thread", or "none" (only `flask paper work`). See docs/deploy.md, "Scan worker".
    SURVEY_SCAN_WORKER = "auto"
    #: Redis of the RQ scan queue; default: the rate limits' SURVEY_RATELIMIT_STORAGE_URI when that is Redis.
    SURVEY_SCAN_REDIS_URL: str | None = None
    #: Seconds after which a page claimed by a worker that stopped is claimed by another.
    SURVEY_SCAN_LEASE_SECONDS = 600
    #: Most pages one scanned file may hold.
    SURVEY_SCAN_MAX_PAGES = 1000
    #: Largest request body in MB (Flask's MAX_CONTENT_LENGTH): the files of one scan upload together.
    SURVEY_UPLOAD_MAX_MB = 200
    #: Logs: level, JSON lines (else plain text), one line per request (never IPs, codes or user agents).
    SURVEY_LOG_LEVEL = "INFO"
    SURVEY_LOG_JSON = True
    SURVEY_LOG_REQUESTS = True


def _coerce(value: str):
    """Read an environment value: JSON literals (numbers, booleans, lists) or a plain string."""
    try:
        return json.loads(value)
    except ValueError:
        return value


def load_config(app: Flask, test_config: Mapping | None) -> None:
    """Fill ``app.config`` layer by layer."""
    app.config.from_object(Defaults)
    app.config.from_pyfile("config.py", silent=True)
    for name, value in os.environ.items():
        if not name.startswith(ENV_PREFIX):
            continue
        key = name.removeprefix(ENV_PREFIX)
        if key in ENV_KEYS:
            app.config[ENV_KEYS[key]] = value
        elif key.startswith("SESSION_") or key.startswith("RATELIMIT_"):
            app.config[key] = _coerce(value)
        else:
            app.config[name] = _coerce(value)
    if test_config:
        app.config.update(test_config)
    if app.config.get("MAX_CONTENT_LENGTH") is None:
        app.config["MAX_CONTENT_LENGTH"] = int(float(app.config["SURVEY_UPLOAD_MAX_MB"]) * 1024 * 1024)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{Path(app.instance_path) / 'survey.db'}"
