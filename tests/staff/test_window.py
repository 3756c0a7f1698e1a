"""The survey window follows guidance 90/HD: weekends only by default, public holidays as a per-survey option.

Tết Đinh Mùi falls on Saturday 6 February 2027; python-holidays gives Thursday 4 (29 Tết), Friday 5 (giao
thừa), Monday 8 to Wednesday 10 (mùng ba to mùng năm, two of them instead of the weekend) as days off. From
Monday 25 January 2027, 20 days not counting Saturdays and Sundays end on Friday 19 February; leaving out
those five holidays too moves the end to Friday 26 February.
"""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from survey_app.extensions import db
from survey_app.models import AuditEntry, Survey
from survey_app.services import collection_progress
from survey_app.services.collection_progress import working_days_left
from survey_app.services.surveys import create_survey, transition
from survey_app.services.units import FrameRow
from survey_app.services.window import Counting, counting_from, window_end

from .accounts import token

pytestmark = pytest.mark.usefixtures("planning_day")

TET_START = date(2027, 1, 25)
TET_END = {False: date(2027, 2, 19), True: date(2027, 2, 26)}
TET_HOLIDAYS = ("04/02/2027 (29 Tết), 05/02/2027 (Giao thừa Tết Nguyên Đán), 08/02/2027 (Mùng ba Tết Nguyên Đán), "
                "09/02/2027 (Mùng bốn Tết Nguyên Đán), 10/02/2027 (Mùng năm Tết Nguyên Đán)")


def _new_survey(client, start: date, skip: bool, button: str = "preview"):
    data = {"csrf_token": token(client), "unit_code": "21040", "template": "xa-ntm-2026",
            "start": start.isoformat(), "margin": "0.05", button: "1"}
    if skip:
        data["skip_holidays"] = "y"
    return client.post("/staff/surveys/new?unit=21040", data=data)


@pytest.fixture
def village(app, world):
    from survey_app.services.units import upsert_village

    with app.app_context():
        village_id = upsert_village("21040", "T01", "Thôn Một", 3).id
        db.session.commit()
    return village_id


@pytest.mark.parametrize("skip", [False, True])
def test_the_preview_shows_the_end_both_ways_and_the_holidays_by_name(app, as_user, skip):
    page = _new_survey(as_user("staff_commune"), TET_START, skip).get_data(as_text=True)
    assert f"<strong>{TET_END[skip]:%d/%m/%Y}</strong>" in page  # the end of the counting chosen
    assert f"Nếu chỉ không tính thứ Bảy, Chủ nhật: kết thúc ngày {TET_END[False]:%d/%m/%Y}." in page
    assert f"Nếu không tính cả ngày nghỉ lễ, Tết: kết thúc ngày {TET_END[True]:%d/%m/%Y}." in page
    assert f"Ngày nghỉ lễ vẫn được tính: {TET_HOLIDAYS}." in page
    assert f"Ngày nghỉ lễ không tính: {TET_HOLIDAYS}." in page
    checkbox = re.search(r'<input[^>]*id="skip_holidays"[^>]*>', page).group(0)
    assert (" checked" in checkbox) is skip  # the choice is kept across previews


@pytest.mark.parametrize("skip", [False, True])
def test_the_survey_keeps_the_counting_chosen_and_its_page_says_which(app, as_user, village, skip):
    client = as_user("staff_commune")
    data = {"csrf_token": token(client), "unit_code": "21040", "template": "xa-ntm-2026",
            "start": TET_START.isoformat(), "margin": "0.05", "create": "1", "villages-0-village_id": str(village),
            "villages-0-include": "y", "villages-0-households": "3"} | ({"skip_holidays": "y"} if skip else {})
    created = client.post("/staff/surveys/new?unit=21040", data=data)
    assert created.status_code == 302, created.get_data(as_text=True)
    with app.app_context():
        survey = db.session.query(Survey).one()
        assert (survey.end_date, survey.skip_holidays) == (TET_END[skip], skip)
        audited = db.session.query(AuditEntry).filter_by(action="survey.create").one().details
        assert audited["skip_holidays"] is skip and audited["end"] == TET_END[skip].isoformat()
    page = client.get(created.headers["Location"]).get_data(as_text=True)
    assert f"{TET_START:%d/%m/%Y} – {TET_END[skip]:%d/%m/%Y}" in page
    said = page.split('id="window-counting">')[1].split("<")[0]
    assert ("ngày nghỉ lễ vẫn được tính" in said) is not skip
    assert ("các ngày nghỉ lễ, Tết" in said) is skip


