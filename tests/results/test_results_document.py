"""The results document computed through the database matches a hand count, its rules name where their
deciding counts are, and its model reads back every document, a publication's included."""
from __future__ import annotations

import json
from fractions import Fraction

from survey_app.exports.tables import unit_names
from survey_app.extensions import db
from survey_app.models import Survey
from survey_app.services import snapshots
from survey_app.services.results import results_document, results_model
from survey_app.services.results_model import ResultsDocument

from .factories import FIRST, OTHER, OVERALL, build_hand_counted
from .test_province import build_province_survey


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


def _cell(document: dict, unit: str | None, item: str | list[str] | None, coverage: bool) -> tuple[int, int]:
    """The (successes, trials) the document shows at a place: a village (``commune/code`` in a province), a
    commune, or the survey; an item, several items added up (an average rule) or coverage."""
    province = document["survey"]["unit_level"] == "province"
    units = {None: document["coverage"] if coverage else document}
    units |= {(f"{v['commune_code']}/{v['code']}" if province else v["code"]): v for v in document["villages"]}
    units |= {c["code"]: c for c in document["communes"]} if province else {}
    place = units[unit]
    if coverage:
        return place["respondents"], place["households"]
    rows = [row for row in place["items"] if row["key"] in ([item] if isinstance(item, str) else item)]
    return (sum(row["satisfied"] for row in rows),
            sum(row["satisfied"] + row["not_satisfied"] + row["blank"] for row in rows))


def _strict_rules(survey: Survey) -> list[dict]:
    """The survey's rules and every per-village kind, at thresholds no random survey meets."""
    return [*survey.rules,
            {"kind": "subunit_item_min", "threshold": "1.0", "subunit": "village", "source": "kế hoạch xã",
             "verified": False},
            {"kind": "coverage_min", "threshold": "1.0", "subunit": "village", "source": "kế hoạch xã",
             "verified": False},
            {"kind": "subunit_average_min", "threshold": "1.0", "subunit": "village", "items": "all_except_overall",
             "source": "kế hoạch xã", "verified": False},
            {"kind": "items_average_min", "threshold": "1.0", "items": [i["key"] for i in survey.template["items"][:2]],
             "source": "kế hoạch", "verified": True}]


def test_each_rule_names_the_place_of_its_deciding_counts(app, hand_counted):
    """The deciding unit and item come from the rules engine; the document's own tables hold those counts."""
    province_id, _count = build_province_survey(app)
    documents = []
    with app.app_context():
        for survey_id in (hand_counted.survey_id, province_id):
            survey = db.session.get(Survey, survey_id)
            survey.rules = _strict_rules(survey)
            documents.append(results_document(survey))
        db.session.rollback()
    for document in documents:
        names = unit_names(document)
        assert {"items_average_min", "subunit_average_min"} <= {rule["kind"] for rule in document["rules"]}
        for rule in document["rules"]:
            coverage = rule["kind"] == "coverage_min"
            item = rule.get("averaged_items") or rule["deciding_item"]
            assert _cell(document, rule["deciding_unit"], item, coverage) == (rule["successes"], rule["trials"]), rule
            assert ("averaged_items" in rule) == rule["kind"].endswith("_average_min")
            if rule["subunit"] == "village":  # named as the failing units are, so every table can name it
                assert rule["deciding_unit"] in rule["failing_units"] and rule["deciding_unit"] in names
            if rule["kind"] == "overall_min":
                assert (rule["deciding_unit"], rule["deciding_item"]) == (None, OVERALL)


def test_the_document_is_the_model_dump_with_no_value_changed_by_the_model(app, hand_counted):
    with app.app_context():
        model = results_model(db.session.get(Survey, hand_counted.survey_id))
    document = model.model_dump(mode="json")
    assert "published" not in document and "integrity" not in document  # absent, not null, until published
    assert all("receipt_fingerprints" not in village for village in document["villages"])
    again = ResultsDocument.model_validate(json.loads(json.dumps(document)))
    assert snapshots.canonical(again.model_dump(mode="json")) == snapshots.canonical(document)


def test_the_model_accepts_the_json_download_of_a_published_survey(app, auditor_client):
    survey_id = build_hand_counted(app, status="published").survey_id
    download = auditor_client.get(f"/results/{survey_id}/tai-ve/json").get_data()
    model = ResultsDocument.model_validate(json.loads(download))
    assert model.published.version == 1 and len(model.published.sha256) == 64
    assert [len(v.receipt_fingerprints) for v in model.villages] == [v.respondents for v in model.villages]
    assert model.integrity is not None
    assert snapshots.canonical(model.model_dump(mode="json")) == snapshots.canonical(json.loads(download))
