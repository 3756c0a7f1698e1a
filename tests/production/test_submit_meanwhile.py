"""A resident's submit when the survey or the slip changes around it (issue 18).

On PostgreSQL a resident's phiếu is stored by one statement (``submit_sql.STORE_AT_ONCE``) that re-checks the
survey's state under its lock and claims the slip; when either refuses, the general path says why. These
tests let another transaction change the survey or the slip before, during and after that statement, and
check the outcome is the general path's, that nothing is stored that should not be, and that the survey's
data version counts each stored answer exactly once. What residents type comes back as typed.
"""
from __future__ import annotations

import threading
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from survey_app.errors import StateError
from survey_app.extensions import db
from survey_app.models import Answer, CodeStatus, HouseholdCode, Response, ResponseVersion, Survey
from survey_app.services import data_version, issuing, submit_sql
from survey_app.services.responses import CodeAlreadyUsed, CodeVoided, Submission, find_code, submit
from survey_app.services.surveys import transition

from ..factories import make_survey
from ..resident import full_answers
from .helpers import together
from .test_fuzz_resident import ODD

TRIES = 10


def _everything(app, survey_id: int) -> tuple:
    with app.app_context():
        count = lambda model: db.session.execute(select(func.count()).select_from(model)).scalar_one()  # noqa: E731
        codes = tuple(db.session.execute(select(HouseholdCode.serial, HouseholdCode.status)
                                         .order_by(HouseholdCode.serial)).all())
        return count(Response), count(Answer), codes, data_version.current(survey_id)[0]


def _submission(app, survey_id: int, value: int) -> Submission:
    with app.app_context():
        keys = [item["key"] for item in db.session.get(Survey, survey_id).template["items"]]
    return Submission(dict.fromkeys(keys, value), opinion="  Đường làng sạch hơn  ")


@pytest.fixture
def statements(monkeypatch) -> list:
    """What each run of the one statement did (``submit_sql.AtOnce``), in order."""
    done, store = [], submit_sql.store_at_once

    def spy(*args, **kwargs):
        done.append(store(*args, **kwargs))
        return done[-1]

    monkeypatch.setattr(submit_sql, "store_at_once", spy)
    return done


#: What the one statement does when something changed before it ran: (allowed, claimed, stored).
MEANWHILE = {"nothing": (True, True, True), "closed": (False, False, False), "voided": (True, False, False),
             "answered the same": (True, False, False), "answered otherwise": (True, False, False)}


@pytest.mark.postgres
@pytest.mark.parametrize("meanwhile", list(MEANWHILE))
def test_a_change_between_reading_and_storing_gets_the_general_paths_answer(app, postgres_only, statements,
                                                                            meanwhile):
    survey_id, issued = make_survey(app, villages=(("T01", "Thôn Một", 3),))
    slip = issued[0]
    mine = _submission(app, survey_id, 1)
    earlier = None
    with app.app_context():
        survey, code = db.session.get(Survey, survey_id), find_code(slip.code)  # what the request read
        with app.app_context():  # another request, committed before this one stores
            other = db.session.get(Survey, survey_id)
            if meanwhile == "closed":
                other.status = "closed"
            elif meanwhile == "voided":
                issuing.void_and_replace(other, slip.serial, actor_name="test")
            elif meanwhile.startswith("answered"):
                earlier = submit(other, find_code(slip.code), mine if meanwhile == "answered the same"
                                 else _submission(app, survey_id, 2))
            db.session.commit()
        before = _everything(app, survey_id)
        expected = {"closed": StateError, "voided": CodeVoided, "answered otherwise": CodeAlreadyUsed}.get(meanwhile)
        if expected:
            with pytest.raises(expected):
                submit(survey, code, mine, alone=True)
            db.session.rollback()
        else:
            recorded = submit(survey, code, mine, client_hash="ab12", alone=True)
            db.session.commit()
    after = _everything(app, survey_id)
    assert [(s.allowed, s.claimed, s.response_id is not None) for s in statements] == [MEANWHILE[meanwhile]]
    if meanwhile == "nothing":
        assert recorded.created and after[0] == before[0] + 1 and after[1] == before[1] + len(mine.answers)
        assert after[2][0] == (slip.serial, CodeStatus.USED) and after[3] == before[3] + 1
        with app.app_context():
            stored = db.session.get(Response, recorded.id)
            assert (stored.receipt, stored.client_hash, stored.channel.value) == (recorded.receipt, "ab12", "web")
            assert stored.versions[0].opinion == "Đường làng sạch hơn" and stored.versions[0].version == 1
            assert sorted({answer.value for answer in stored.versions[0].answers}) == [1]
    elif meanwhile == "answered the same":  # an identical retry: the first receipt back, nothing written
        assert recorded == earlier.__class__(earlier.id, earlier.receipt, created=False)
        assert after[:3] == before[:3]
    else:
        assert after == before, meanwhile


