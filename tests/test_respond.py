"""The resident path: code → phiếu → receipt, and every message on the way."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import Response, ResponseVersion
from survey_app.services.household_codes import ALPHABET, display, normalize
from tests.factories import make_survey
from tests.resident import full_answers


def count_responses(app) -> int:
    with app.app_context():
        return db.session.execute(select(func.count()).select_from(Response)).scalar_one()


def test_home_page_asks_for_the_code(client):
    page = client.get("/")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert '<html lang="vi">' in html
    assert 'for="code"' in html and 'id="code"' in html


def test_typed_code_redirects_to_its_phieu(client, open_survey):
    _, issued = open_survey
    page = client.get("/", query_string={"code": issued[0].code.lower()})
    assert page.status_code == 302
    assert page.headers["Location"].endswith(f"/s/{issued[0].display}")


@pytest.mark.parametrize("typed", ["", "ABC", "K7PX-3MQD-9T", "0000000000"])
def test_unknown_or_malformed_code_says_so_in_vietnamese(client, open_survey, typed):
    page = client.get("/", query_string={"code": typed})
    html = page.get_data(as_text=True)
    if typed:
        assert page.status_code == 404
        assert "Không tìm thấy mã này" in html
    else:
        assert "Vui lòng nhập mã in trên phiếu." in html


def test_phieu_names_commune_village_and_items(client, open_survey):
    _, issued = open_survey
    page = client.get(f"/s/{issued[0].display}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Xã Bình Sơn" in html and issued[0].village_name in html
    assert html.count('type="radio"') == 2 * 11
    assert "Hài lòng" in html and "Không hài lòng" in html
    assert html.count("<fieldset") == 11 and html.count("<legend") == 11


@pytest.mark.parametrize("variant", [str.lower, lambda c: c.replace("-", ""), lambda c: c.replace("-", " ")])
def test_code_accepted_in_any_case_with_or_without_dashes(client, open_survey, variant):
    _, issued = open_survey
    assert client.get(f"/s/{variant(issued[0].display)}").status_code == 200


def test_submission_gives_a_receipt(app, client, open_survey):
    _, issued = open_survey
    url = f"/s/{issued[0].display}"
    html = client.get(url).get_data(as_text=True)
    data = full_answers(html, **{"giao-thong": "not_satisfied"}) if "giao-thong" in html else full_answers(html)
    data["opinion"] = "Cần thêm đèn đường."
    posted = client.post(url, data=data)
    assert posted.status_code == 303
    receipt = client.get(posted.headers["Location"])
    text = receipt.get_data(as_text=True)
    assert receipt.status_code == 200
    assert "Số biên nhận" in text and "Thời gian ghi nhận" in text
    assert count_responses(app) == 1


def test_identical_resubmission_gets_the_same_receipt(app, client, open_survey):
    _, issued = open_survey
    url = f"/s/{issued[0].display}"
    data = full_answers(client.get(url).get_data(as_text=True))
    first = client.post(url, data=data)
    second = client.post(url, data=data)
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    assert count_responses(app) == 1


def test_a_receipt_number_already_given_is_drawn_again(app, client, open_survey, monkeypatch):
    from survey_app.services import responses

    _, issued = open_survey
    first = client.post(f"/s/{issued[0].display}",
                        data=full_answers(client.get(f"/s/{issued[0].display}").get_data(as_text=True)))
    taken = first.headers["Location"].rsplit("/", 1)[1]
    draws = iter([taken, "ZZZZ-ZZZZ"])
    monkeypatch.setattr(responses, "new_receipt", lambda: next(draws))
    url = f"/s/{issued[1].display}"
    second = client.post(url, data=full_answers(client.get(url).get_data(as_text=True)))
    assert second.status_code == 303 and second.headers["Location"].endswith("/ZZZZ-ZZZZ")
    assert count_responses(app) == 2


def test_different_second_answer_is_refused_with_when(app, client, open_survey):
    _, issued = open_survey
    url = f"/s/{issued[0].display}"
    html = client.get(url).get_data(as_text=True)
    client.post(url, data=full_answers(html))
    other = client.post(url, data=full_answers(html, value="not_satisfied"))
    text = other.get_data(as_text=True)
    assert other.status_code == 409
    assert "Mã này đã được dùng để gửi phiếu" in text and "lúc" in text
    again = client.get(url)
    assert again.status_code == 409 and "đã được ghi nhận lúc" in again.get_data(as_text=True)
    assert count_responses(app) == 1


def test_missing_answers_keep_what_was_entered(app, client, open_survey):
    _, issued = open_survey
    url = f"/s/{issued[0].display}"
    html = client.get(url).get_data(as_text=True)
    data = full_answers(html)
    first_key = next(k for k in data if k.startswith("item_"))
    last_key = [k for k in data if k.startswith("item_")][-1]
    del data[last_key]
    data[first_key] = "not_satisfied"
    data["opinion"] = "Ý kiến giữ lại"
    page = client.post(url, data=data)
    text = page.get_data(as_text=True)
    assert page.status_code == 422
    assert "Phiếu chưa được gửi" in text and "Vui lòng chọn" in text
    assert 'value="not_satisfied" checked' in text
    assert "Ý kiến giữ lại" in text
    assert count_responses(app) == 0


def test_survey_not_yet_open(app, client):
    _, issued = make_survey(app, start=date.today() + timedelta(days=10))
    page = client.get(f"/s/{issued[0].display}")
    assert page.status_code == 403
    assert "chưa bắt đầu" in page.get_data(as_text=True)


def test_draft_survey_is_not_open(app, client):
    _, issued = make_survey(app, status="draft")
    assert "chưa bắt đầu" in client.get(f"/s/{issued[0].display}").get_data(as_text=True)


def test_closed_survey_refuses_answers(app, client):
    _, issued = make_survey(app, status="closed")
    url = f"/s/{issued[0].display}"
    page = client.get(url)
    assert page.status_code == 403 and "đã kết thúc" in page.get_data(as_text=True)


def test_a_survey_closed_by_hand_says_the_day_it_was_closed_not_the_planned_end(app, client):
    from survey_app.models.surveys import vietnam_today

    _, issued = make_survey(app, status="closed", start=vietnam_today() - timedelta(days=2))
    html = client.get(f"/s/{issued[0].display}").get_data(as_text=True)
    assert f"đã kết thúc ngày {vietnam_today():%d/%m/%Y}" in html


def test_window_past_end_closes_by_itself(app, client):
    _, issued = make_survey(app, start=date.today() - timedelta(days=60))
    assert "đã kết thúc" in client.get(f"/s/{issued[0].display}").get_data(as_text=True)


def test_post_without_csrf_records_nothing_and_asks_to_send_again(app, client, open_survey):
    _, issued = open_survey
    page = client.post(f"/s/{issued[0].display}", data={"opinion": "x"})
    html = page.get_data(as_text=True)
    assert page.status_code == 400
    assert "Phiếu chưa được gửi" in html and "bấm “Gửi phiếu” một lần nữa" in html
    assert count_responses(app) == 0


def test_response_stores_one_version_with_every_item(app, client, open_survey):
    _, issued = open_survey
    url = f"/s/{issued[0].display}"
    client.post(url, data=full_answers(client.get(url).get_data(as_text=True)))
    with app.app_context():
        version = db.session.execute(select(ResponseVersion)).scalar_one()
        assert version.version == 1 and len(version.answers) == 11


def test_code_format():
    code = "K7PX3MQD9T"
    assert display(code) == "K7PX-3MQD-9T"
    assert normalize("k7px-3mqd-9t") == code
    assert normalize("k7px 3mqd 9t") == code
    assert normalize("K7PX-3MQD") is None
    assert not set("01OIL") & set(ALPHABET)
    assert len(ALPHABET) ** 10 >= 2**40


def test_failed_code_guesses_are_rate_limited_but_good_codes_are_not(app, client, open_survey):
    _, issued = open_survey
    for _ in range(60):  # a village meeting: many valid look-ups from one address
        assert client.get(f"/s/{issued[0].display}").status_code == 200
    statuses = [client.get("/s/AAAAAAAAAA").status_code for _ in range(25)]
    assert statuses == [404] * 20 + [429] * 5
    assert "quá nhiều lần nhập mã không đúng" in client.get("/s/AAAAAAAAAA").get_data(as_text=True)


def test_pages_make_no_third_party_requests_and_send_security_headers(client, open_survey):
    _, issued = open_survey
    page = client.get(f"/s/{issued[0].display}")
    html = page.get_data(as_text=True)
    assert "http://" not in html.replace("http://survey.test", "") and "https://" not in html
    assert "<script" not in html
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    assert page.headers["X-Content-Type-Options"] == "nosniff"
