"""Decree 13/2023/NĐ-CP: no household code, IP address or user agent kept in clear; client data purged."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import AuditEntry, Response, Survey
from survey_app.models._types import utcnow
from survey_app.ops.privacy import purge_client_data
from tests.factories import make_survey
from tests.production.helpers import all_cells
from tests.resident import full_answers

IP = "203.0.113.77"
AGENT = "NokiaTestPhone/7.1 (privacy-probe)"


def test_a_submission_leaves_no_code_ip_or_user_agent_in_the_database_or_the_logs(app, open_survey, app_log):
    _, issued = open_survey
    code = issued[0]
    client = app.test_client()
    client.environ_base.update({"REMOTE_ADDR": IP, "HTTP_USER_AGENT": AGENT})
    url = f"/s/{code.display}"
    data = full_answers(client.get(url).get_data(as_text=True))
    data["opinion"] = "Ý kiến thử"
    posted = client.post(url, data=data)
    assert posted.status_code == 303
    client.get(posted.headers["Location"])
    client.get(f"/?code={code.code.lower()}")
    client.get("/s/AAAAAAAAAA")  # a failed look-up is logged too
    secrets_ = {code.code, code.display, code.code.lower(), code.display.lower(), IP, AGENT, "NokiaTestPhone"}
    cells = all_cells(app)
    assert cells, "the scan read nothing"
    for value in secrets_:
        assert not any(value in cell for cell in cells), f"{value!r} stored in clear"
        assert value not in app_log.getvalue(), f"{value!r} logged"
    with app.app_context():
        stored = db.session.execute(select(Response.client_hash)).scalar_one()
    assert stored and len(stored) == 16 and IP not in stored
    assert '"route": "/s/<code_text>"' in app_log.getvalue()


def _published(app, days_ago: float) -> int:
    survey_id, issued = make_survey(app, status="open")
    client = app.test_client()
    for item in issued[:2]:
        url = f"/s/{item.display}"
        client.post(url, data=full_answers(client.get(url).get_data(as_text=True)))
    from survey_app.services.surveys import transition

    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        transition(survey, "close", actor_name="test")
        transition(survey, "publish", actor_name="test")
        survey.published_at = utcnow() - timedelta(days=days_ago)
        db.session.commit()
    return survey_id


def _hashes(app, survey_id: int) -> list:
    with app.app_context():
        return list(db.session.execute(select(Response.client_hash).where(Response.survey_id == survey_id))
                    .scalars())


def test_purge_clears_client_data_only_of_surveys_published_past_retention(app, runner):
    old = _published(app, days_ago=45)
    recent = _published(app, days_ago=5)
    running, issued = make_survey(app, status="open")
    client = app.test_client()
    url = f"/s/{issued[0].display}"
    client.post(url, data=full_answers(client.get(url).get_data(as_text=True)))
    assert all(_hashes(app, old)) and all(_hashes(app, recent)) and all(_hashes(app, running))

    dry = runner.invoke(args=["privacy", "purge", "--dry-run"])
    assert dry.exit_code == 0 and "Would clear client data of 2 responses in 1 surveys" in dry.output
    assert all(_hashes(app, old))

    done = runner.invoke(args=["privacy", "purge"])
    assert done.exit_code == 0 and "Cleared client data of 2 responses in 1 surveys" in done.output
    assert _hashes(app, old) == [None, None]
    assert all(_hashes(app, recent)) and all(_hashes(app, running))
    with app.app_context():
        query = select(AuditEntry).where(AuditEntry.action == "privacy.purge")
        entry = db.session.execute(query).scalar_one()
        assert entry.details["surveys"] == [old] and entry.details["responses"] == 2
    again = runner.invoke(args=["privacy", "purge"])
    assert "Cleared client data of 0 responses" in again.output


def test_retention_follows_the_setting(app, runner):
    recent = _published(app, days_ago=5)
    app.config["SURVEY_RETENTION_DAYS"] = 3
    assert runner.invoke(args=["privacy", "purge"]).exit_code == 0
    assert _hashes(app, recent) == [None, None]


def test_purge_service_counts_with_an_explicit_clock(app):
    survey_id = _published(app, days_ago=31)
    with app.app_context():
        result = purge_client_data(30, now=utcnow() - timedelta(days=2))
        assert result.survey_ids == () and result.responses == 0
        result = purge_client_data(30)
        db.session.commit()
        assert result.survey_ids == (survey_id,) and result.responses == 2
