"""The lifecycle as one rule: every write path × every state, checked in the service layer (issue 13.1).

draft → open (web and paper) → closed (paper keying, second keying, resolving and corrections go on) →
published (frozen). A refused write raises StateError and changes nothing that is counted.
"""
from __future__ import annotations

from datetime import time

import pytest
from sqlalchemy import func, select

from survey_app.errors import StateError
from survey_app.extensions import db
from survey_app.models import (
    AuditEntry,
    Channel,
    DeclaredMeeting,
    HouseholdCode,
    KeyedEntry,
    Response,
    ResponseVersion,
    Survey,
    User,
)
from survey_app.services import double_entry, issuing, lifecycle, meetings, paper
from survey_app.services.responses import Submission, find_code, submit
from survey_app.services.surveys import change_rules

from ..factories import make_survey
from .accounts import answers, login, token

STATES = ("draft", "open", "closed", "published")


def _prepare(app, world) -> dict:
    """An open survey (serials 1–5) with a paper batch: serial 1 keyed once and again differently, serial 2
    keyed only in the second keying (a phiếu never stored)."""
    survey_id, issued = make_survey(app)
    keyer_id, checker_id = world["staff_commune"], world["admin"]
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        keyer, checker = db.session.get(User, keyer_id), db.session.get(User, checker_id)
        batch = paper.create_batch(survey, survey.frame[0].id, Channel.PAPER, actor=keyer)
        paper.enter_first(survey, batch, paper.find_slip(survey, "1"), answers(app, survey_id), actor=keyer)
        double_entry.enter_second(survey, batch, paper.find_slip(survey, "1"), answers(app, survey_id, q3=2),
                                  actor=checker)
        lone = double_entry.enter_second(survey, batch, paper.find_slip(survey, "2"), answers(app, survey_id),
                                         actor=checker)
        db.session.commit()
        return {"survey_id": survey_id, "issued": issued, "batch_id": batch.id, "lone_entry": lone.id,
                "keyer": keyer_id, "checker": checker_id, "resolver": world["staff_province"]}


def _set_state(app, survey_id: int, state: str) -> None:
    with app.app_context():
        db.session.get(Survey, survey_id).status = state
        db.session.commit()


def _write(app, scene: dict, path: str) -> None:
    """Run one write path through its service, as the console, the resident page or the CLI would."""
    survey_id = scene["survey_id"]
    survey = db.session.get(Survey, survey_id)
    batch = db.session.get(paper.KeyingBatch, scene["batch_id"])
    actor = db.session.get(User, scene["resolver"])
    if path == "web_answer":
        submit(survey, find_code(scene["issued"][2].code), answers(app, survey_id))
    elif path == "paper_keying":
        paper.enter_first(survey, batch, paper.find_slip(survey, "3"), answers(app, survey_id), actor=actor)
    elif path == "second_keying":
        double_entry.enter_second(survey, batch, paper.find_slip(survey, "3"), answers(app, survey_id), actor=actor)
    elif path == "resolve":
        double_entry.resolve(survey, db.session.get(KeyedEntry, scene["lone_entry"]), True, actor=actor)
    elif path == "correction":
        response = db.session.execute(select(Response)).scalars().first()
        paper.correct_response(survey, response, answers(app, survey_id, value=2), "Nhập nhầm cả phiếu", actor=actor)
    elif path == "issue_codes":
        issuing.issue_codes(survey, spare_share=1.0, actor=actor)
    elif path == "void_code":
        issuing.void_and_replace(survey, 4, actor=actor, reason="mất phiếu")
    elif path == "rules_change":
        rules = [dict(rule) for rule in survey.rules]
        rules[0]["threshold"] = "85 %"
        change_rules(survey, rules, "Theo văn bản mới của tỉnh số 12", actor=actor)
    elif path == "declare_meeting":
        meetings.declare_meeting(survey, survey.frame[0].id, survey.start_date, time(19), time(21), actor=actor)


def _counted(app, survey_id: int) -> tuple:
    """What a write could change: responses, versions, codes and their states, the rules."""
    with app.app_context():
        count = lambda model: db.session.execute(select(func.count()).select_from(model)).scalar_one()  # noqa: E731
        codes = tuple(db.session.execute(select(HouseholdCode.serial, HouseholdCode.status)
                                         .order_by(HouseholdCode.serial)).all())
        entries = tuple(db.session.execute(select(KeyedEntry.id, KeyedEntry.resolution)
                                           .order_by(KeyedEntry.id)).all())
        return (count(Response), count(ResponseVersion), codes, entries, db.session.get(Survey, survey_id).rules,
                count(DeclaredMeeting))


PATHS = [write.value for write in lifecycle.Write if write is not lifecycle.Write.DELETE_DRAFT]


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("path", PATHS)
def test_each_write_path_obeys_the_one_lifecycle_rule(app, world, state, path):
    scene = _prepare(app, world)
    _set_state(app, scene["survey_id"], state)
    before = _counted(app, scene["survey_id"])
    allowed = state in {status.value for status in lifecycle.ALLOWED[lifecycle.Write(path)]}
    with app.app_context():
        if allowed:
            _write(app, scene, path)
            db.session.commit()
        else:
            with pytest.raises(StateError) as refused:
                _write(app, scene, path)
            db.session.rollback()
            if state == "published":
                assert "đã công bố" in str(refused.value)
    after = _counted(app, scene["survey_id"])
    assert (after != before) is allowed, (path, state)


