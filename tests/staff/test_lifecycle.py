"""Survey lifecycle through the console, and the window arithmetic (weekends, and holidays when chosen, not counted).

More on the window's two ways of counting in test_window.py.
"""
from __future__ import annotations

from datetime import date

import pytest

from survey_app.extensions import db
from survey_app.models import AuditEntry, Survey, SurveyStatus
from survey_app.services.collection_progress import working_days_left
from survey_app.services.window import Counting, window_end

from ..factories import make_survey
from .accounts import token


@pytest.mark.parametrize(("start", "holidays", "end"), [
    (date(2026, 3, 2), (), date(2026, 3, 27)),  # Monday: four full weeks
    (date(2026, 3, 7), (), date(2026, 4, 3)),  # Saturday: counting starts on Monday 9 March
    # Hùng Kings' day, 30/4 and 1/5
    (date(2026, 4, 20), ("2026-04-27", "2026-04-30", "2026-05-01"), date(2026, 5, 20)),
    (date(2026, 8, 24), ("2026-09-01", "2026-09-02"), date(2026, 9, 22)),  # National Day
])
def test_window_end_skips_weekends_and_holidays(start, holidays, end):
    counting = Counting(True, frozenset(date.fromisoformat(h) for h in holidays), frozenset())
    assert window_end(start, 20, counting) == end


@pytest.mark.parametrize(("skip", "end"), [(True, "30/03/2026"), (False, "27/03/2026")])
@pytest.mark.usefixtures("planning_day")
def test_configured_holiday_moves_the_end_of_a_new_survey_that_skips_holidays(app, as_user, skip, end):
    app.config["SURVEY_HOLIDAYS"] = ("2026-03-10",)
    client = as_user("staff_commune")
    page = client.post("/staff/surveys/new?unit=21040", data={
        "csrf_token": token(client), "unit_code": "21040", "template": "xa-ntm-2026", "start": "2026-03-02",
        "margin": "0.05", "preview": "1"} | ({"skip_holidays": "y"} if skip else {})).get_data(as_text=True)
    assert f"<strong>{end}</strong>" in page  # one holiday: 27 March becomes Monday 30 March, if chosen


@pytest.mark.parametrize(("start", "end", "skipped"), [
    # the Hùng Kings' day (10/3 lunar) falls on Sunday 26 April 2026, so Monday 27 is off; then 30/4 and 1/5
    ("2026-04-20", "20/05/2026", "27/04/2026 (Ngày Giỗ Tổ Hùng Vương (nghỉ bù)), 30/04/2026 (Ngày Chiến thắng), "
                                 "01/05/2026 (Ngày Quốc tế Lao động)"),
    # Tết Bính Ngọ: lunar new year's eve to the fourth day, 16–20 February 2026
    ("2026-02-02", "06/03/2026", "16/02/2026 (Giao thừa Tết Nguyên Đán), 17/02/2026 (Tết Nguyên Đán), "
                                 "18/02/2026 (Mùng hai Tết Nguyên Đán), 19/02/2026 (Mùng ba Tết Nguyên Đán), "
                                 "20/02/2026 (Mùng bốn Tết Nguyên Đán)"),
])
@pytest.mark.usefixtures("planning_day")
def test_official_holidays_are_skipped_when_chosen_even_unconfigured(app, as_user, start, end, skipped):
    app.config["SURVEY_HOLIDAYS"] = ()
    client = as_user("staff_commune")
    page = client.post("/staff/surveys/new?unit=21040", data={
        "csrf_token": token(client), "unit_code": "21040", "template": "xa-ntm-2026", "start": start,
        "margin": "0.05", "preview": "1", "skip_holidays": "y"}).get_data(as_text=True)
    assert f"<strong>{end}</strong>" in page
    assert f"Ngày nghỉ lễ không tính: {skipped}." in page
    assert "SURVEY_HOLIDAYS" in page  # days off announced after the release of python-holidays are configured


@pytest.mark.usefixtures("planning_day")
def test_holiday_names_follow_the_staff_language(app, as_user):
    client = as_user("staff_commune")
    client.get("/ngon-ngu/en")
    page = client.post("/staff/surveys/new?unit=21040", data={
        "csrf_token": token(client), "unit_code": "21040", "template": "xa-ntm-2026", "start": "2026-04-20",
        "margin": "0.05", "preview": "1"}).get_data(as_text=True)
    assert "(Liberation Day/Reunification Day)" in page


