"""The results JSON says what its numbers assume (issue 15, item 4): the non-response bounds first, then the
model-based intervals with their methods, and the assumption in one sentence, built in one place
(``services/results_uncertainty``) that the results page and the report follow."""
from __future__ import annotations

import json
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

import analysis
from survey_app import create_app
from survey_app.exports.uncertainty import uncertainty as worded
from survey_app.extensions import db
from survey_app.models import Survey
from survey_app.services.responses import Submission, find_code, submit
from survey_app.services.results_statistics import Stratified
from survey_app.services.results_uncertainty import ASSUMPTION, intervals, uncertainty
from survey_app.services.surveys import transition

from ..factories import make_survey
from .factories import _answers

STRATIFIED_METHODS = ["logit-t", "wald-t", "exact-hypergeometric", "exact-binomial-limit",
                      "exact-hypergeometric-strata", "exact-binomial-limit-strata", "nonresponse-bounds"]


@pytest.fixture(scope="module")
def text_app():
    """An application for wording only (no database is touched)."""
    return create_app({"TESTING": True, "SECRET_KEY": "k", "SURVEY_CODE_KEY": "k", "SURVEY_AUDIT_KEY": "k",
                       "SQLALCHEMY_DATABASE_URI": "sqlite://", "RATELIMIT_STORAGE_URI": "memory://"})


@st.composite
def counts(draw):
    households = draw(st.integers(1, 10**9))
    respondents = draw(st.integers(1, min(households, 10**6)))
    satisfied = draw(st.integers(0, respondents))
    threshold = draw(st.none() | st.fractions(Fraction(1, 100), 1, max_denominator=10_000))
    return households, respondents, satisfied, threshold


@given(sample=counts(), method=st.none() | st.sampled_from(STRATIFIED_METHODS))
def test_the_bounds_come_first_and_only_the_model_assumes(sample, method):
    households, respondents, satisfied, threshold = sample
    found = intervals(satisfied, respondents, households, threshold)
    stratified = None if method is None else Stratified(
        estimate=found.wilson_fpc.low, standard_error=0.0, low=found.wilson_fpc.low, high=found.wilson_fpc.high,
        degrees_of_freedom=1, design_effect=None, interval_method=method, unestimable_villages=0,
        variance_complete=True)
    reading = uncertainty(found, stratified, respondents, households)
    first, *model = reading.ranges
    bounds = analysis.nonresponse_bounds(satisfied, respondents, households)
    assert (first.figure, first.method, first.low, first.high) == ("nonresponse", "nonresponse-bounds",
                                                                    bounds.worst, bounds.best)
    assert not first.assumes_random_response
    if respondents == households:  # a census assumes nothing and has nothing to add
        assert reading.assumption is None and model == []
        return
    assert reading.assumption == ASSUMPTION
    assert [r.figure for r in model] == ["wilson_fpc", "hypergeometric"] + (["stratified"] if method else [])
    assert model[0].method == "wilson-fpc"
    assert model[1].method == ("exact-binomial-limit" if households > analysis.hypergeometric.EXACT_MAX_POPULATION
                               else "exact-hypergeometric")
    assert all(r.assumes_random_response == (r.method != "nonresponse-bounds") for r in model)
    if threshold is not None:
        assert found.threshold_test.method in ("exact-hypergeometric", "binomial-limit")


def test_the_page_words_the_figures_in_the_documents_order(text_app):
    found = intervals(3, 5, 7, Fraction(9, 10))
    document = {"intervals": found.model_dump(mode="json"), "stratified": None, "satisfied": 3,
                "uncertainty": uncertainty(found, None, 5, 7).model_dump(mode="json")}
    with text_app.test_request_context("/"):
        as_given = worded(document, 7, 5)
        document["uncertainty"]["ranges"][1:] = document["uncertainty"]["ranges"][:0:-1]  # exact one first
        reversed_ = worded(document, 7, 5)
    assert as_given.model[0].startswith("Với độ tin cậy 95") and as_given.model[1].startswith("Tính chính xác")
    assert reversed_.model[0].startswith("Tính chính xác") and reversed_.model[-1].startswith("Với độ tin cậy")
    assert as_given.assumption == ASSUMPTION


def test_the_cli_json_reads_bounds_first_and_a_census_assumes_nothing(app, runner, tmp_path):
    survey_id, issued = make_survey(app, villages=(("T01", "Thôn Một", 2), ("T02", "Thôn Hai", 3)))
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        items = tuple(item["key"] for item in survey.template["items"])
        for slip in issued[:2]:  # Thôn Một answered in full
            submit(survey, find_code(slip.code), Submission(_answers(items)))
        transition(survey, "close", actor_name="test")
        db.session.commit()
    out = tmp_path / "results.json"
    result = runner.invoke(args=["results", str(survey_id), "--format", "json", "--out", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    overall = json.loads(text)["overall"]
    assert overall["uncertainty"]["ranges"][0]["low"] == 2 / 5 and overall["uncertainty"]["ranges"][0]["high"] == 1
    assert overall["uncertainty"]["assumption"] == ASSUMPTION
    assert text.index('"nonresponse"') < text.index('"wilson_fpc"')  # in the file's own order too
    census_id, census_codes = make_survey(app, villages=(("T01", "Thôn Một", 2),))
    with app.app_context():
        survey = db.session.get(Survey, census_id)
        for slip in census_codes:
            submit(survey, find_code(slip.code), Submission(_answers(items)))
        transition(survey, "close", actor_name="test")
        db.session.commit()
    result = runner.invoke(args=["results", str(census_id), "--format", "json", "--out", str(out)])
    assert result.exit_code == 0, result.output
    reading = json.loads(out.read_text(encoding="utf-8"))["overall"]["uncertainty"]
    assert reading == {"assumption": None, "ranges": [{"figure": "nonresponse", "method": "nonresponse-bounds",
                                                       "low": 1.0, "high": 1.0, "assumes_random_response": False}]}
