"""Property tests of the resident path: no form or code makes the server fail or store half a phiếu."""
from __future__ import annotations

from urllib.parse import quote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import Answer, Response, ResponseVersion
from tests.factories import make_survey
from tests.resident import csrf_token, item_keys

FUZZ = settings(max_examples=40)
#: Any text, odd unicode included (combining marks, RTL, emoji, NUL, lone surrogates are not sendable).
ODD = ["\x00", "\u202e", "\u0301", "ệ", "😀", "'", "%", "\r", "\n"]
ODD_TEXT = st.text(alphabet=st.one_of(st.characters(blacklist_categories=("Cs",)), st.sampled_from(ODD)),
                   max_size=60)
HUGE_TEXT = st.builds(lambda ch, n: ch * n, st.sampled_from(["a", "ệ", "😀", "\u202e", "\x00", "'"]),
                      st.integers(400, 6000))
VALUE = st.one_of(st.sampled_from(["satisfied", "not_satisfied"]), ODD_TEXT, HUGE_TEXT)
ALLOWED = {303, 400, 403, 409, 410, 422}


def _stored_is_whole(app, items: int) -> int:
    """Every response has version 1..current and every version all its answers; return the count."""
    with app.app_context():
        responses = db.session.execute(select(Response)).scalars().all()
        for response in responses:
            versions = db.session.execute(select(ResponseVersion).where(
                ResponseVersion.response_id == response.id)).scalars().all()
            assert [v.version for v in versions] == list(range(1, response.current_version + 1))
            for version in versions:
                answers = db.session.execute(select(func.count()).select_from(Answer).where(
                    Answer.response_version_id == version.id)).scalar_one()
                assert answers == items
        return len(responses)


@pytest.fixture
def fuzz_survey(app):
    survey_id, issued = make_survey(app, villages=(("T01", "Thôn Một", 30),))
    client = app.test_client()
    html = client.get(f"/s/{issued[-1].display}").get_data(as_text=True)
    return client, issued[:-1], csrf_token(html), item_keys(html)


@FUZZ
@given(data=st.data())
def test_no_phieu_post_fails_or_stores_half(app, fuzz_survey, data):
    client, issued, token, keys = fuzz_survey
    code = data.draw(st.sampled_from(issued), label="code")
    form = {}
    for key in keys:
        if data.draw(st.booleans(), label=f"has item_{key}"):
            form[f"item_{key}"] = data.draw(VALUE if data.draw(st.integers(0, 9)) == 0 else
                                            st.sampled_from(["satisfied", "not_satisfied"]))
        if data.draw(st.integers(0, 5)) == 0:
            form[f"reason_{key}"] = data.draw(st.one_of(ODD_TEXT, HUGE_TEXT))
    if data.draw(st.booleans()):
        form["opinion"] = data.draw(st.one_of(ODD_TEXT, HUGE_TEXT))
    form.update(data.draw(st.dictionaries(ODD_TEXT, ODD_TEXT, max_size=3), label="extra fields"))
    form["csrf_token"] = data.draw(st.one_of(st.just(token), st.just(token), ODD_TEXT), label="csrf")
    before = _stored_is_whole(app, len(keys))
    answer = client.post(f"/s/{code.display}", data=form)
    assert answer.status_code in ALLOWED, answer.status_code
    after = _stored_is_whole(app, len(keys))
    if answer.status_code == 303:
        assert after in (before, before + 1)
    else:
        assert after == before


@FUZZ
@given(typed=st.one_of(ODD_TEXT, HUGE_TEXT, st.text(alphabet="23456789ABCDEFGHJKMNPQRSTUVWXYZ-0OIL1 ",
                                                   min_size=8, max_size=14)))
def test_no_typed_or_linked_code_fails(app, typed):
    app.config["SURVEY_CODE_FAILURE_LIMIT"] = "100000 per minute"
    client = app.test_client()
    typed_answer = client.get("/", query_string={"code": typed})
    assert typed_answer.status_code in {200, 302, 400, 404}, typed_answer.status_code
    if typed.strip("/") and "\x00" not in typed:
        linked = client.get("/s/" + quote(typed, safe=""))
        assert linked.status_code in {200, 308, 404, 405, 409}, linked.status_code


def test_a_valid_fuzzed_answer_still_gets_its_receipt(app, fuzz_survey):
    client, issued, token, keys = fuzz_survey
    form = {f"item_{k}": "satisfied" for k in keys} | {"csrf_token": token, "opinion": "ệ😀\u202e" * 300}
    answer = client.post(f"/s/{issued[0].display}", data=form)
    assert answer.status_code == 303
    assert _stored_is_whole(app, len(keys)) == 1


def test_a_nul_character_is_a_clear_400_not_a_database_error(app, fuzz_survey):
    client, issued, token, keys = fuzz_survey
    form = {f"item_{k}": "satisfied" for k in keys} | {"csrf_token": token, "opinion": "a\x00b"}
    answer = client.post(f"/s/{issued[0].display}", data=form)
    assert answer.status_code == 400 and "Yêu cầu không hợp lệ" in answer.get_data(as_text=True)
    assert _stored_is_whole(app, len(keys)) == 0
    assert client.get("/", query_string={"code": "AB\x00"}).status_code == 400
