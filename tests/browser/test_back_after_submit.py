"""After a submission, Back shows the used-code page (never the browser's resubmission page), and a phiếu
sent after the session cookie was lost comes back filled in and goes through on the second tap."""
from __future__ import annotations

import pytest

from survey_app.models import AnswerValue

from .pages import stored_response

pytestmark = pytest.mark.browser

SATISFIED, NOT_SATISFIED = int(AnswerValue.SATISFIED), int(AnswerValue.NOT_SATISFIED)


def answer_everything(page) -> None:
    items = page.locator("li.item")
    for n in range(items.count()):
        items.nth(n).locator("label.choice-satisfied").click()


def send(page) -> None:
    page.get_by_role("button", name="Gửi phiếu").click()
    page.wait_for_load_state()


def receipt_after_sending(page) -> str:
    send(page)
    page.wait_for_url("**/bien-nhan/*")
    return page.url.rsplit("/", 1)[1]


def assert_back_shows_the_used_page(page, code: str, receipt: str) -> None:
    response = page.go_back()  # Chromium's resubmission page makes this raise net::ERR_CACHE_MISS
    assert response is not None and response.status == 409
    assert page.url.endswith(f"/s/{code}")
    assert "Mã này đã được dùng để gửi phiếu" in page.get_by_role("alert").inner_text()
    assert page.locator(".receipt-number").inner_text() == receipt


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript-on", "javascript-off"])
def test_back_after_a_submission_shows_the_used_code_page(new_page, live_server, javascript):
    _, issued = live_server.survey()
    page = new_page(java_script_enabled=javascript)
    page.goto(f"/s/{issued[0].display}")
    answer_everything(page)
    receipt = receipt_after_sending(page)
    assert_back_shows_the_used_page(page, issued[0].display, receipt)


def test_back_after_a_submission_that_first_missed_answers_shows_the_used_code_page(new_page, live_server):
    _, issued = live_server.survey()
    page = new_page()
    page.goto(f"/s/{issued[0].display}")
    page.locator("li.item").first.locator("label.choice-not_satisfied").click()
    send(page)  # the phiếu comes back (422) from the POST, with the missing items marked
    assert page.get_by_role("alert").get_by_text("Phiếu chưa được gửi").is_visible()
    answer_everything(page)
    receipt = receipt_after_sending(page)
    assert_back_shows_the_used_page(page, issued[0].display, receipt)


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript-on", "javascript-off"])
def test_a_phieu_sent_after_the_session_cookie_was_lost_is_kept_and_goes_through(new_page, live_server,
                                                                                javascript):
    _, issued = live_server.survey()
    page = new_page(java_script_enabled=javascript)
    page.goto(f"/s/{issued[0].display}")
    answer_everything(page)
    second = page.locator("li.item").nth(1)
    second.get_by_text("Không hài lòng", exact=True).click()
    second.get_by_text("Nếu chưa hài lòng, xin cho biết lý do").click()
    second.get_by_label("Lý do chưa hài lòng (không bắt buộc)").fill("Đèn đường hay tắt.")
    page.get_by_label("Ý kiến khác (không bắt buộc)").fill("Cảm ơn.")
    page.context.clear_cookies()  # the session expired while the resident was answering
    send(page)
    alert = page.get_by_role("alert")
    assert "Phiếu chưa được gửi" in alert.inner_text() and "Phiên làm việc đã hết hạn" in alert.inner_text()
    assert second.get_by_label("Không hài lòng", exact=True).is_checked()
    assert second.get_by_label("Lý do chưa hài lòng (không bắt buộc)").input_value() == "Đèn đường hay tắt."
    assert page.get_by_label("Ý kiến khác (không bắt buộc)").input_value() == "Cảm ơn."
    key = second.get_attribute("id").removeprefix("item-")
    receipt = receipt_after_sending(page)  # one more tap on "Gửi phiếu"
    answers, opinion = stored_response(live_server.app, receipt)
    assert answers.pop(key) == (NOT_SATISFIED, "Đèn đường hay tắt.")
    assert set(answers.values()) == {(SATISFIED, "")} and opinion == "Cảm ơn."
    if javascript:
        assert_back_shows_the_used_page(page, issued[0].display, receipt)