@pytest.mark.parametrize("action", ["close", "publish"])
def test_closing_and_publishing_need_a_ticked_confirmation(app, as_user, world, action):
    survey_id, _ = make_survey(app, status="open" if action == "close" else "closed")
    client = as_user("staff_commune")
    before = client.get(f"/staff/surveys/{survey_id}").get_data(as_text=True)
    assert 'name="confirm"' in before and "Tôi xác nhận" in before
    page = _post(client, survey_id, action, confirm="").get_data(as_text=True)
    assert "Hãy đánh dấu ô xác nhận" in page
    with app.app_context():
        assert db.session.get(Survey, survey_id).status is (SurveyStatus.OPEN if action == "close"
                                                           else SurveyStatus.CLOSED)


def test_a_survey_cannot_be_closed_before_its_first_day(app, as_user, world):
    survey_id, _ = make_survey(app, status="open", start=date(2099, 1, 5))
    page = _post(as_user("staff_commune"), survey_id, "close").get_data(as_text=True)
    assert "Chưa đến ngày bắt đầu lấy ý kiến (05/01/2099)" in page
    with app.app_context():
        assert db.session.get(Survey, survey_id).status is SurveyStatus.OPEN


@pytest.mark.parametrize(("skip", "left"), [(True, (5, 19)), (False, (6, 20))])
def test_days_left_counts_working_days_only(app, skip, left):
    survey_id, _ = make_survey(app, start=date(2026, 3, 2))
    app.config["SURVEY_HOLIDAYS"] = ("2026-03-25",)
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        survey.skip_holidays = skip
        assert survey.end_date == date(2026, 3, 27)
        # today (Friday 20), 23, 24, (25 if holidays are counted,) 26, 27 March
        assert working_days_left(survey, date(2026, 3, 20)) == left[0]
        assert working_days_left(survey, date(2026, 3, 1)) == left[1]  # not started: the window (less the holiday)
        assert working_days_left(survey, date(2026, 4, 1)) == 0


def _post(client, survey_id, action, confirm="y"):
    return client.post(f"/staff/surveys/{survey_id}/{action}", data={"csrf_token": token(client), "confirm": confirm},
                       follow_redirects=True)


def test_draft_open_close_publish_and_nothing_else(app, as_user, world):
    survey_id, _ = make_survey(app, status="draft")
    client = as_user("staff_commune")
    assert "Không thể thực hiện" in _post(client, survey_id, "close").get_data(as_text=True)
    for action, status in (("open", SurveyStatus.OPEN), ("close", SurveyStatus.CLOSED),
                           ("publish", SurveyStatus.PUBLISHED)):
        page = _post(client, survey_id, action)
        assert page.status_code == 200
        with app.app_context():
            assert db.session.get(Survey, survey_id).status is status
    assert "Không thể thực hiện" in _post(client, survey_id, "open").get_data(as_text=True)
    with app.app_context():
        actions = [e.action for e in db.session.query(AuditEntry).filter_by(survey_id=survey_id)
                   .order_by(AuditEntry.id)]
        actors = {e.actor_name for e in db.session.query(AuditEntry).filter_by(survey_id=survey_id,
                                                                              action="survey.publish")}
    assert actions[-4:] == ["survey.open", "survey.close", "survey.publish", "results.publish"]
    assert actors == {"staff_commune"}


def test_open_survey_past_its_window_is_closed_to_residents(app, as_user):
    survey_id, issued = make_survey(app, start=date(2020, 1, 6))
    client = as_user("staff_commune")
    assert "đã hết thời gian" in client.get(f"/staff/surveys/{survey_id}").get_data(as_text=True)
    assert app.test_client().get(f"/s/{issued[0].display}").status_code == 403


def test_rules_change_needs_a_justification_and_is_audited(app, as_user):
    survey_id, _ = make_survey(app)
    client = as_user("staff_commune")
    with app.app_context():
        old = db.session.get(Survey, survey_id).rules
    data = {"csrf_token": token(client)}
    for n, rule in enumerate(old):
        data |= {f"rules-{n}-threshold": rule["threshold"], f"rules-{n}-source": rule["source"],
                 f"rules-{n}-note": rule["note"]} | ({f"rules-{n}-verified": "y"} if rule["verified"] else {})
    data["rules-0-threshold"] = "95 %"
    refused = client.post(f"/staff/surveys/{survey_id}/rules", data=data | {"justification": "vì"})
    assert refused.status_code == 422 and "lý do" in refused.get_data(as_text=True)
    bad = client.post(f"/staff/surveys/{survey_id}/rules", data=data | {
        "rules-0-threshold": "150 %", "justification": "Theo công văn 12/MTTQ-BTT ngày 1/3"})
    assert bad.status_code == 422 and "không quá 100 %" in bad.get_data(as_text=True)
    unclear = client.post(f"/staff/surveys/{survey_id}/rules", data=data | {
        "rules-0-threshold": "5", "justification": "Theo công văn 12/MTTQ-BTT ngày 1/3"})
    assert unclear.status_code == 422
    assert "chưa rõ “5” là phần trăm hay tỷ lệ; hãy ghi kèm dấu % (ví dụ 80 %)" in unclear.get_data(as_text=True)
    why = "Theo công văn số 12/MTTQ-BTT của Ban Thường trực tỉnh"
    done = client.post(f"/staff/surveys/{survey_id}/rules", data=data | {"justification": why})
    assert done.status_code == 302
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        assert survey.rules[0]["threshold"] == "0.95" and survey.rules[1:] == old[1:]
        entry = db.session.query(AuditEntry).filter_by(action="survey.rules_change").one()
        assert entry.details["old"] == old and entry.details["new"] == survey.rules
        assert entry.details["justification"] == why