def test_resolving_a_second_keying_after_publication_adds_no_phieu(app, world):
    """The reported hole: second keyings of unanswered slips, publish, then "use the second keying"."""
    survey_id, _issued = make_survey(app)
    keyer, other = app.test_client(), app.test_client()
    login(keyer, "staff_commune"), login(other, "staff_province")
    with app.app_context():
        frame_id = db.session.get(Survey, survey_id).frame[0].id
    base = keyer.post(f"/staff/surveys/{survey_id}/paper", data={
        "csrf_token": token(keyer), "village": frame_id, "channel": "paper"}).headers["Location"]
    assert keyer.post(base, data={"csrf_token": token(keyer), "slip": "1", "answers": "1" * 11}).status_code == 302
    for serial in ("2", "3"):
        page = keyer.post(base + "/second", data={"csrf_token": token(keyer), "slip": serial, "answers": "2" * 11})
        assert page.status_code == 302
    survey_url = f"/staff/surveys/{survey_id}"
    keyer.post(f"{survey_url}/close", data={"csrf_token": token(keyer), "confirm": "y"})
    refused = keyer.post(f"{survey_url}/publish", data={"csrf_token": token(keyer), "confirm": "y"},
                         follow_redirects=True).get_data(as_text=True)
    assert "còn 2 sai lệch giữa hai lần nhập chưa xử lý" in refused
    waived = keyer.post(f"{survey_url}/publish", data={
        "csrf_token": token(keyer), "confirm": "y", "waiver": "Hai phiếu không có bản gốc, bỏ qua theo biên bản"})
    assert waived.status_code == 302
    with app.app_context():
        assert db.session.get(Survey, survey_id).status.value == "published"
        entries = db.session.execute(select(KeyedEntry.id).where(KeyedEntry.keying == 2)).scalars().all()
        published = db.session.execute(select(AuditEntry).where(AuditEntry.action == "survey.publish")).scalar_one()
        assert published.details["waiver"].startswith("Hai phiếu") and len(published.details["waived"]) == 2
    for entry_id in entries:
        page = other.post(f"{base}/resolve/{entry_id}", data={"csrf_token": token(other), "use": "second"},
                          follow_redirects=True)
        assert "đã công bố" in page.get_data(as_text=True)
    with app.app_context():
        assert db.session.execute(select(func.count()).select_from(Response)).scalar_one() == 1


def test_publishing_names_pending_work_and_a_short_waiver_is_not_enough(app, world):
    scene = _prepare(app, world)
    _set_state(app, scene["survey_id"], "closed")
    with app.app_context():
        survey = db.session.get(Survey, scene["survey_id"])
        empty = paper.create_batch(survey, survey.frame[1].id, Channel.MEETING, "Họp thôn")
        db.session.commit()
        from survey_app.services.surveys import transition

        with pytest.raises(StateError) as refused:
            transition(survey, "publish", actor_name="test", waiver="vì sao")
        db.session.rollback()
        message = str(refused.value)
        assert f"Tập {scene['batch_id']}" in message and "còn 2 sai lệch" in message
        assert f"Tập {empty.id}" in message and "chưa nhập phiếu nào" in message
        assert lifecycle.current_status(survey).value == "closed"


def test_closing_says_paper_goes_on_and_the_paper_page_still_takes_it(app, as_user):
    survey_id, _issued = make_survey(app)
    client = as_user("staff_commune")
    page = client.post(f"/staff/surveys/{survey_id}/close", data={"csrf_token": token(client), "confirm": "y"},
                       follow_redirects=True).get_data(as_text=True)
    assert "Vẫn nhập được phiếu giấy" in page
    assert "Bắt đầu nhập" in client.get(f"/staff/surveys/{survey_id}/paper").get_data(as_text=True)


def test_opening_a_survey_whose_window_has_ended_is_refused(app, runner):
    from datetime import date

    survey_id, _issued = make_survey(app, status="draft", start=date(2020, 1, 6))
    result = runner.invoke(args=["survey", "open", str(survey_id)])
    assert result.exit_code == 1 and "Thời gian lấy ý kiến đã hết" in result.output
    with app.app_context():
        assert db.session.get(Survey, survey_id).status.value == "draft"


def test_the_command_line_refuses_a_start_the_console_refuses(app, runner, tmp_path):
    from ..factories import DEMO_COMMUNE

    make_survey(app)  # the commune exists
    frame = tmp_path / "frame.csv"
    frame.write_text("village_code,village_name,households\nT09,Thôn Chín,12\n", encoding="utf-8")
    result = runner.invoke(args=["survey", "create", "--template", "xa-ntm-2026", "--unit", DEMO_COMMUNE,
                                 "--frame", str(frame), "--start", "2020-01-01"])
    assert result.exit_code == 1 and "Ngày bắt đầu phải từ" in result.output
    with app.app_context():
        assert db.session.execute(select(func.count()).select_from(Survey)).scalar_one() == 1


def test_a_web_answer_to_a_published_survey_is_refused_below_the_view(app):
    survey_id, issued = make_survey(app, status="published")
    with app.app_context(), pytest.raises(StateError):
        submit(db.session.get(Survey, survey_id), find_code(issued[0].code), Submission({}))
