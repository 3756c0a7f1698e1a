"""Races on the write paths, for real: threads against PostgreSQL, many tries, outcomes counted (issue 13.1–3).

Each thread runs the service as a request would (its own app context and session, commit or roll back);
a barrier releases them together.
"""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import Channel, CodeStatus, HouseholdCode, KeyedEntry, Response, ResponseVersion, Survey
from survey_app.services import double_entry, issuing, paper
from survey_app.services.responses import Submission, find_code, submit
from survey_app.services.surveys import transition

from ..factories import make_survey
from .helpers import together

TRIES = 20


@pytest.mark.postgres
@pytest.mark.parametrize("alone", [True, False], ids=["resident's one statement", "general path"])
def test_an_answer_and_a_void_of_the_same_slip_never_both_win(app, postgres_only, alone):
    survey_id, issued = make_survey(app, villages=(("T01", "Thôn Một", TRIES),))
    with app.app_context():
        items = [item["key"] for item in db.session.get(Survey, survey_id).template["items"]]
    full = Submission(dict.fromkeys(items, 1))
    winners = {"answer": 0, "void": 0}
    for slip in issued:
        def answer(slip=slip):
            return submit(db.session.get(Survey, survey_id), find_code(slip.code), full, alone=alone).receipt

        def void(slip=slip):
            return issuing.void_and_replace(db.session.get(Survey, survey_id), slip.serial, actor_name="test").serial

        outcomes = together(app, answer, void)
        assert all(kind != "error" for kind, _result, _s in outcomes), outcomes
        assert [kind for kind, _r, _s in outcomes].count("ok") == 1, outcomes
        winners["answer" if outcomes[0][0] == "ok" else "void"] += 1
    with app.app_context():
        answered = set(db.session.execute(select(Response.household_code_id)).scalars())
        codes = {row.id: row for row in db.session.execute(select(HouseholdCode)).scalars()}
        replaced = {row.replaces_id for row in codes.values() if row.replaces_id is not None}
        assert not answered & replaced, "a household answered and got a replacement slip"
        assert all(codes[i].status is CodeStatus.USED for i in answered)
        assert len(answered) + len(replaced) == TRIES
    assert winners["answer"] + winners["void"] == TRIES


@pytest.mark.postgres
def test_a_double_click_on_issue_numbers_every_code_once_and_quickly(app, postgres_only):
    for attempt in range(5):
        villages = ((f"T{attempt}1", "Thôn Một", 40), (f"T{attempt}2", "Thôn Hai", 25))
        survey_id, _issued = make_survey(app, villages=villages, status="draft")

        def issue():
            return len(issuing.issue_codes(db.session.get(Survey, survey_id), spare_share=0.5, actor_name="test"))

        outcomes = together(app, issue, issue)
        assert [kind for kind, _r, _s in outcomes] == ["ok", "ok"], outcomes
        assert max(seconds for _k, _r, seconds in outcomes) < 5
        assert sorted(result for _k, result, _s in outcomes) == [0, 33]  # 20 + 13 spares, issued once
        with app.app_context():
            serials = db.session.execute(select(HouseholdCode.serial).where(HouseholdCode.survey_id == survey_id)
                                         .order_by(HouseholdCode.serial)).scalars().all()
            assert serials == list(range(1, 66 + 33))


@pytest.mark.postgres
def test_two_voids_of_one_slip_issue_one_replacement(app, postgres_only):
    survey_id, issued = make_survey(app, villages=(("T01", "Thôn Một", 10),))
    for slip in issued:
        def void(slip=slip):
            return issuing.void_and_replace(db.session.get(Survey, survey_id), slip.serial, actor_name="test").serial

        outcomes = together(app, void, void)
        assert sorted(kind for kind, _r, _s in outcomes) == ["ok", "refused"], outcomes
    with app.app_context():
        assert db.session.execute(select(func.count()).select_from(HouseholdCode)
                                  .where(HouseholdCode.replaces_id.is_not(None))).scalar_one() == 10
        assert db.session.execute(select(func.count()).select_from(HouseholdCode)).scalar_one() == 20


@pytest.mark.postgres
def test_nothing_is_written_after_the_publication_it_raced_with(app, postgres_only):
    """Resolving a second keying (which stores a phiếu) against publishing: either the phiếu is stored before
    the publication, or it is refused; never a version dated after ``published_at``."""
    stored_before = refused = 0
    for _attempt in range(TRIES // 2):
        survey_id, _issued = make_survey(app, villages=(("T01", "Thôn Một", 2),))
        with app.app_context():
            survey = db.session.get(Survey, survey_id)
            items = [item["key"] for item in survey.template["items"]]
            batch = paper.create_batch(survey, survey.frame[0].id, Channel.PAPER)
            entry = double_entry.enter_second(survey, batch, paper.find_slip(survey, "1"),
                                              Submission(dict.fromkeys(items, 2)))
            transition(survey, "close", actor_name="test")
            db.session.commit()
            entry_id = entry.id

        def publish(survey_id=survey_id):
            return transition(db.session.get(Survey, survey_id), "publish", actor_name="test",
                              waiver="Phiếu chưa có bản gốc, theo biên bản họp").status.value

        def resolve(survey_id=survey_id, entry_id=entry_id):
            double_entry.resolve(db.session.get(Survey, survey_id), db.session.get(KeyedEntry, entry_id), True)

        outcomes = together(app, publish, resolve)
        assert outcomes[0][0] == "ok" and outcomes[1][0] in ("ok", "refused"), outcomes
        with app.app_context():
            published_at = db.session.get(Survey, survey_id).published_at
            late = db.session.execute(
                select(func.count()).select_from(ResponseVersion).join(Response)
                .where(Response.survey_id == survey_id, ResponseVersion.created_at > published_at)).scalar_one()
            assert late == 0
            stored = db.session.execute(select(func.count()).select_from(Response)
                                        .where(Response.survey_id == survey_id)).scalar_one()
        assert stored == (1 if outcomes[1][0] == "ok" else 0)
        stored_before += stored
        refused += outcomes[1][0] == "refused"
    assert stored_before + refused == TRIES // 2
