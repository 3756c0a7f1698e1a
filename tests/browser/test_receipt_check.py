"""A household checks its receipt on a 360 px phone, with JavaScript off: the box on the home page leads to
the receipt page, which says whether the published results counted the phiếu; the pages reflow, their tap
targets are at least 44 px and axe finds no serious violation."""
from __future__ import annotations

import pytest

from survey_app.extensions import db
from survey_app.models import Survey
from survey_app.services.surveys import transition

from .pages import NO_HORIZONTAL_SCROLL, submit_with_test_client
from .test_accessibility import axe_violations, blocking

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def published_receipt(live_server) -> tuple[int, str]:
    """A published survey and the receipt of its one phiếu."""
    survey_id, issued = live_server.survey()
    receipt = submit_with_test_client(live_server.app, f"/s/{issued[0].display}").rsplit("/", 1)[1]
    with live_server.app.app_context():
        survey = db.session.get(Survey, survey_id)
        transition(survey, "close", actor_name="test")
        transition(survey, "publish", actor_name="test")
        db.session.commit()
    return survey_id, receipt


def tap_targets_are_big_enough(page, selector: str) -> None:
    for n in range(page.locator(selector).count()):
        box = page.locator(selector).nth(n).bounding_box()
        assert box and box["height"] >= 44 and box["width"] >= 44, (selector, box)


def test_a_household_types_its_receipt_on_the_home_page_and_sees_it_counted(new_page, published_receipt):
    _survey_id, receipt = published_receipt
    page = new_page(java_script_enabled=False)
    page.goto("/")
    tap_targets_are_big_enough(page, ".receipt-box input, .receipt-box button")
    page.get_by_label("Số biên nhận").fill(receipt.replace("-", " ").lower())
    page.locator(".receipt-box").get_by_role("button", name="Kiểm tra").click()
    page.wait_for_url(f"**/bien-nhan/{receipt}")
    assert "Phiếu đã được tính trong kết quả công bố" in page.locator("h1").inner_text()
    assert page.locator(".receipt-number").inner_text() == receipt
    assert page.evaluate(NO_HORIZONTAL_SCROLL)
    assert page.locator("code.hash").first.bounding_box()["width"] <= 360


def test_an_unknown_receipt_is_a_clear_page_that_lets_the_household_try_again(new_page):
    page = new_page(java_script_enabled=False)
    answer = page.goto("/bien-nhan?so=2345-6789")
    assert answer.status == 404
    assert "Không tìm thấy biên nhận này" in page.locator("[role=alert]").inner_text()
    assert page.get_by_label("Số biên nhận").input_value() == "2345-6789"
    assert page.evaluate(NO_HORIZONTAL_SCROLL)
    tap_targets_are_big_enough(page, ".receipt-box input, .receipt-box button")


@pytest.mark.parametrize("path", ["/", "/bien-nhan", "/bien-nhan?so=2345-6789", "receipt", "notice"])
def test_receipt_pages_have_no_serious_axe_violation_on_a_phone(new_page, axe_source, published_receipt, path):
    survey_id, receipt = published_receipt
    path = {"receipt": f"/bien-nhan/{receipt}", "notice": f"/results/{survey_id}/niem-yet"}.get(path, path)
    page = new_page(bypass_csp=True)
    page.goto(path)
    assert page.evaluate(NO_HORIZONTAL_SCROLL), path
    violations = axe_violations(page, axe_source)
    assert not blocking(violations), violations
