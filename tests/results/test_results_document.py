"""The results document computed through the database matches a hand count."""
from __future__ import annotations

from fractions import Fraction

from survey_app.extensions import db
from survey_app.models import Survey
from survey_app.services.results import results_document

from .conftest import FIRST, OTHER, OVERALL, build_hand_counted


def _document(app, survey_id):
    with app.app_context():
        return results_document(db.session.get(Survey, survey_id))


def test_hand_count_overall_items_villages(app, hand_counted):
    document = _document(app, hand_counted.survey_id)
    assert document["coverage"]["households"] == 7
    assert document["coverage"]["respondents"] == 5
    assert document["coverage"]["handed_out"] == 7 and document["coverage"]["missing"] == 2
    assert document["coverage"]["rate"] == float(Fraction(5, 7))
    assert document["coverage"]["channels"] == {"web": 4, "paper": 1, "meeting": 0}
    items = {item["key"]: item for item in document["items"]}
    assert set(items) == set(hand_counted.items) and len(items) == 11
    assert (items[FIRST]["satisfied"], items[FIRST]["not_satisfied"], items[FIRST]["blank"]) == (2, 2, 1)
    assert items[FIRST]["rate"] == 0.4
    overall = items[OVERALL]
    assert (overall["satisfied"], overall["not_satisfied"], overall["blank"]) == (3, 2, 0)
    assert items[OVERALL]["rate"] == 0.6
    assert (items[OTHER]["satisfied"], items[OTHER]["not_satisfied"]) == (4, 1)
    villages = {v["code"]: v for v in document["villages"]}
    assert (villages["T01"]["households"], villages["T01"]["respondents"]) == (4, 3)
    assert (villages["T02"]["households"], villages["T02"]["respondents"]) == (3, 2)
    t01 = {i["key"]: i for i in villages["T01"]["items"]}
    t02 = {i["key"]: i for i in villages["T02"]["items"]}
    assert (t01[OVERALL]["satisfied"], t01[OVERALL]["not_satisfied"]) == (2, 1)
    assert (t02[OVERALL]["satisfied"], t02[OVERALL]["not_satisfied"]) == (1, 1)
    assert document["overall"]["satisfied"] == 3 and document["overall"]["respondents"] == 5


def test_hand_count_rules_and_verdict(app, hand_counted):
    document = _document(app, hand_counted.survey_id)
    rules = {rule["kind"]: rule for rule in document["rules"]}
    assert document["verdict"] == "not_met"
    assert rules["item_min"]["met"] is False
    assert (rules["item_min"]["successes"], rules["item_min"]["trials"]) == (2, 5)
    assert rules["item_min"]["deciding_item"] == FIRST
    assert rules["overall_min"]["met"] is False and rules["overall_min"]["deciding_item"] == OVERALL
    assert rules["coverage_min"]["met"] is True
    assert (rules["coverage_min"]["successes"], rules["coverage_min"]["trials"]) == (5, 7)
    for rule in document["rules"]:
        assert {"kind", "threshold", "met", "source", "verified"} <= set(rule)
        assert isinstance(rule["verified"], bool) and 0 < rule["threshold"] <= 1


def test_open_survey_is_incomplete(app):
    survey_id = build_hand_counted(app, status="open").survey_id
    assert _document(app, survey_id)["verdict"] == "incomplete"


def test_intervals_and_bounds_bracket_the_rate(app, hand_counted):
    overall = _document(app, hand_counted.survey_id)["overall"]
    intervals = overall["intervals"]
    assert intervals["wilson_fpc"]["low"] <= 0.6 <= intervals["wilson_fpc"]["high"]
    assert intervals["nonresponse"] == {"worst": 3 / 7, "best": 5 / 7}
