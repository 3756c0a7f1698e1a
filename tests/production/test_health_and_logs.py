"""Health endpoint and structured request logs without personal data."""
from __future__ import annotations

import json

import pytest
from sqlalchemy.exc import OperationalError

from survey_app.extensions import db
from survey_app.ops.logs import redact


def test_healthz_answers_json_from_the_database(client):
    page = client.get("/healthz")
    assert page.status_code == 200
    assert page.json == {"status": "ok", "database": "ok"}
    assert page.headers["Cache-Control"] == "no-store"


def test_healthz_answers_503_when_the_database_is_down(app, client, monkeypatch):
    def broken(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(db.session, "execute", broken)
    page = client.get("/healthz")
    assert page.status_code == 503
    assert page.json == {"status": "error", "database": "unavailable"}


def test_each_request_is_logged_once_with_its_route_rule_not_its_path(client, open_survey, app_log):
    _, issued = open_survey
    code = issued[0].display
    page = client.get(f"/s/{code}", headers={"X-Request-ID": "req-123"},
                      environ_base={"REMOTE_ADDR": "198.51.100.23"})
    assert page.status_code == 200 and page.headers["X-Request-ID"] == "req-123"
    lines = [json.loads(line) for line in app_log.getvalue().splitlines()]
    requests = [line for line in lines if line["logger"] == "survey_app.request"]
    assert len(requests) == 1
    entry = requests[0]
    assert entry["request_id"] == "req-123" and entry["method"] == "GET" and entry["status"] == 200
    assert entry["route"] == "/s/<code_text>" and entry["duration_ms"] >= 0
    text = app_log.getvalue()
    assert code not in text and issued[0].code not in text and "198.51.100.23" not in text


def test_a_bad_request_id_is_replaced(client):
    page = client.get("/healthz", headers={"X-Request-ID": "x" * 100 + "<script>"})
    assert page.headers["X-Request-ID"] != "x" * 100 + "<script>"
    assert len(page.headers["X-Request-ID"]) == 32


def test_an_exception_on_a_resident_page_is_logged_without_the_code(app, client, open_survey, app_log,
                                                                    monkeypatch):
    _, issued = open_survey
    from survey_app.respond import views

    def explode(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(views, "_render_phieu", explode)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    page = client.get(f"/s/{issued[0].display}")
    assert page.status_code == 500
    text = app_log.getvalue()
    assert "boom" in text and "/s/<redacted>" in text
    assert issued[0].display not in text and issued[0].code not in text


def _lost(orig, invalidated=False):
    def fail(*args, **kwargs):
        raise OperationalError("SELECT …", {}, orig, connection_invalidated=invalidated)
    return fail


def _driver_errors():
    import psycopg

    return psycopg, psycopg.errors


@pytest.mark.parametrize(("kind", "invalidated"), [("no connection", False), ("no connection", True),
                                                   ("admin shutdown", False), ("connection failure", False)])
def test_a_lost_database_connection_is_a_503_to_retry_not_a_500(app, client, open_survey, monkeypatch, kind,
                                                                 invalidated):
    """During a database restart the resident is told to try again shortly; nothing is recorded."""
    _, issued = open_survey
    psycopg, errors = _driver_errors()
    orig = {"no connection": psycopg.OperationalError("server closed the connection unexpectedly"),
            "admin shutdown": errors.AdminShutdown("terminating connection due to administrator command"),
            "connection failure": errors.ConnectionFailure("connection failure")}[kind]
    from survey_app.respond import views

    monkeypatch.setattr(views, "find_code_and_survey", _lost(orig, invalidated))
    app.config["PROPAGATE_EXCEPTIONS"] = False
    page = client.get(f"/s/{issued[0].display}")
    assert page.status_code == 503 and page.headers["Retry-After"] == "5"
    assert "Vui lòng thử lại sau ít giây" in page.get_data(as_text=True)


@pytest.mark.parametrize("kind", ["statement timeout", "deadlock", "disk full"])
def test_a_statement_that_fails_stays_a_500(app, client, open_survey, monkeypatch, kind):
    _, issued = open_survey
    _psycopg, errors = _driver_errors()
    orig = {"statement timeout": errors.QueryCanceled("canceling statement due to statement timeout"),
            "deadlock": errors.DeadlockDetected("deadlock detected"),
            "disk full": errors.DiskFull("could not extend file")}[kind]
    from survey_app.respond import views

    monkeypatch.setattr(views, "find_code_and_survey", _lost(orig))
    app.config["PROPAGATE_EXCEPTIONS"] = False
    assert client.get(f"/s/{issued[0].display}").status_code == 500


def test_the_api_answers_503_json_when_the_database_is_lost(app, client, monkeypatch):
    psycopg, _errors = _driver_errors()
    from survey_app.api import views

    monkeypatch.setattr(views, "token_user", object)  # any user: the database fails before scope matters
    monkeypatch.setattr(views.Scope, "surveys", _lost(psycopg.OperationalError("connection refused")))
    app.config["PROPAGATE_EXCEPTIONS"] = False
    answer = client.get("/api/v1/surveys")
    assert answer.status_code == 503 and answer.headers["Retry-After"] == "5"
    assert answer.json["error"]["status"] == 503


def test_redaction_of_codes_receipts_paths_and_addresses():
    text = redact("GET /s/k7px-3mqd-9t from 192.0.2.1 and 2001:db8::1, K7PX3MQD9T, receipt 7KQ4-M2XD")
    assert text == "GET /s/<redacted> from <ip> and <ip>, <redacted>, receipt <redacted>"
    assert redact("at 12:34:56 nothing personal") == "at 12:34:56 nothing personal"


def test_gunicorn_error_log_is_redacted_too():
    import logging
    import sys

    from gunicorn.config import Config

    from survey_app.ops.gunicorn_logging import RedactFilter, RedactingLogger

    config = Config()
    config.set("errorlog", "-")
    logger = RedactingLogger(config)
    assert all(any(isinstance(f, RedactFilter) for f in h.filters) for h in logger.error_log.handlers)
    try:
        raise RuntimeError("while handling /s/K7PX-3MQD-9T from 192.0.2.7")
    except RuntimeError:
        record = logging.LogRecord("gunicorn.error", logging.ERROR, __file__, 1, "Error handling request %s",
                                   ("/s/K7PX-3MQD-9T",), sys.exc_info())
    RedactFilter().filter(record)
    assert record.getMessage() == "Error handling request /s/<redacted>"
    assert "K7PX" not in record.exc_text and "192.0.2.7" not in record.exc_text


def test_a_submit_whose_commit_is_lost_stores_nothing_and_the_retry_gets_a_receipt(app, client, open_survey,
                                                                                    monkeypatch):
    from sqlalchemy import func, select

    from survey_app.models import Answer, Response
    from tests.resident import full_answers

    psycopg, _errors = _driver_errors()
    _, issued = open_survey
    url = f"/s/{issued[0].display}"
    data = full_answers(client.get(url).get_data(as_text=True))
    real_commit = db.session.commit
    calls = []

    def commit_lost_once():
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("COMMIT", {}, psycopg.OperationalError("server closed the connection"))
        real_commit()

    monkeypatch.setattr(db.session, "commit", commit_lost_once)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    assert client.post(url, data=data).status_code == 503
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Response)) == 0
        assert db.session.scalar(select(func.count()).select_from(Answer)) == 0
    retried = client.post(url, data=data)
    assert retried.status_code == 303 and "/bien-nhan/" in retried.headers["Location"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Response)) == 1
