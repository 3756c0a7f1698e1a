"""CSRF on every state change, security headers, cookie flags, proxy headers, rate limits, bound SQL."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from werkzeug.routing import IntegerConverter
from werkzeug.routing.converters import AnyConverter

from survey_app import create_app
from survey_app.config import Defaults
from survey_app.extensions import db
from survey_app.ops.checks import production_problems
from tests.production.helpers import login_as_admin

STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}
SOURCE = Path(__file__).resolve().parents[2] / "survey_app"


def _sample_url(rule) -> str:
    values = {}
    for name, converter in rule._converters.items():
        if isinstance(converter, IntegerConverter):
            values[name] = 1
        elif isinstance(converter, AnyConverter):
            values[name] = sorted(converter.items)[0] if hasattr(converter, "items") else "open"
        else:
            values[name] = "x"
    return rule.build(values, append_unknown=False)[1]


def _state_changing_rules(app):
    return [rule for rule in app.url_map.iter_rules()
            if rule.methods & STATE_CHANGING and not rule.rule.startswith("/api/")]


def test_every_state_changing_route_refuses_a_request_without_csrf_token(app, client, open_survey):
    login_as_admin(app, client)
    rules = _state_changing_rules(app)
    assert any(rule.endpoint == "respond.phieu" for rule in rules)
    _, issued = open_survey
    for rule in rules:
        # A real household code: a code that matches nothing is refused before any token matters.
        url = f"/s/{issued[0].display}" if rule.endpoint == "respond.phieu" else _sample_url(rule)
        for method in sorted(rule.methods & STATE_CHANGING):
            answer = client.open(url, method=method, data={"anything": "1"})
            assert answer.status_code == 400, f"{method} {rule.rule} answered {answer.status_code}"


def test_a_stale_csrf_token_is_refused_in_vietnamese(app, client, open_survey):
    _, issued = open_survey
    login_as_admin(app, client)
    page = client.post("/staff/password", data={"csrf_token": "forged.token.value"})
    assert page.status_code == 400 and "tải lại trang" in page.get_data(as_text=True)
    phieu = client.post(f"/s/{issued[0].display}", data={"csrf_token": "forged.token.value"})
    assert phieu.status_code == 400 and "Phiếu chưa được gửi" in phieu.get_data(as_text=True)


PAGES = ("/", "/healthz", "/khong-co-trang-nay")


@pytest.mark.parametrize("path", PAGES)
def test_security_headers_on_every_kind_of_page(client, path):
    page = client.get(path)
    csp = page.headers["Content-Security-Policy"]
    directives = dict((d.strip().split(" ", 1) + [""])[:2] for d in csp.split(";") if d.strip())
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    assert directives["script-src"] == "'self'" and directives["default-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert page.headers["X-Frame-Options"] == "DENY"
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert "Strict-Transport-Security" not in page.headers  # plain HTTP: no HSTS


def test_resident_pages_have_no_inline_script_or_handler(client, open_survey):
    _, issued = open_survey
    for path in ("/", f"/s/{issued[0].display}"):
        html = client.get(path).get_data(as_text=True)
        assert "<script" not in html or re.search(r"<script[^>]*\bsrc=", html)
        assert not re.search(r"\son[a-z]+\s*=", html), "inline event handler"
        assert "javascript:" not in html


def test_hsts_behind_tls(client):
    page = client.get("/healthz", base_url="https://survey.test")
    assert page.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def _sibling(app, **config):
    """Another app on the same (already created) database, with extra settings."""
    base = {key: app.config[key] for key in ("TESTING", "SECRET_KEY", "SURVEY_CODE_KEY",
                                             "SQLALCHEMY_DATABASE_URI", "SURVEY_PUBLIC_URL")}
    return create_app(base | {"RATELIMIT_STORAGE_URI": "memory://"} | config)


def test_behind_the_proxy_forwarded_scheme_and_address_are_trusted_only_when_configured(app):
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "198.51.100.9"}
    plain = app.test_client().get("/healthz", headers=forwarded)
    assert "Strict-Transport-Security" not in plain.headers
    proxied_app = _sibling(app, SURVEY_PROXY_FIX=1)
    try:
        proxied = proxied_app.test_client().get("/healthz", headers=forwarded)
        assert proxied.headers["Strict-Transport-Security"].startswith("max-age=")
    finally:
        with proxied_app.app_context():
            db.engine.dispose()


def test_failed_code_guesses_are_limited_per_forwarded_client(app, open_survey):
    proxied_app = _sibling(app, SURVEY_PROXY_FIX=1, SURVEY_CODE_FAILURE_LIMIT="3 per minute")
    try:
        client = proxied_app.test_client()
        guess = {"X-Forwarded-For": "198.51.100.1"}
        statuses = [client.get("/?code=AAAA-AAAA-AA", headers=guess).status_code for _ in range(4)]
        assert statuses == [404, 404, 404, 429]
        page = client.get("/?code=AAAA-AAAA-AA", headers=guess)
        assert page.status_code == 429 and "quá nhiều lần nhập mã không đúng" in page.get_data(as_text=True)
        # Another household behind the same proxy is not blocked by its neighbour's typos.
        other = client.get("/?code=AAAA-AAAA-AA", headers={"X-Forwarded-For": "198.51.100.2"})
        assert other.status_code == 404
    finally:
        with proxied_app.app_context():
            db.engine.dispose()


def test_session_cookie_is_secure_httponly_and_samesite_when_configured(app, open_survey):
    _, issued = open_survey
    app.config["SESSION_COOKIE_SECURE"] = True
    page = app.test_client().get(f"/s/{issued[0].display}", base_url="https://survey.test")
    cookie = next(c for c in page.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_cookie_flags_come_from_the_environment(app, monkeypatch):
    monkeypatch.setenv("SURVEY_SESSION_COOKIE_SECURE", "1")
    monkeypatch.setenv("SURVEY_PROXY_FIX", "1")
    configured = _sibling(app)
    try:
        assert configured.config["SESSION_COOKIE_SECURE"]
        assert configured.config["REMEMBER_COOKIE_SECURE"] is True
        assert configured.config["SESSION_COOKIE_HTTPONLY"] is True
        assert configured.config["REMEMBER_COOKIE_HTTPONLY"] is True
        assert configured.config["SURVEY_PROXY_FIX"] == 1
    finally:
        with configured.app_context():
            db.engine.dispose()


def test_a_worker_refuses_to_serve_with_the_development_secret():
    fatal, _ = production_problems({"SECRET_KEY": Defaults.SECRET_KEY})
    assert fatal
    fatal, warnings = production_problems({"SECRET_KEY": "k" * 64, "RATELIMIT_STORAGE_URI": "memory://",
                                           "SQLALCHEMY_DATABASE_URI": "postgresql://db/survey"}, workers=4)
    assert not fatal and any("redis://" in w for w in warnings)


#: SQL built by string formatting: an f-string or %/format inside text()/execute(), or an f-string that
#: holds an SQL statement.
SQL_BY_FORMATTING = (
    re.compile(r"\b(?:text|execute|exec_driver_sql)\(\s*f[\"']"),
    re.compile(r"\b(?:text|execute|exec_driver_sql)\(\s*[\"'][^\"']*[\"']\s*(?:%|\.format\()"),
    re.compile(r"\bf[\"'][^\"']*\b(?:SELECT\s|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|DROP\s|ALTER\s)"),
    re.compile(r"[\"'][^\"']*\b(?:SELECT\s|INSERT\s+INTO|DELETE\s+FROM)[^\"']*[\"']\s*(?:%\s*[(\w]|\.format\()"),
    re.compile(r"\bexec_driver_sql\("),
)


def test_all_sql_goes_through_the_orm_or_bound_parameters():
    offenders = []
    files = [p for p in SOURCE.rglob("*.py") if "migrations" not in p.parts]
    assert len(files) > 30
    for path in files:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if any(pattern.search(line) for pattern in SQL_BY_FORMATTING):
                offenders.append(f"{path.relative_to(SOURCE.parent)}:{number}: {line.strip()}")
    assert not offenders, "SQL built from strings:\n" + "\n".join(offenders)
