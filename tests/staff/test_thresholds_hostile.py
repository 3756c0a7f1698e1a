"""Whatever is typed as a rule's threshold, the rules page answers with a Vietnamese message, never a 500.

``9E+99`` and ``1E+999999999`` once raised ``decimal.InvalidOperation`` / ``Overflow`` out of the threshold
parser (issue 13, item 14).
"""
from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from survey_app.extensions import db
from survey_app.models import Survey
from survey_app.services.surveys import ambiguous_threshold, parse_threshold, stored_threshold

from ..factories import make_survey
from .accounts import token

#: Texts that look like numbers: exponents, signs, separators, percent signs, other scripts' digits.
NUMBERISH = st.builds(
    lambda *parts: "".join(parts),
    st.sampled_from(["", "+", "-", " ", "\u00a0"]),
    st.text("0123456789٠١٢٣٤٥٦٧٨٩０１２３４５６７８９", max_size=6),
    st.sampled_from(["", ".", ",", "..", "_", " "]),
    st.text("0123456789", max_size=6),
    st.one_of(st.just(""), st.builds(lambda e, n: f"{e}{n}", st.sampled_from(["E", "e", "E+", "E-", "e-"]),
                                     st.integers(-10**12, 10**12))),
    st.sampled_from(["", "%", " %", "\u00a0%", "％", "%%"]),
)
TYPED = st.one_of(NUMBERISH, st.text(st.characters(blacklist_categories=("Cs",)), max_size=14),
                  st.sampled_from(["9E+99", "1E+999999999", "1E-999999999", "9E99 %", "NaN", "sNaN", "Infinity",
                                   "-0", "0E+99999999", "1e-99999999999", "٨٠", "８０％", "80e0"]))
ERRORS = ("Quy tắc 1:", "Có ô chưa hợp lệ", "Yêu cầu không hợp lệ", "Quy tắc không thay đổi")


@given(TYPED)
@example("9E+99").via("issue 13")
@example("1E+999999999").via("issue 13")
@settings(max_examples=300)
def test_threshold_readers_never_raise(typed):
    value = parse_threshold(typed)
    assert value is None or (isinstance(value, Decimal) and 0 < value <= 1)
    assert ambiguous_threshold(typed) in (True, False)
    stored = stored_threshold(typed)
    assert stored is None or stored.is_finite()


@pytest.mark.parametrize(("typed", "share"), [
    ("9E+99", None), ("1E+999999999", None), ("8E1", None), ("٨٠", None), ("８０％", "0.8"), ("80.", "0.8"),
    (".8", "0.8"), ("80\u202f%", "0.8"), ("0080", "0.8"), ("1" * 40, None),
])
def test_thresholds_are_plain_numbers(typed, share):
    assert parse_threshold(typed) == (Decimal(share) if share else None)


@pytest.fixture
def rules_page(app, as_user):
    """A staff client on the rules of an open survey, and the form as the page fills it in."""
    survey_id, _ = make_survey(app)
    client = as_user("staff_commune")
    with app.app_context():
        rules = db.session.get(Survey, survey_id).rules
    data = {"csrf_token": token(client), "justification": "Theo công văn số 12/MTTQ-BTT của Ban Thường trực"}
    for n, rule in enumerate(rules):
        data |= {f"rules-{n}-threshold": rule["threshold"], f"rules-{n}-source": rule["source"],
                 f"rules-{n}-note": rule["note"]} | ({f"rules-{n}-verified": "y"} if rule["verified"] else {})
    return client, survey_id, data


@given(typed=TYPED)
@example(typed="9E+99").via("issue 13")
@example(typed="1E+999999999").via("issue 13")
@settings(max_examples=25)
def test_any_threshold_typed_gets_an_answer_in_vietnamese(app, rules_page, typed):
    client, survey_id, data = rules_page
    response = client.post(f"/staff/surveys/{survey_id}/rules", data=data | {"rules-0-threshold": typed})
    assert response.status_code in (302, 400, 422)
    if response.status_code == 302:
        with app.app_context():
            stored = db.session.get(Survey, survey_id).rules[0]["threshold"]
        assert 0 < Decimal(stored) <= 1
    else:
        page = response.get_data(as_text=True)
        assert any(message in page for message in ERRORS), page[:2000]
