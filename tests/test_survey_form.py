"""A survey's template snapshot read as a typed ``SurveyTemplate`` (``Survey.form``), for every snapshot shape
the loader has ever written (tests/data/template_snapshots.json: each distinct snapshot of every template
version in the project's history, made by the loader of its time)."""
from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from survey_app.extensions import db
from survey_app.models import Survey
from survey_app.survey_templates import TO_CONFIRM, SurveyTemplate, TemplateError, TemplateItem, load_template
from tests.factories import make_survey

HISTORY = json.loads((Path(__file__).parent / "data" / "template_snapshots.json").read_text(encoding="utf-8"))


def test_the_history_holds_snapshots_before_and_after_to_confirm():
    assert {"to_confirm" in snapshot for snapshot in HISTORY} == {True, False}
    assert len({(s["key"], s["version"]) for s in HISTORY}) == len(HISTORY)


@pytest.mark.parametrize("snapshot", HISTORY, ids=[f"{s['key']}-v{s['version']}" for s in HISTORY])
def test_every_stored_snapshot_shape_reads_as_a_typed_template(snapshot):
    form = Survey(template=copy.deepcopy(snapshot)).form
    assert isinstance(form, SurveyTemplate) and all(isinstance(item, TemplateItem) for item in form.items)
    assert [item.key for item in form.items] == [item["key"] for item in snapshot["items"]]
    assert form.answer_options["satisfied"] == snapshot["answer_options"]["satisfied"]
    assert form.to_confirm == tuple(snapshot.get("to_confirm", TO_CONFIRM))
    assert form.to_snapshot() == snapshot | {"to_confirm": list(form.to_confirm)}


def test_a_broken_snapshot_is_refused():
    snapshot = copy.deepcopy(HISTORY[0])
    snapshot["items"][0]["colour"] = "red"
    with pytest.raises(TemplateError, match="unknown field 'colour' in item 1"):
        Survey(template=snapshot).form  # noqa: B018


def test_a_survey_form_is_its_template_read_once(app):
    survey_id, _codes = make_survey(app, template="xa-ntm-2021")
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        assert survey.form == load_template("xa-ntm-2021")
        assert survey.form is survey.form
        survey.template = survey.template | {"to_confirm": []}
        assert survey.form.to_confirm == ()


def test_the_template_and_its_parts_are_pydantic_models_refusing_unknown_fields():
    from pydantic import BaseModel, ValidationError

    from survey_app.survey_templates import AnswerOptions, TemplateRule

    for model in (SurveyTemplate, AnswerOptions, TemplateItem, TemplateRule):
        assert issubclass(model, BaseModel) and model.model_config["extra"] == "forbid"
        assert model.model_json_schema()["additionalProperties"] is False
    snapshot = copy.deepcopy(HISTORY[-1])
    with pytest.raises(ValidationError):
        SurveyTemplate.model_validate(snapshot | {"version": True})
    assert SurveyTemplate.model_validate(snapshot).to_snapshot() == snapshot | {
        "to_confirm": snapshot.get("to_confirm", list(TO_CONFIRM))}


def test_one_snapshot_is_read_once_per_process():
    snapshot = HISTORY[-1]
    first, second = Survey(template=copy.deepcopy(snapshot)), Survey(template=copy.deepcopy(snapshot))
    assert first.form is second.form
    changed = copy.deepcopy(snapshot) | {"to_confirm": []}
    assert Survey(template=changed).form is not first.form and Survey(template=changed).form.to_confirm == ()