def _hold(app, write, hold: threading.Event, seconds: float = 1.5) -> dict:
    """Run ``write`` in a thread and keep its transaction open ``seconds`` after it, then commit; ``hold`` is
    set once the write has run (its locks are taken)."""
    outcome: dict = {}

    def run() -> None:
        with app.app_context():
            try:
                outcome["result"] = write()
                hold.set()
                time.sleep(seconds)
                db.session.commit()
                outcome["committed"] = time.monotonic()
            except Exception as exc:  # noqa: BLE001 - the test reads it
                hold.set()
                db.session.rollback()
                outcome["error"] = exc
            finally:
                db.session.remove()

    outcome["thread"] = threading.Thread(target=run)
    outcome["thread"].start()
    return outcome


@pytest.mark.postgres
def test_an_answer_sent_while_the_survey_closes_waits_and_is_refused(app, postgres_only, statements):
    survey_id, issued = make_survey(app, villages=(("T01", "Thôn Một", 2),))
    mine = _submission(app, survey_id, 1)
    with app.app_context():  # the resident's request read an open survey
        survey, code = db.session.get(Survey, survey_id), find_code(issued[0].code)
        closed = threading.Event()
        closing = _hold(app, lambda: transition(db.session.get(Survey, survey_id), "close", actor_name="test"),
                        closed)
        assert closed.wait(10)
        version = _everything(app, survey_id)[3]  # before the close commits
        with pytest.raises(StateError):
            submit(survey, code, mine, alone=True)
        waited_until = time.monotonic()
        db.session.rollback()
    closing["thread"].join(10)
    assert "error" not in closing and waited_until >= closing["committed"]  # it waited for the close
    assert [(s.allowed, s.claimed, s.response_id) for s in statements] == [(False, False, None)]
    counted = _everything(app, survey_id)
    assert counted[0] == 0 and counted[2][0][1] is CodeStatus.ISSUED and counted[3] == version + 1  # the close


@pytest.mark.postgres
def test_a_close_waits_for_an_answer_being_stored_and_the_answer_is_counted_before_it(app, postgres_only):
    survey_id, issued = make_survey(app, villages=(("T01", "Thôn Một", 2),))
    mine = _submission(app, survey_id, 1)
    stored = threading.Event()
    answering = _hold(app, lambda: submit(db.session.get(Survey, survey_id), find_code(issued[0].code), mine,
                                          alone=True), stored)
    assert stored.wait(10)
    with app.app_context():
        transition(db.session.get(Survey, survey_id), "close", actor_name="test")
        db.session.commit()
        closed_when = time.monotonic()
    answering["thread"].join(10)
    assert "error" not in answering and closed_when >= answering["committed"]
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        response = db.session.execute(select(Response).where(Response.survey_id == survey_id)).scalar_one()
        assert survey.status.value == "closed" and response.submitted_at <= survey.closed_at


@pytest.mark.postgres
def test_answers_and_a_close_at_the_same_moment_never_store_an_answer_after_the_close(app, postgres_only):
    outcomes = {"answer first": 0, "close first": 0}
    for _attempt in range(TRIES):
        survey_id, issued = make_survey(app, villages=(("T01", "Thôn Một", 2),))
        mine = _submission(app, survey_id, 1)

        def answer(issued=issued, survey_id=survey_id, mine=mine):
            return submit(db.session.get(Survey, survey_id), find_code(issued[0].code), mine, alone=True).receipt

        def close(survey_id=survey_id):
            return transition(db.session.get(Survey, survey_id), "close", actor_name="test").id

        kinds = [kind for kind, _r, _s in together(app, answer, close)]
        assert kinds in (["ok", "ok"], ["refused", "ok"]), kinds
        with app.app_context():
            survey = db.session.get(Survey, survey_id)
            stored = db.session.execute(select(ResponseVersion.created_at).join(Response)
                                        .where(Response.survey_id == survey_id)).scalars().all()
            assert len(stored) == (kinds[0] == "ok") and all(when <= survey.closed_at for when in stored)
        outcomes["answer first" if kinds[0] == "ok" else "close first"] += 1
    assert sum(outcomes.values()) == TRIES


#: Any text a form can carry (no NUL, which is a 400, nor lone surrogates, which a browser cannot send).
TYPED = st.text(alphabet=st.one_of(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
                                   st.sampled_from([c for c in ODD if c != "\x00"] + ['"', "\\", "\u2028", "{", "}"])),
                max_size=80)


@settings(max_examples=25)
@given(reasons=st.lists(TYPED, min_size=1, max_size=3), opinion=TYPED)
def test_what_a_resident_types_is_stored_as_typed(app, reasons, opinion):
    survey_id, issued = make_survey(app, villages=(("T01", "Thôn Một", 1),))
    client = app.test_client()
    url = f"/s/{issued[0].display}"
    page = client.get(url).get_data(as_text=True)
    form = full_answers(page, value="not_satisfied")
    keys = [name[len("item_"):] for name in form if name.startswith("item_")]
    typed = dict(zip(keys, reasons, strict=False))
    form |= {f"reason_{key}": text for key, text in typed.items()} | {"opinion": opinion}
    assert client.post(url, data=form).status_code == 303
    with app.app_context():
        version = db.session.execute(select(ResponseVersion).join(Response)
                                     .where(Response.survey_id == survey_id)).scalar_one()
        assert version.opinion == opinion.strip()
        assert {a.item_key: a.reason for a in version.answers} == {key: typed.get(key, "").strip() for key in keys}