@pytest.mark.parametrize(("typed", "share"), [
    ("0.80", "0.80"), ("0,8", "0.8"), ("80", "0.8"), ("80 %", "0.8"), ("80%", "0.8"), ("85,5 %", "0.855"),
    ("100", "1"), ("1", None), ("1,0", "1"), ("100 %", "1"), ("8", None), ("5", None), ("1.5", None),
    ("8 %", "0.08"), ("0", None), ("101", None), ("66,6667 %", "0.666667"), ("66,66667 %", None),
    ("-5 %", None), ("abc", None), ("NaN", None), ("", None),
])
def test_thresholds_are_read_as_shares_or_percentages(typed, share):
    from decimal import Decimal

    from survey_app.services.surveys import parse_threshold

    assert parse_threshold(typed) == (Decimal(share) if share else None)


def test_auditor_sees_rules_but_cannot_change_them(app, as_user):
    survey_id, _ = make_survey(app)
    client = as_user("auditor_province")
    page = client.get(f"/staff/surveys/{survey_id}").get_data(as_text=True)
    assert "Quy tắc đánh giá" in page and "/rules" not in page and "/close" not in page
    closing = client.post(f"/staff/surveys/{survey_id}/close", data={"csrf_token": token(client), "confirm": "y"})
    assert closing.status_code == 403


def test_survey_page_in_english_translates_the_template_text(app, as_user, world):
    survey_id, _ = make_survey(app, status="open")
    client = as_user("staff_commune")
    html = client.get(f"/staff/surveys/{survey_id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "New rural commune (2026–2030)" in html
    for vietnamese in ("Mặc định có thể điều chỉnh", "Nội dung câu hỏi cần được đối chiếu",
                       "Chưa tìm thấy văn bản quy định"):
        assert vietnamese not in html
    coverage = client.get(f"/staff/surveys/{survey_id}/coverage", headers={"Accept-Language": "en"})
    assert "cần xác nhận" not in coverage.get_data(as_text=True)


def test_a_100_percent_threshold_is_stored_unambiguously_and_an_old_bare_1_still_edits(app, as_user):
    survey_id, _ = make_survey(app)
    client = as_user("staff_commune")
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        survey.rules = [dict(survey.rules[0], threshold="1")] + survey.rules[1:]  # as stored before 2026-11-30
        db.session.commit()
        rules = survey.rules
    data = {"csrf_token": token(client), "justification": "Theo công văn số 12/MTTQ-BTT ngày 1/3"}
    for n, rule in enumerate(rules):
        data |= {f"rules-{n}-threshold": rule["threshold"], f"rules-{n}-source": rule["source"],
                 f"rules-{n}-note": rule["note"]} | ({f"rules-{n}-verified": "y"} if rule["verified"] else {})
    noted = client.post(f"/staff/surveys/{survey_id}/rules", data=data | {"rules-1-note": "Đã đối chiếu văn bản"})
    assert noted.status_code == 302  # the stored "1" is shown and kept as it is
    assert client.post(f"/staff/surveys/{survey_id}/rules", data=data | {
        "rules-0-threshold": "100 %", "rules-1-note": "Đã đối chiếu"}).status_code == 302
    with app.app_context():
        assert db.session.get(Survey, survey_id).rules[0]["threshold"] == "1"  # same value: left as stored
    assert client.post(f"/staff/surveys/{survey_id}/rules", data=data | {
        "rules-0-threshold": "90 %", "rules-1-note": "Đã đối chiếu"}).status_code == 302
    assert client.post(f"/staff/surveys/{survey_id}/rules", data=data | {
        "rules-0-threshold": "100 %", "rules-1-note": "Đã đối chiếu"}).status_code == 302
    with app.app_context():
        assert db.session.get(Survey, survey_id).rules[0]["threshold"] == "1.0"
