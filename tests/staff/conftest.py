"""Staff console fixtures: units, accounts of every role in and out of scope, and logging in."""
from __future__ import annotations

from datetime import date

import pytest

from survey_app.extensions import db

from .accounts import ACCOUNTS, add_units, add_user, answers, login


@pytest.fixture
def planning_day(monkeypatch):
    """Today is 1 February 2026 for the console's start-date bounds, so the tests' fixed start dates are allowed."""
    from survey_app.services import surveys

    monkeypatch.setattr(surveys, "vietnam_today", lambda: date(2026, 2, 1))


@pytest.fixture
def world(app):
    """Units of two provinces and one account per role and scope."""
    add_units(app)
    return {name: add_user(app, name, role, unit) for name, (role, unit) in ACCOUNTS.items()}


@pytest.fixture
def as_user(app, world):
    """A function returning a test client logged in as one of the ``ACCOUNTS`` (None: anonymous)."""

    def client_for(name: str | None):
        client = app.test_client()
        if name is not None:
            response = login(client, name)
            assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return client

    return client_for


@pytest.fixture
def scene(app, world):
    """An open survey of the home commune with codes, a paper batch keyed once, then again differently."""
    from survey_app.models import Channel, Survey, User
    from survey_app.services import double_entry, paper

    from ..factories import make_survey

    survey_id, _issued = make_survey(app)
    first, second = answers(app, survey_id), answers(app, survey_id, q3=2)
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        keyer, checker = db.session.get(User, world["staff_commune"]), db.session.get(User, world["admin"])
        batch = paper.create_batch(survey, survey.frame[0].id, Channel.PAPER, "Tổ 1", actor=keyer)
        code = paper.find_slip(survey, "1")
        entry, _created = paper.enter_first(survey, batch, code, first, actor=keyer)
        recheck = double_entry.enter_second(survey, batch, code, second, actor=checker)
        db.session.commit()
        return {"sid": survey_id, "bid": batch.id, "rid": entry.response_id, "eid": recheck.id,
                "uid": world["staff_commune"]}
