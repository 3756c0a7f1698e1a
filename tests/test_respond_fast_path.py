"""The submit's lean check accepts exactly what the phiếu form accepts (issue 18, item 2): the form is
built only when something is wrong, to say what."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from survey_app.respond.forms import OPINION_MAX, REASON_MAX, phieu_form, valid_answers
from survey_app.survey_templates import load_template

TEMPLATE = load_template("xa-ntm-2026")
KEYS = tuple(item.key for item in TEMPLATE.items)
CHOICE = st.sampled_from(["satisfied", "not_satisfied", "", " ", "blank", "Satisfied", "1", "satisfied "])
TEXT = st.one_of(st.just(""), st.just("   \n"), st.text(max_size=20),
                 st.integers(REASON_MAX - 1, OPINION_MAX + 2).map(lambda n: "x" * n),
                 st.integers(REASON_MAX - 1, OPINION_MAX + 2).map(lambda n: " " * n),
                 st.integers(REASON_MAX - 1, REASON_MAX + 2).map(lambda n: " " * (n - 1) + "x"))


@st.composite
def postings(draw):
    data = MultiDict()
    odd = draw(st.sets(st.sampled_from(KEYS), max_size=2))  # most items answered properly, a few not
    for key in KEYS:
        if key not in odd:
            data.add(f"item_{key}", draw(st.sampled_from(["satisfied", "not_satisfied"])))
        elif draw(st.integers(0, 4)):  # now and then an item left out
            data.add(f"item_{key}", draw(CHOICE))
        if draw(st.integers(0, 5)) == 0:
            data.add(f"item_{key}", draw(CHOICE))  # a second value: both read the first
        if draw(st.booleans()):
            data.add(f"reason_{key}", draw(TEXT))
    if draw(st.booleans()):
        data.add("opinion", draw(TEXT))
    return data


seen: set[bool] = set()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # the form alone, no database
@settings(max_examples=400)
@given(posted=postings())
def test_the_lean_check_accepts_what_the_form_accepts(app, posted):
    app.config["WTF_CSRF_ENABLED"] = False  # CSRF is checked before the view, for both
    with app.test_request_context(method="POST", data=posted):
        form = phieu_form(TEMPLATE, formdata=posted)
        accepted = form.validate()
        found = valid_answers(KEYS, posted)
        assert (found is not None) == accepted, (posted, form.errors)
        seen.add(accepted)
        if accepted:
            answers, reasons, opinion = found
            assert {k: int(v) for k, v in answers.items()} == {
                key: {"satisfied": 1, "not_satisfied": 2}[form[f"item_{key}"].data] for key in KEYS}
            assert reasons == {key: form[f"reason_{key}"].data or "" for key in KEYS}
            assert opinion == (form.opinion.data or "")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_property_saw_phieu_accepted_and_refused(app):
    test_the_lean_check_accepts_what_the_form_accepts(app)
    assert seen == {True, False}