@pytest.mark.parametrize(("start", "config", "ends"), [
    # Saturday 22 August 2026 is worked for Monday 31 August off (python-holidays' weekend_workdays)
    (date(2026, 8, 10), (), {False: date(2026, 9, 3), True: date(2026, 9, 8)}),
    # weekend days declared later, in the configuration: each counts, the window ends a day earlier
    (date(2026, 3, 2), (), {False: date(2026, 3, 27), True: date(2026, 3, 27)}),
    (date(2026, 3, 2), ("2026-03-07",), {False: date(2026, 3, 26), True: date(2026, 3, 26)}),
    (date(2026, 3, 2), ("2026-03-07", "2026-03-08"), {False: date(2026, 3, 25), True: date(2026, 3, 25)}),
])
@pytest.mark.parametrize("skip", [False, True])
def test_a_saturday_declared_a_working_day_counts(app, as_user, start, config, ends, skip):
    app.config["SURVEY_WORKING_WEEKENDS"] = config
    page = _new_survey(as_user("staff_commune"), start, skip).get_data(as_text=True)
    assert f"<strong>{ends[skip]:%d/%m/%Y}</strong>" in page
    worked = "22/08/2026" if start.month == 8 else ", ".join(f"{date.fromisoformat(d):%d/%m/%Y}" for d in config)
    assert (f"Ngày thứ Bảy, Chủ nhật làm bù được tính: {worked}." in page) is (start.month == 8 or bool(config))


def _counted_days_agree(survey: Survey) -> list[date]:
    """Each day from before the start to after the end where days left and the window disagree."""
    counting = counting_from(survey.start_date, survey.skip_holidays)
    wrong = []
    day = survey.start_date - timedelta(days=3)
    while day <= survey.end_date + timedelta(days=2):
        left = working_days_left(survey, day)
        if day < survey.start_date:
            ok = left == 20
        elif day > survey.end_date:
            ok = left == 0
        else:  # from the next counted day, `left` counted days end exactly on the survey's last day
            first = next(d for d in (day + timedelta(days=n) for n in range(30)) if counting.counts(d))
            ok = left == 0 if first > survey.end_date else window_end(first, left, counting) == survey.end_date
        if not ok:
            wrong.append(day)
        day += timedelta(days=1)
    return wrong


@pytest.mark.parametrize("start", [TET_START, date(2026, 8, 10), date(2026, 4, 20), date(2026, 12, 21)])
@pytest.mark.parametrize("skip", [False, True])
def test_days_left_count_as_the_window_was_counted(app, world, start, skip):
    with app.app_context():
        survey = create_survey("xa-ntm-2026", "21040", [FrameRow(2, "T01", "Thôn Một", 3)], start=start,
                               skip_holidays=skip, actor_name="test")
        transition(survey, "open", actor_name="test")
        assert working_days_left(survey, start) == 20
        assert _counted_days_agree(survey) == []
        if start == TET_START:  # Monday 8 February 2027, mùng ba: counted only when holidays are not skipped
            assert working_days_left(survey, date(2027, 2, 8)) == (12 if skip else 10)


def test_the_coverage_page_counts_like_the_window(app, as_user, world, monkeypatch):
    with app.app_context():
        survey = create_survey("xa-ntm-2026", "21040", [FrameRow(2, "T01", "Thôn Một", 3)], start=TET_START,
                               actor_name="test")
        transition(survey, "open", actor_name="test")
        db.session.commit()
        survey_id = survey.id
    monkeypatch.setattr(collection_progress, "vietnam_today", lambda: date(2027, 2, 8))
    page = as_user("staff_commune").get(f"/staff/surveys/{survey_id}/coverage").get_data(as_text=True)
    assert "còn 10 ngày làm việc (đến 19/02/2027)" in page  # 8–12 and 15–19 February, the Tết days included


@pytest.mark.parametrize("skip", [False, True])
def test_the_command_line_offers_the_option(app, runner, world, tmp_path, skip):
    frame = tmp_path / "frame.csv"
    frame.write_text("Mã thôn;Tên thôn;Số hộ\nT01;Thôn Một;3\n", encoding="utf-8-sig")
    result = runner.invoke(args=["survey", "create", "--template", "xa-ntm-2026", "--unit", "21040", "--frame",
                                 str(frame), "--start", TET_START.isoformat()] + (["--skip-holidays"] if skip else []))
    assert result.exit_code == 0, result.output
    assert f"window {TET_START} – {TET_END[skip]}" in result.output
    with app.app_context():
        survey = db.session.get(Survey, int(result.output.strip().splitlines()[-1]))
        assert (survey.end_date, survey.skip_holidays) == (TET_END[skip], skip)


_DAYS = st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31))


@given(_DAYS, st.integers(1, 60), st.booleans(), st.frozensets(st.integers(0, 90), max_size=30),
       st.frozensets(st.integers(0, 90), max_size=10))
def test_the_end_is_the_last_of_exactly_that_many_counted_days(start, days, skip, off, worked):
    """Any holidays and working weekends: the window ends on a counted day, the n-th from the start."""
    near = [start + timedelta(days=n) for n in range(91)]
    counting = Counting(skip, frozenset(near[n] for n in off) if skip else frozenset(),
                        frozenset(near[n] for n in worked if near[n].weekday() >= 5))
    end = window_end(start, days, counting)
    assert counting.counts(end) and counting.counted(start, end) == days
    assert counting.counted(start, end - timedelta(days=1)) == days - 1
    assert counting.counted(end + timedelta(days=1), end) == 0  # an empty stretch counts nothing
