"""On PostgreSQL the database writes the raw responses with COPY (issue 18, item 3): the same bytes as the
Python writer, for any text residents and staff typed, any time of day, corrections and missing answers."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import delete, select, update

from survey_app.exports.raw import prepare_raw, python_chunks, raw_chunks
from survey_app.exports.raw_copy import quoted
from survey_app.extensions import db
from survey_app.models import Answer, AnswerValue, Channel, Response, ResponseVersion, Survey
from survey_app.services import paper
from survey_app.services.responses import Submission, find_code, submit

from ..factories import make_survey
from .test_exports_hostile import FUZZ, TEXT, _hostile_answers, _hostile_names, storable

POSTGRES = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
S, N, B = AnswerValue.SATISFIED, AnswerValue.NOT_SATISFIED, AnswerValue.BLANK
#: Backslashes and control characters: what COPY's text format escapes on the way out.
ESCAPED = "a\\nb\\\\c\\.\r\n\t\x0b\x0c\x08\x1b\\"
MOMENTS = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2090, 12, 31), timezones=st.just(UTC))


@pytest.fixture
def copy_survey(app):
    """An open survey of two villages with ten codes (each example is undone)."""
    survey_id, issued = make_survey(app, villages=(("T01", "Thôn Một", 6), ("T02", "Thôn Hai", 4)))
    return survey_id, [slip.code for slip in issued]


def both(survey: Survey, as_of: datetime | None = None) -> tuple[bytes, bytes]:
    export = prepare_raw(survey, as_of)
    return b"".join(raw_chunks(export)), b"".join(python_chunks(export))


def _corrected_paper(survey: Survey, code: str, text: str) -> None:
    """A paper phiếu stored a day ago and corrected now (version 2), with hostile reasons in both versions."""
    items = [item["key"] for item in survey.template["items"]]
    first = Submission({key: S for key in items}, reasons={items[0]: text}, opinion=text, channel=Channel.PAPER)
    submit(survey, find_code(code), first)
    response = db.session.execute(select(Response).where(Response.channel == Channel.PAPER)).scalars().first()
    db.session.execute(update(ResponseVersion).where(ResponseVersion.response_id == response.id)
                       .values(created_at=datetime.now(UTC) - timedelta(days=1)))
    second = Submission({key: N for key in items} | {items[1]: B}, reasons={items[2]: text + "'"}, opinion="-" + text,
                        channel=Channel.PAPER)
    paper.correct_response(survey, response, second, "Nhập nhầm cả phiếu")


@POSTGRES
@FUZZ
@given(data=st.data())
def test_copy_writes_the_same_bytes_as_python(app, copy_survey, data):
    survey_id, codes = copy_survey
    with app.test_request_context():
        survey = db.session.get(Survey, survey_id)
        try:
            _hostile_names(survey, data)
            _hostile_answers(survey, codes[:8], data)
            _corrected_paper(survey, codes[8], storable(data.draw(TEXT, label="paper text")))
            for response_id in db.session.execute(select(Response.id)).scalars():
                db.session.execute(update(Response).where(Response.id == response_id)
                                   .values(submitted_at=data.draw(MOMENTS, label="submitted at")))
            missing = data.draw(st.integers(0, 3), label="answers missing")
            ids = db.session.execute(select(Answer.id).where(Answer.is_current).limit(missing)).scalars().all()
            db.session.execute(delete(Answer).where(Answer.id.in_(ids)))
            db.session.flush()
            as_of = data.draw(st.sampled_from([None, datetime.now(UTC) - timedelta(hours=1)]), label="as of")
            copied, written = both(survey, as_of)
            assert copied == written
            assert copied.startswith("\ufeff".encode()) and copied.count(b"\r\n") >= (2 if as_of else 10)
        finally:
            db.session.rollback()


@POSTGRES
def test_escaped_characters_and_quotes_come_back_as_stored(app, copy_survey):
    survey_id, codes = copy_survey
    with app.test_request_context():
        survey = db.session.get(Survey, survey_id)
        items = [item["key"] for item in survey.template["items"]]
        for index, text in enumerate((ESCAPED, '=1+2,"x"', "@\\", "+\r", "\t-", "", " ")):
            submit(survey, find_code(codes[index]), Submission({key: N for key in items},
                                                                reasons={items[0]: text}, opinion=text))
        db.session.flush()
        copied, written = both(survey)
        assert copied == written
        assert ESCAPED.replace('"', '""').encode() in copied and b"'=1+2" in copied
        db.session.rollback()


def test_a_field_is_quoted_as_the_csv_module_quotes_it():
    import csv
    import io

    for text in ("", "a", "a,b", 'say "hi"', "line\nbreak", "cr\r", "x;y", " ", "'=1"):
        buffer = io.StringIO()
        csv.writer(buffer, dialect="excel").writerow(["x", text])
        assert buffer.getvalue() == f"x,{quoted(text)}\r\n"
