"""The coverage dashboard: per village households, codes, answers by channel, the quorum, days left."""
from __future__ import annotations

from datetime import date
from fractions import Fraction

from sqlalchemy import event

from survey_app.extensions import db
from survey_app.models import Channel, Survey
from survey_app.services.collection_progress import survey_coverage
from survey_app.services.responses import Submission, find_code, submit

from ..factories import make_survey


def _answer(app, survey_id, issued, channels):
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        for slip, channel in zip(issued, channels, strict=False):
            if channel:
                submit(survey, find_code(slip.code), Submission({}, channel=channel))
        db.session.commit()


def test_counts_per_village_and_totals(app):
    survey_id, issued = make_survey(app, villages=(("T01", "Thôn Một", 5), ("T02", "Thôn Hai", 4)),
                                    spare=0.25)
    # T01 has serials 1–7 (5 + 2 spare), T02 has 8–12 (4 + 1 spare)
    _answer(app, survey_id, issued, [Channel.WEB, Channel.WEB, Channel.PAPER, None, None, None, None,
                                      Channel.MEETING, None, None, None, None])
    with app.app_context():
        coverage = survey_coverage(db.session.get(Survey, survey_id), today=date(2026, 1, 1))
    one, two = coverage.rows
    counts = (one.households, one.codes_issued, one.web, one.paper, one.meeting, one.answered)
    assert counts == (5, 7, 2, 1, 0, 3)
    assert one.rate == Fraction(3, 5) and one.meets_quorum is True and one.still_needed == 0  # 60 % of 5 = 3
    assert (two.answered, two.rate, two.meets_quorum, two.still_needed) == (1, Fraction(1, 4), False, 2)
    total = coverage.total
    assert (total.households, total.codes_issued, total.answered) == (9, 12, 4)
    assert coverage.quorum == Fraction(3, 5) and total.still_needed == 2 and total.meets_quorum is False


def test_queries_do_not_grow_with_the_answers(app):
    survey_id, issued = make_survey(app, villages=(("T01", "Thôn Một", 30),))
    statements = []

    def count(*args):
        statements.append(args[2])

    def measure():
        statements.clear()
        with app.app_context():
            event.listen(db.engine, "before_cursor_execute", count)
            try:
                survey_coverage(db.session.get(Survey, survey_id))
            finally:
                event.remove(db.engine, "before_cursor_execute", count)
        return len(statements)

    _answer(app, survey_id, issued[:2], [Channel.WEB, Channel.PAPER])
    few = measure()
    _answer(app, survey_id, issued[2:], [Channel.WEB] * 28)
    assert measure() == few <= 5


def test_dashboard_page_is_readable_on_a_phone(app, as_user, world):
    survey_id, issued = make_survey(app)
    _answer(app, survey_id, issued, [Channel.WEB, Channel.PAPER, None, Channel.MEETING])
    page = as_user("auditor_province").get(f"/staff/surveys/{survey_id}/coverage").get_data(as_text=True)
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert 'class="cards coverage"' in page and 'data-label="Qua mạng"' in page
    assert "Thôn Một" in page and "Thôn Hai" in page
    assert "qua mạng 1 · phiếu giấy 1 · họp thôn 1" in page
    assert "còn" in page and "ngày làm việc" in page
    assert "66,6" in page  # 2 of 3 households in Thôn Một, cut not rounded: 66,6 %
    with as_user("auditor_province").get("/staff/static/staff.css") as response:
        css = response.get_data(as_text=True)
    assert "@media (max-width:40rem)" in css and "attr(data-label)" in css
