"""The configured days off and working weekends are read at a worker's start, never half-way through a request."""
from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from survey_app.ops.checks import calendar_problems, production_problems
from survey_app.services.window import parse_dates

GOOD = {"SECRET_KEY": "k" * 64}


@pytest.mark.parametrize(("setting", "value", "problem"), [
    ("SURVEY_HOLIDAYS", ["2027-12-31"], None),
    ("SURVEY_WORKING_WEEKENDS", ["2026-08-22", "2026-08-23"], None),  # a Saturday and a Sunday
    ("SURVEY_WORKING_WEEKENDS", ["2026-08-24"], "is not a Saturday or a Sunday"),
    ("SURVEY_HOLIDAYS", ["2027-02-30"], "is not a date written YYYY-MM-DD"),
    ("SURVEY_HOLIDAYS", ["2027-W01-1"], "is not a date written YYYY-MM-DD"),  # ISO, but a week date
    ("SURVEY_HOLIDAYS", ["20271231"], "is not a date written YYYY-MM-DD"),
    ("SURVEY_HOLIDAYS", [20271231], "is not a date written YYYY-MM-DD"),
    ("SURVEY_WORKING_WEEKENDS", "2026-08-22", "must be a list of dates"),
])
def test_a_bad_day_stops_the_worker(setting, value, problem):
    fatal, _warnings = production_problems(GOOD | {setting: value})
    if problem is None:
        assert fatal == []
    else:
        assert len(fatal) == 1 and fatal[0].startswith(setting) and problem in fatal[0]


@given(st.one_of(st.lists(st.one_of(st.text(max_size=12), st.dates().map(date.isoformat), st.integers(),
                                    st.none())), st.text(max_size=12), st.integers(), st.none()),
       st.booleans())
def test_any_setting_is_refused_with_a_reason_or_readable(value, weekend):
    name = "SURVEY_WORKING_WEEKENDS" if weekend else "SURVEY_HOLIDAYS"
    problems = calendar_problems({name: value})
    if not problems:
        days = parse_dates(value)
        assert len(days) <= len(value)
        assert not weekend or all(day.weekday() >= 5 for day in days)
