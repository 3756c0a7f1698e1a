"""Declared village meetings: the console form, the rules of a declaration, the lifecycle, the audit log, hostile
form input (never a 500) and, on PostgreSQL, simultaneous declarations of one meeting (exactly one stored)."""
from __future__ import annotations

import threading
from datetime import date, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from survey_app.errors import InputError, StateError
from survey_app.extensions import db
from survey_app.models import AuditEntry, DeclaredMeeting, Survey, User
from survey_app.services.meetings import MAX_PER_VILLAGE, declare_meeting, withdraw_meeting

from ..factories import make_survey
from .accounts import csrf_token, token

EVENING, LATE = time(19, 0), time(21, 0)


def _survey(app, status: str = "open") -> tuple[int, int, date]:
    """A survey of the home commune; returns (survey id, the first village's frame id, its first day)."""
    survey_id, _issued = make_survey(app, status=status)
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        return survey_id, survey.frame[0].id, survey.start_date


def _count(app) -> int:
    with app.app_context():
        return db.session.execute(select(func.count()).select_from(DeclaredMeeting)).scalar_one()


def test_declare_list_and_withdraw_through_the_console_audited(app, world, as_user):
    survey_id, village, first = _survey(app)
    client = as_user("staff_commune")
    url = f"/staff/surveys/{survey_id}/meetings"
    page = client.get(url).get_data(as_text=True)
    assert "Khai báo một buổi họp" in page and "Chưa khai báo buổi họp nào." in page
    assert "Họp thôn" in client.get(f"/staff/surveys/{survey_id}/coverage").get_data(as_text=True)
    done = client.post(url, data={"csrf_token": csrf_token(page), "village": village, "day": first.isoformat(),
                                  "start": "19:00", "end": "21:30", "note": "  Nhà   văn hóa  "},
                       follow_redirects=True).get_data(as_text=True)
    assert "Đã khai báo buổi họp của Thôn Một từ 19:00" in done and "Nhà văn hóa" in done
    with app.app_context():
        meeting = db.session.execute(select(DeclaredMeeting)).scalar_one()
        assert (meeting.ends_at - meeting.starts_at) == timedelta(hours=2, minutes=30)
        assert meeting.starts_at.hour == 12 and meeting.note == "Nhà văn hóa"  # 19:00 in Vietnam is 12:00 UTC
        assert db.session.get(User, meeting.created_by_id).username == "staff_commune"
        meeting_id = meeting.id
    again = client.post(f"{url}/{meeting_id}/withdraw", data={"csrf_token": csrf_token(done)},
                        follow_redirects=True).get_data(as_text=True)
    assert "Đã rút khai báo buổi họp" in again and _count(app) == 0
    with app.app_context():
        actions = db.session.execute(select(AuditEntry.action, AuditEntry.details).where(
            AuditEntry.action.like("meeting.%")).order_by(AuditEntry.id)).all()
    assert [a for a, _d in actions] == ["meeting.declare", "meeting.withdraw"]
    assert actions[1][1]["start"] == actions[0][1]["start"] and actions[1][1]["note"] == "Nhà văn hóa"


def test_auditors_and_other_communes_cannot_declare(app, world, as_user):
    survey_id, village, first = _survey(app)
    url = f"/staff/surveys/{survey_id}/meetings"
    form = {"village": village, "day": first.isoformat(), "start": "19:00", "end": "21:00"}
    auditor = as_user("auditor_province")
    page = auditor.get(url)
    assert page.status_code == 200 and "Khai báo một buổi họp" not in page.get_data(as_text=True)
    assert auditor.post(url, data=form | {"csrf_token": token(auditor)}).status_code == 403
    elsewhere = as_user("staff_elsewhere")
    assert elsewhere.get(url).status_code == 403
    assert _count(app) == 0


