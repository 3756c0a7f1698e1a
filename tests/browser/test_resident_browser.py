"""The resident's path in Chromium on a 360×740 phone screen: QR link → answers → receipt."""
from __future__ import annotations

import pytest

from survey_app.models import AnswerValue

from .pages import NO_HORIZONTAL_SCROLL, PAGE_BUDGET, largest_template, load_and_weigh, stored_response

pytestmark = pytest.mark.browser

SATISFIED, NOT_SATISFIED = int(AnswerValue.SATISFIED), int(AnswerValue.NOT_SATISFIED)

#: What the focused element shows: its own outline, or for a (visually hidden) radio its label's.
FOCUS = """() => {
  const el = document.activeElement;
  const shown = el.type === "radio" ? el.labels[0] : el;
  const style = getComputedStyle(shown);
  return {tag: el.tagName.toLowerCase(), type: el.type || "", name: el.name || "", id: el.id,
          value: el.value || "", text: (el.innerText || "").trim().slice(0, 40),
          outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2};
}"""


def last(answers: dict) -> str:
    return list(answers)[-1]


def receipt_of(page) -> str:
    page.wait_for_url("**/bien-nhan/*")
    return page.url.rsplit("/", 1)[1]


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript-on", "javascript-off"])
def test_qr_link_answers_receipt(new_page, live_server, javascript):
    _, issued = live_server.survey(template=largest_template())
    page = new_page(java_script_enabled=javascript, locale="en-US")  # a phone set to English
    page.goto(f"/s/{issued[0].display}")
    assert page.locator("html").get_attribute("lang") == "vi"  # residents get Vietnamese all the same
    assert issued[0].village_name in page.locator(".unit").inner_text()
    items = page.locator("li.item")
    keys = [key.removeprefix("item-") for key in items.evaluate_all("items => items.map(i => i.id)")]
    assert len(keys) == 20
    for n in range(len(keys)):
        items.nth(n).locator("label.choice-satisfied").click()
    second = items.nth(1)
    second.get_by_text("Không hài lòng", exact=True).click()
    second.get_by_text("Nếu chưa hài lòng, xin cho biết lý do").click()
    second.get_by_label("Lý do chưa hài lòng (không bắt buộc)").fill("Đường ra đồng còn lầy lội.")
    page.get_by_label("Ý kiến khác (không bắt buộc)").fill("Cảm ơn Mặt trận xã.")
    page.get_by_role("button", name="Gửi phiếu").click()

    receipt = receipt_of(page)
    assert page.locator(".receipt-number").inner_text() == receipt
    assert "Cảm ơn! Phiếu của hộ gia đình đã được ghi nhận." in page.locator("h1").inner_text()
    answers, opinion = stored_response(live_server.app, receipt)
    expected = {key: (SATISFIED, "") for key in keys}
    expected[keys[1]] = (NOT_SATISFIED, "Đường ra đồng còn lầy lội.")
    assert answers == expected
    assert opinion == "Cảm ơn Mặt trận xã."
    if javascript:
        assert page.evaluate(NO_HORIZONTAL_SCROLL)


def test_missing_answers_keep_the_choices_and_point_to_the_items(new_page, live_server):
    _, issued = live_server.survey()
    page = new_page(java_script_enabled=False)
    page.goto(f"/s/{issued[0].display}")
    items = page.locator("li.item")
    items.nth(0).get_by_text("Không hài lòng", exact=True).click()
    page.get_by_role("button", name="Gửi phiếu").click()
    assert page.get_by_role("alert").get_by_text("Phiếu chưa được gửi").is_visible()
    assert items.nth(0).get_by_label("Không hài lòng", exact=True).is_checked()
    second = items.nth(1)
    error_id = second.locator("fieldset").get_attribute("aria-describedby")
    assert "Vui lòng chọn" in page.locator(f"#{error_id}").inner_text()
    page.get_by_role("link", name="Câu 2:").first.click()  # the error summary leads to the item
    assert page.url.endswith(f"#{second.get_attribute('id')}")


def test_answer_with_the_keyboard_only(new_page, live_server):
    _, issued = live_server.survey(template=largest_template())
    page = new_page()
    page.goto(f"/s/{issued[0].display}")
    expected, reason_for, unfocused = {}, None, []
    for _ in range(300):
        page.keyboard.press("Tab")
        focus = page.evaluate(FOCUS)
        if not focus["outline"]:
            unfocused.append(focus)
        if focus["type"] == "radio" and focus["name"].removeprefix("item_") not in expected:
            key = focus["name"].removeprefix("item_")
            if len(expected) % 4 == 1:  # the arrow key moves to "Không hài lòng" and selects it
                page.keyboard.press("ArrowRight")
                expected[key] = (NOT_SATISFIED, "")
            else:
                page.keyboard.press("Space")
                expected[key] = (SATISFIED, "")
        elif focus["tag"] == "summary" and not reason_for and expected[last(expected)][0] == NOT_SATISFIED:
            reason_for = last(expected)
            page.keyboard.press("Enter")  # open the reason box
            page.keyboard.press("Tab")
            page.keyboard.type("Chưa có đèn đường.")
            expected[reason_for] = (NOT_SATISFIED, "Chưa có đèn đường.")
        elif focus["id"] == "opinion":
            page.keyboard.type("Gửi bằng bàn phím.")
        elif focus["tag"] == "button":
            page.keyboard.press("Enter")
            break
    else:
        pytest.fail("never reached the submit button with the Tab key")
    assert not unfocused, f"focused elements without a visible focus indicator: {unfocused}"
    answers, opinion = stored_response(live_server.app, receipt_of(page))
    assert len(answers) == 20 and answers == expected
    assert reason_for is not None and opinion == "Gửi bằng bàn phím."


def test_largest_phieu_is_light_and_makes_no_request_elsewhere(new_page, live_server):
    _, issued = live_server.survey(template=largest_template())
    page = new_page()
    load = load_and_weigh(page, f"/s/{issued[0].display}")
    assert load.status == 200 and page.locator("li.item").count() == 20
    assert load.total < PAGE_BUDGET, f"{load.total} bytes: {load.sizes}"
    assert not load.foreign(live_server.url)
    # the stylesheet's address carries its content hash (style.css?v=…, cached for a year)
    assert {url.split("?")[0].rsplit("/", 1)[1] for url in load.sizes} == {issued[0].display, "style.css"}


@pytest.mark.parametrize("typed", ["", "AAAA-BBBB-CC"], ids=["empty", "unknown"])
def test_code_errors_are_tied_to_the_code_field(new_page, live_server, typed):
    page = new_page(java_script_enabled=False)
    page.goto("/")
    page.get_by_label("Mã hộ gia đình").fill(typed)
    page.get_by_role("button", name="Tiếp tục").click()
    field = page.get_by_label("Mã hộ gia đình")
    assert field.get_attribute("aria-invalid") == "true"
    message = page.locator(f"#{field.get_attribute('aria-describedby')}").inner_text()
    assert ("Vui lòng nhập mã in trên phiếu." if not typed else "Không tìm thấy mã này") in message
    assert field.input_value() == typed  # what was typed stays for correcting
