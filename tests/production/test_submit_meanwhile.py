"""What a resident's submit does when the survey or the slip changed after the request read them (issue 18).

On PostgreSQL a resident's phiếu is stored by one statement (``submit_sql.STORE_AT_ONCE``) that re-checks the
survey's state under its lock and claims the slip; when either refuses, the general path says why. Each case
reads the survey and the slip, lets another transaction change one of them, then submits: the outcome is the
general path's and nothing is written that should not be. PostgreSQL only: on SQLite the request's read holds
the database until it stores, so nothing can change in between.
"""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from survey_app.errors import StateError
from survey_app.extensions import db
from survey_app.models import Answer, CodeStatus, HouseholdCode, Response, Survey
from survey_app.services import data_version, issuing
from survey_app.services.responses import CodeAlreadyUsed, CodeVoided, Submission, find_code, submit

from ..factories import make_survey


def _everything(app, survey_id: int) -> tuple:
    with app.app_context():
        count = lambda model: db.session.execute(select(func.count()).select_from(model)).scalar_one()  # noqa: E731
        codes = tuple(db.session.execute(select(HouseholdCode.serial, HouseholdCode.status)
                                         .order_by(HouseholdCode.serial)).all())
        return count(Response), count(Answer), codes, data_version.current(survey_id)


def _submission(app, survey_id: int, value: int) -> Submission:
    with app.app_context():
        keys = [item["key"] for item in db.session.get(Survey, survey_id).template["items"]]
    return Submission(dict.fromkeys(keys, value), opinion="  Đường làng sạch hơn  ")


@pytest.mark.postgres
@pytest.mark.parametrize("meanwhile", ["nothing", "closed", "voided", "answered the same", "answered otherwise"])
def test_a_change_between_reading_and_storing_gets_the_general_paths_answer(app, postgres_only, meanwhile):
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
                submit(survey, code, mine)
            db.session.rollback()
        else:
            recorded = submit(survey, code, mine, client_hash="ab12")
            db.session.commit()
    after = _everything(app, survey_id)
    if meanwhile == "nothing":
        assert recorded.created and after[0] == before[0] + 1 and after[1] == before[1] + len(mine.answers)
        assert after[2][0] == (slip.serial, CodeStatus.USED) and after[3][0] > before[3][0]
        with app.app_context():
            stored = db.session.get(Response, recorded.id)
            assert (stored.receipt, stored.client_hash, stored.channel.value) == (recorded.receipt, "ab12", "web")
            assert stored.versions[0].opinion == "Đường làng sạch hơn" and stored.versions[0].version == 1
            assert sorted({answer.value for answer in stored.versions[0].answers}) == [1]
    elif meanwhile == "answered the same":
        assert recorded == earlier.__class__(earlier.id, earlier.receipt, created=False)
        assert after[:3] == before[:3]
    else:
        assert after == before, meanwhile
