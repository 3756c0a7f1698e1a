"""The resident never loses a finished phiếu: an expired session, HEAD requests, the used-code page."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Answer, Response
from tests.resident import csrf_token, full_answers, item_keys


def _stored(app) -> tuple[list[Response], dict[str, tuple[int, str]]]:
    with app.app_context():
        responses = db.session.execute(select(Response)).scalars().all()
        answers = {a.item_key: (int(a.value), a.reason) for a in db.session.execute(select(Answer)).scalars()}
        return responses, answers


def _filled(html: str) -> dict:
    """A phiếu filled in by hand: the second item not satisfied with a reason, an opinion."""
    keys = item_keys(html)
    data = full_answers(html, **{keys[1]: "not_satisfied"})
    data[f"reason_{keys[1]}"] = "Đường ra đồng còn lầy lội."
    data["opinion"] = "Cảm ơn Mặt trận xã & <thôn>."
    return data


@pytest.mark.parametrize("token", ["missing", "stale"])
def test_a_phieu_sent_after_the_session_expired_comes_back_filled_in_and_then_goes_through(app, open_survey,
                                                                                             token):
    _, issued = open_survey
    url = f"/s/{issued[0].display}"
    data = _filled(app.test_client().get(url).get_data(as_text=True))
    if token == "missing":
        del data["csrf_token"]
    phone = app.test_client()  # the session cookie is gone: a new client, no cookie at all
    page = phone.post(url, data=data)
    html = page.get_data(as_text=True)
    assert page.status_code == 400
    assert "Phiếu chưa được gửi" in html and "Phiên làm việc đã hết hạn" in html
    assert _stored(app)[0] == []
    keys = item_keys(html)
    for key in keys:  # every answer as it was sent
        assert re.search(rf'name="item_{key}" id="[^"]+" value="{data[f"item_{key}"]}" checked', html), key
    assert "Đường ra đồng còn lầy lội." in html and "Cảm ơn Mặt trận xã &amp; &lt;thôn&gt;." in html
    assert html.count(" checked") == len(keys)
    again = {name: value for name, value in data.items() if name != "csrf_token"}
    again["csrf_token"] = csrf_token(html)  # the fresh token of the page shown again
    sent = phone.post(url, data=again)
    assert sent.status_code == 303 and "/bien-nhan/" in sent.headers["Location"]
    responses, answers = _stored(app)
    assert len(responses) == 1 and answers[keys[1]] == (2, "Đường ra đồng còn lầy lội.")
    assert sum(value == 1 for value, _ in answers.values()) == len(keys) - 1


def test_an_expired_session_on_a_code_already_used_shows_the_used_page(app, client, open_survey):
    _, issued = open_survey
    url = f"/s/{issued[0].display}"
    client.post(url, data=full_answers(client.get(url).get_data(as_text=True)))
    page = app.test_client().post(url, data={"opinion": "x"})
    assert page.status_code == 409 and "Mã này đã được dùng để gửi phiếu" in page.get_data(as_text=True)


def test_an_expired_session_on_an_unknown_code_says_the_code_is_unknown(app):
    page = app.test_client().post("/s/AAAA-AAAA-AA", data={"opinion": "x"})
    assert page.status_code == 404 and "Không tìm thấy mã này" in page.get_data(as_text=True)


def test_the_used_code_page_shows_the_receipt_and_addresses_ong_ba(client, open_survey):
    _, issued = open_survey
    url = f"/s/{issued[0].display}"
    sent = client.post(url, data=full_answers(client.get(url).get_data(as_text=True)))
    receipt = sent.headers["Location"].rsplit("/", 1)[1]
    page = client.get(url)
    html = page.get_data(as_text=True)
    assert page.status_code == 409
    assert "Số biên nhận" in html and receipt in html
    assert "Ông/Bà" in html and "bạn" not in html


def test_a_page_answering_a_post_loads_the_history_script_and_a_get_does_not(client, open_survey):
    _, issued = open_survey
    url = f"/s/{issued[0].display}"
    shown = client.get(url).get_data(as_text=True)
    assert "posted.js" not in shown
    invalid = client.post(url, data={"csrf_token": csrf_token(shown)})
    assert invalid.status_code == 422 and "/static/posted.js" in invalid.get_data(as_text=True)
    script = client.get("/static/posted.js")
    assert script.status_code == 200 and b"history.replaceState" in script.data
    script.close()


def test_head_of_a_phieu_answers_like_get_without_a_body(app, client, open_survey):
    _, issued = open_survey
    used, fresh = f"/s/{issued[0].display}", f"/s/{issued[1].display}"
    client.post(used, data=full_answers(client.get(used).get_data(as_text=True)))
    for path in (fresh, used, "/s/AAAA-AAAA-AA", "/s/x", "/", "/?code=AAAA-AAAA-AA"):
        got, head = client.get(path), client.head(path)
        assert head.status_code == got.status_code, path
        assert head.data == b"", path
    assert client.head(fresh).status_code == 200 and client.head(used).status_code == 409
    assert _stored(app)[0][0].household_code_id is not None and len(_stored(app)[0]) == 1


def test_the_pages_refusing_too_many_tries_address_residents_as_ong_ba(app, client):
    from survey_app.errors import render_error

    app.config["SURVEY_CODE_FAILURE_LIMIT"] = "1 per 10 minutes"
    assert client.get("/", query_string={"code": "AAAA-AAAA-AA"}).status_code == 404
    page = client.get("/", query_string={"code": "AAAA-AAAA-AB"})
    html = page.get_data(as_text=True)
    assert page.status_code == 429 and 0 < int(page.headers["Retry-After"]) <= 600
    assert "Ông/Bà" in html and "bạn" not in html.lower()
    assert 'id="code"' in html  # the code box stays: a valid code still works
    with app.test_request_context("/"):
        generic, status = render_error(429)
    assert status == 429 and "bạn" not in generic.lower()
