"""`flask demo load` builds the demo once and prints logins and unanswered household links."""
from __future__ import annotations

from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import Response, Survey, User


def test_demo_load_is_idempotent_and_prints_links(app, runner):
    first = runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0, first.output
    assert "admin" in first.output and "canbo" in first.output and "kiemtra" in first.output
    assert first.output.count("http://survey.test/s/") == 3
    second = runner.invoke(args=["demo", "load"])
    assert second.exit_code == 0, second.output
    with app.app_context():
        assert db.session.execute(select(func.count()).select_from(Survey)).scalar_one() == 1
        assert db.session.execute(select(func.count()).select_from(User)).scalar_one() == 3
        responses = db.session.execute(select(func.count()).select_from(Response)).scalar_one()
        assert 500 < responses < 1100