def test_declarations_that_cannot_be_right_are_refused_in_vietnamese(app, world):
    survey_id, village, first = _survey(app)
    other_id, other_village, _ = _survey(app)
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        refused = {
            "outside the window": (village, first - timedelta(days=1), EVENING, LATE, "thời gian lấy ý kiến"),
            "after the window": (village, survey.end_date + timedelta(days=1), EVENING, LATE, "thời gian lấy ý kiến"),
            "ends before it starts": (village, first, LATE, EVENING, "Giờ kết thúc phải sau giờ bắt đầu"),
            "same minute": (village, first, EVENING, EVENING, "Giờ kết thúc phải sau giờ bắt đầu"),
            "too long": (village, first, time(7, 0), time(13, 30), "tối đa 6 giờ"),
            "another survey's village": (other_village, first, EVENING, LATE, "không thuộc danh sách"),
        }
        for why, (frame, day, start, end, message) in refused.items():
            with pytest.raises(InputError, match=message):
                declare_meeting(survey, frame, day, start, end)
            db.session.rollback()
        declare_meeting(survey, village, first, EVENING, LATE)
        with pytest.raises(InputError, match="trùng thời gian"):
            declare_meeting(survey, village, first, time(20, 30), time(22, 0))
        with pytest.raises(InputError, match="tối đa 200"):
            declare_meeting(survey, village, first + timedelta(days=1), EVENING, LATE, "x" * 201)
        for day in range(1, MAX_PER_VILLAGE):
            declare_meeting(survey, village, first + timedelta(days=day), EVENING, LATE)
        with pytest.raises(InputError, match="số tối đa"):
            declare_meeting(survey, village, first, time(7, 0), time(8, 0))
        with pytest.raises(InputError, match="Không có buổi họp này"):
            withdraw_meeting(db.session.get(Survey, other_id), 1)
        db.session.commit()
    assert _count(app) == MAX_PER_VILLAGE


@pytest.mark.parametrize("status, allowed", [("draft", False), ("open", True), ("closed", True),
                                             ("published", False)])
def test_declarations_follow_the_lifecycle(app, world, status, allowed):
    survey_id, village, first = _survey(app, status)
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        if allowed:
            declare_meeting(survey, village, first, EVENING, LATE)
            db.session.commit()
        else:
            with pytest.raises(StateError):
                declare_meeting(survey, village, first, EVENING, LATE)
            db.session.rollback()
    assert _count(app) == int(allowed)


FIELD = st.one_of(st.text(max_size=40), st.sampled_from(["", "19:00", "25:61", "2026-02-30", "-1", "9" * 40,
                                                          "19:00:00", "٣:٠٠", "\x00", "2026-12-01"]))


@pytest.fixture
def meetings_page(app, world, as_user):
    """A logged-in staff client and the meetings page of an open survey."""
    survey_id, _village, _first = _survey(app)
    return as_user("staff_commune"), f"/staff/surveys/{survey_id}/meetings"


@settings(max_examples=60)
@given(village=FIELD, day=FIELD, start=FIELD, end=FIELD, note=st.text(max_size=300))
def test_any_form_input_is_answered_without_a_server_error(meetings_page, village, day, start, end, note):
    client, url = meetings_page
    csrf = csrf_token(client.get(url).get_data(as_text=True))
    fields = {"village": village, "day": day, "start": start, "end": end, "note": note}
    answer = client.post(url, data={"csrf_token": csrf} | fields)
    refused_by_the_app = any("\x00" in value for value in fields.values())  # NUL characters: a 400 everywhere
    assert answer.status_code == (400 if refused_by_the_app else 302), answer.get_data(as_text=True)[:300]
    assert client.get(url).status_code == 200


@pytest.fixture
def postgres_only(app):
    """Skip the SQLite variant: SQLite lets one writer at a time, the race is PostgreSQL's."""
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("PostgreSQL only")


@pytest.mark.postgres
def test_simultaneous_declarations_of_one_meeting_store_exactly_one(app, postgres_only, world):
    survey_id, village, first = _survey(app)
    threads_count = 12
    barrier = threading.Barrier(threads_count, timeout=60)
    outcomes: list = [None] * threads_count

    def declare(index: int) -> None:
        with app.app_context():
            try:
                survey = db.session.get(Survey, survey_id)
                barrier.wait()
                declare_meeting(survey, village, first, EVENING, time(20, index % 3 * 10 + 30))
                db.session.commit()
                outcomes[index] = "stored"
            except InputError:
                db.session.rollback()
                outcomes[index] = "refused"
            except Exception as exc:  # noqa: BLE001 - reported by the assertion below
                db.session.rollback()
                outcomes[index] = repr(exc)
            finally:
                db.session.remove()

    for _round in range(3):
        threads = [threading.Thread(target=declare, args=(i,)) for i in range(threads_count)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert sorted(outcomes) == ["refused"] * (threads_count - 1) + ["stored"], outcomes
        with app.app_context():
            meeting = db.session.execute(select(DeclaredMeeting)).scalar_one()
            withdraw_meeting(db.session.get(Survey, survey_id), meeting.id)
            db.session.commit()
        barrier.reset()
    with app.app_context():
        declared = db.session.execute(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "meeting.declare")).scalar_one()
    assert declared == 3
