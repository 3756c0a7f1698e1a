"""Results test helpers: users in and out of scope, logging in, the hand-counted survey."""
from __future__ import annotations

from dataclasses import dataclass

from survey_app.extensions import db, login_manager
from survey_app.models import AnswerValue, Channel, Commune, Province, Role
from survey_app.services.accounts import create_user
from survey_app.services.responses import Submission, find_code, submit
from survey_app.services.surveys import transition

from ..factories import DEMO_COMMUNE, make_survey

PASSWORD = "Kiem-tra-2026"
S, N, B = AnswerValue.SATISFIED, AnswerValue.NOT_SATISFIED, AnswerValue.BLANK
OVERALL = "hai-long-chung"
FIRST = "quy-hoach"
OTHER = "ha-tang-kinh-te-xa-hoi"
HYPERLINK = '=HYPERLINK("http://evil.example","bấm vào đây")'


def add_user(app, username: str, role: Role = Role.AUDITOR, unit: str | None = "51") -> int:
    """Create a user (and the units it is scoped to when missing); return its id."""
    with app.app_context():
        if db.session.get(Province, "51") is None:  # the same units as make_survey
            db.session.add(Province(code="51", name="Quảng Ngãi", full_name="Tỉnh Quảng Ngãi", type="Tỉnh"))
            db.session.add(Commune(code=DEMO_COMMUNE, name="Bình Sơn", full_name="Xã Bình Sơn", type="Xã",
                                   province_code="51"))
            db.session.flush()
        if unit == "79" and db.session.get(Province, "79") is None:
            db.session.add(Province(code="79", name="Hồ Chí Minh", full_name="Thành phố Hồ Chí Minh",
                                    type="Thành phố Trung ương"))
            db.session.flush()
        user = create_user(username, PASSWORD, role, unit, actor_name="test")
        db.session.commit()
        return user.id


def log_in(app, client, user_id: int) -> None:
    """Put the user in the client's session, as Flask-Login does after a successful login."""
    with app.test_request_context(environ_base=client.environ_base):
        identifier = login_manager._session_identifier_generator()
    with client.session_transaction() as session:
        session["_user_id"] = f"{user_id}.0"  # Flask-Login id: user id and session epoch
        session["_fresh"] = True
        session["_id"] = identifier


@dataclass(frozen=True)
class HandCounted:
    """A closed survey whose every number was counted by hand (see ``hand_counted``)."""

    survey_id: int
    items: tuple[str, ...]


def _answers(items, **overrides) -> dict:
    return {key: overrides.get(key, S) for key in items}


def build_hand_counted(app, status: str = "closed") -> HandCounted:
    """Two villages (4 + 3 households), five phiếu with known answers; three formula-looking texts.

    Hand count: households 7, respondents 5 (T01: 3, T02: 2), coverage 5/7.
    quy-hoach: 2 satisfied, 2 not, 1 blank (2/5); hai-long-chung: 3 satisfied, 2 not (3/5);
    every other item: 4 satisfied, 1 not (4/5). T01 overall 2/3, T02 overall 1/2.
    """
    survey_id, issued = make_survey(app, villages=(("T01", "Thôn Một", 4), ("T02", "@Thôn Hai", 3)))
    t01 = [c.code for c in issued if c.village_code == "T01"]
    t02 = [c.code for c in issued if c.village_code == "T02"]
    from survey_app.models import Survey

    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        items = tuple(item["key"] for item in survey.template["items"])
        phieu = [
            (t01[0], Submission(_answers(items), opinion=HYPERLINK)),
            (t01[1], Submission(_answers(items, **{FIRST: N}), reasons={FIRST: "+1"}, opinion="-2")),
            (t01[2], Submission(_answers(items, **{FIRST: B, OVERALL: N}), opinion="@SUM(A1:A2)")),
            (t02[0], Submission(_answers(items))),
            (t02[1], Submission({key: N for key in items}, reasons={key: "Đường xấu" for key in items},
                                channel=Channel.PAPER)),
        ]
        for code, submission in phieu:
            submit(survey, find_code(code), submission)
        if status in ("closed", "published"):
            transition(survey, "close", actor_name="test")
        if status == "published":
            transition(survey, "publish", actor_name="test")
        db.session.commit()
    return HandCounted(survey_id, items)
