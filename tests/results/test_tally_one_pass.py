"""The tally reads every count in one statement (issue 18, item 5) and still counts what is stored."""
from __future__ import annotations

from collections import Counter

from sqlalchemy import event, select

from survey_app.extensions import db
from survey_app.models import Answer, CodeStatus, HouseholdCode, Response, Survey
from survey_app.services import issuing
from survey_app.services.tally import compute_tallies

from .factories import build_hand_counted


def test_answers_channels_and_slips_are_read_in_one_statement(app):
    counted = build_hand_counted(app)
    statements = []
    with app.app_context():
        survey = db.session.get(Survey, counted.survey_id)
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            tallies = compute_tallies(survey)
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
    counts = [s for s in statements if "answer" in s or "household_code" in s or "response" in s]
    assert len(counts) == 1, statements  # the frame, the counts, the communes' names: three statements
    assert len(statements) == 3, statements
    assert tallies.tally.respondents == 5 and tallies.channels == {"web": 4, "paper": 1, "meeting": 0}


def test_the_one_pass_counts_what_is_stored(app):
    """Answers of every value, two channels and a voided slip: the tally equals counting the stored rows."""
    counted = build_hand_counted(app, status="open")
    with app.app_context():
        survey = db.session.get(Survey, counted.survey_id)
        issuing.void_and_replace(survey, 7, actor_name="test", reason="mất phiếu")
        db.session.commit()
        tallies = compute_tallies(survey)
        frames = {v.frame_id: v for v in tallies.villages}
        rows = db.session.execute(select(Answer.frame_village_id, Answer.item_key, Answer.value)
                                  .where(Answer.survey_id == survey.id, Answer.is_current)).all()
        by_value = Counter(rows)
        for village, unit in zip(tallies.villages, tallies.tally.units, strict=True):
            for key, item in unit.items.items():
                assert (item.satisfied, item.not_satisfied, item.blank) == tuple(
                    by_value[(village.frame_id, key, value)] for value in (1, 2, 0))
        channels = Counter(db.session.execute(select(Response.frame_village_id, Response.channel)).all())
        for frame_id in frames:
            assert tallies.channels_by_village[frame_id] == {
                c: channels[(frame_id, c)] for c in ("web", "paper", "meeting")}
        slips = Counter(db.session.execute(select(HouseholdCode.frame_village_id)
                                           .where(HouseholdCode.status != CodeStatus.VOIDED)).scalars())
        assert tallies.handed_out == dict(slips) and sum(slips.values()) == 7
