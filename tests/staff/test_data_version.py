"""Every write changes the survey's data version, and live results are built once per version (issue 18).

The live results page of a survey before publication is kept per process under its data version; these
tests show that every write path (each kind of ``lifecycle.Write``, the changes of state, the units register)
changes the version when it commits, that a refused or rolled-back write does not, and that the page shows
new numbers right after a write while a second view without one builds nothing.
"""
from __future__ import annotations

from datetime import date

import pytest

from survey_app.errors import StateError
from survey_app.extensions import db
from survey_app.models import Survey
from survey_app.services import data_version, lifecycle, live_results
from survey_app.services.responses import find_code, submit

from ..factories import make_survey
from .accounts import answers
from .test_write_lifecycle import _prepare, _set_state, _write

STATE_FOR = {write: next(s for s in ("open", "closed", "draft") if s in {x.value for x in lifecycle.ALLOWED[write]})
             for write in lifecycle.Write}


def _version(app, survey_id: int) -> tuple[int, int]:
    with app.app_context():
        return data_version.current(survey_id)


@pytest.mark.parametrize("write", list(lifecycle.Write), ids=lambda w: w.value)
def test_every_write_path_changes_the_data_version(app, world, write):
    if write is lifecycle.Write.DELETE_DRAFT:
        from survey_app.services.drafts import delete_draft
        from survey_app.services.surveys import create_survey
        from survey_app.services.units import FrameRow

        make_survey(app)  # the commune
        with app.app_context():
            survey_id = create_survey("xa-ntm-2026", "21040", [FrameRow(2, "T01", "Thôn Một", 3)],
                                      actor_name="test").id
            db.session.commit()
        before = _version(app, survey_id)
        with app.app_context():
            delete_draft(db.session.get(Survey, survey_id), actor_name="test")
            db.session.commit()
    else:
        scene = _prepare(app, world)
        survey_id = scene["survey_id"]
        _set_state(app, survey_id, STATE_FOR[write])
        before = _version(app, survey_id)
        with app.app_context():
            _write(app, scene, write.value)
            db.session.commit()
    after = _version(app, survey_id)
    assert after[0] > before[0] and after[1] == before[1], write


def test_a_refused_or_rolled_back_write_leaves_the_version(app, world):
    scene = _prepare(app, world)
    survey_id = scene["survey_id"]
    before = _version(app, survey_id)
    _set_state(app, survey_id, "published")
    assert _version(app, survey_id)[0] > before[0]  # the change of state itself is a write
    before = _version(app, survey_id)
    with app.app_context():
        with pytest.raises(StateError):
            _write(app, scene, "web_answer")
        db.session.rollback()
        _set_state(app, survey_id, "open")
    before = _version(app, survey_id)
    with app.app_context():
        _write(app, scene, "web_answer")
        db.session.rollback()
        db.session.commit()  # nothing left to count
    assert _version(app, survey_id) == before


def test_changes_of_state_and_of_the_units_register_change_the_version(app, world):
    from survey_app.services.snapshots import reopen
    from survey_app.services.surveys import transition
    from survey_app.services.units import upsert_village

    survey_id, _issued = make_survey(app, status="draft")
    seen = [_version(app, survey_id)]
    for action in ("open", "close", "publish"):
        with app.app_context():
            transition(db.session.get(Survey, survey_id), action, actor_name="test")
            db.session.commit()
        seen.append(_version(app, survey_id))
    with app.app_context():
        reopen(db.session.get(Survey, survey_id), "Sửa phiếu nhập nhầm của thôn Một", actor_name="test")
        db.session.commit()
    seen.append(_version(app, survey_id))
    assert all(a[0] < b[0] for a, b in zip(seen, seen[1:], strict=False))
    with app.app_context():
        upsert_village("21040", "T01", "Thôn Một Mới", 3)
        db.session.commit()
    renamed = _version(app, survey_id)
    assert renamed[0] == seen[-1][0] and renamed[1] > seen[-1][1]


@pytest.fixture
def counted(monkeypatch):
    """How many times the live results were built."""
    calls = []
    build = live_results.results_document
    monkeypatch.setattr(live_results, "results_document", lambda survey: calls.append(1) or build(survey))
    return calls


def _respondents(client, survey_id: int) -> int:
    response = client.get(f"/results/{survey_id}/tai-ve/json")
    assert response.status_code == 200
    return response.get_json()["coverage"]["respondents"]


def test_live_results_are_built_once_per_version_and_never_stale(app, as_user, counted):
    survey_id, issued = make_survey(app)
    client = as_user("admin")
    assert _respondents(client, survey_id) == 0
    assert client.get(f"/results/{survey_id}").status_code == 200
    assert _respondents(client, survey_id) == 0
    assert len(counted) == 1  # three views, one build
    with app.app_context():
        submit(db.session.get(Survey, survey_id), find_code(issued[0].code), answers(app, survey_id))
        db.session.commit()
    assert _respondents(client, survey_id) == 1  # the next view after a write shows it
    assert len(counted) == 2
    with app.app_context():  # a change of state the calendar makes: the window's end passes
        db.session.get(Survey, survey_id).end_date = date(2026, 1, 1)
        db.session.get(Survey, survey_id).start_date = date(2025, 12, 1)
        db.session.commit()
    document = client.get(f"/results/{survey_id}/tai-ve/json").get_json()
    assert document["collecting_finished"] is True and len(counted) == 3


def test_the_cache_can_be_turned_off(app, as_user, counted):
    app.config["SURVEY_LIVE_RESULTS_CACHE"] = 0
    survey_id, _issued = make_survey(app)
    client = as_user("admin")
    for _ in range(2):
        assert _respondents(client, survey_id) == 0
    assert len(counted) == 2


def test_a_view_reads_the_survey_again_after_the_version(app):
    """A write committed after the page loaded its survey is in what is built, under the newer version."""
    from sqlalchemy import update

    survey_id, _issued = make_survey(app)
    with app.test_request_context():
        survey = db.session.get(Survey, survey_id)
        assert len(survey.rules) > 1  # loaded now; another request changes them below
        db.session.expunge(survey)
        db.session.execute(update(Survey).where(Survey.id == survey_id).values(rules=survey.rules[:1]))
        data_version.mark(survey_id)
        db.session.commit()
        survey = db.session.merge(survey, load=False)
        document, _indicators = live_results.live_results(survey)
        assert len(document["rules"]) == 1
