"""Scanning from the console in Chromium: a filled phiếu printed, marked and sent as two photos, read by the
worker thread of the live server, its doubtful item confirmed with one key, the phiếu stored."""
from __future__ import annotations

import time

import cv2
import pytest

from bench.paper import marks
from bench.paper.raster import pdf_pages
from survey_app.extensions import db
from survey_app.models import AnswerValue, Response, Survey
from survey_app.services.accounts import create_user
from tests.browser.test_accessibility import axe_violations, blocking

pytestmark = pytest.mark.browser
DPI = 200
USER, PASSWORD = "canbo_quet", "Quet-phieu-2026"


def _marked_photos(live_server, tmp_path) -> tuple[int, list[str], list[str]]:
    """A one-household survey; its phiếu with item 1 marked in both boxes, the rest satisfied, as PNGs."""
    from survey_app.models import Role
    from survey_app.services.paper_forms import layout, print_forms

    survey_id, _issued = live_server.survey(villages=(("T01", "Thôn Một", 1),))
    with live_server.app.app_context():
        survey = db.session.get(Survey, survey_id)
        pdf, _count = print_forms(survey, actor_name="test")
        form = layout(survey)
        create_user(USER, PASSWORD, Role.STAFF, survey.unit_code, actor_name="test")
        db.session.commit()
        keys = [item["key"] for item in survey.template["items"]]
    pages = pdf_pages(pdf, DPI)
    for item in form.items:
        marks.cross(pages[item.page - 1], item.boxes[0], DPI)
        if item.number == 1:
            marks.cross(pages[item.page - 1], item.boxes[1], DPI)
    paths = []
    for number, image in enumerate(pages, 1):
        path = tmp_path / f"trang-{number}.png"
        cv2.imwrite(str(path), image)
        paths.append(str(path))
    return survey_id, paths, keys


def _count(page, name: str) -> str:
    return page.locator(f"[data-count={name}]").inner_text().split()[0]


def test_upload_read_and_review_by_keyboard(new_page, live_server, tmp_path, axe_source):
    survey_id, photos, keys = _marked_photos(live_server, tmp_path)
    page = new_page(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    page.goto("/staff/login")
    page.get_by_label("Tên đăng nhập").fill(USER)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url("**/staff/")

    page.goto(f"/staff/surveys/{survey_id}/scans")
    page.set_input_files("#files", photos)
    page.get_by_role("button", name="Gửi để máy đọc").click()
    assert "Đã nhận 2 trang" in page.locator(".notice-success").inner_text()
    deadline = time.monotonic() + 90
    while _count(page, "unread") != "0":  # the page refreshes itself; reloading is quicker
        assert time.monotonic() < deadline, "the pages were not read"
        page.wait_for_timeout(500)
        page.reload()
    assert _count(page, "review") == "1"
    assert page.locator("meta[http-equiv=refresh]").count() == 0  # nothing left to read: no more refreshing

    page.get_by_role("link", name="Xem từng phiếu").click()
    page.wait_for_url("**/scans/review")  # a click does not wait for the next page: count on the review page
    doubtful = page.locator("fieldset.needs-person")
    assert doubtful.count() == 1 and "cả hai ô đều có dấu" in doubtful.inner_text()
    assert doubtful.locator("img.scan-crop").evaluate("img => img.complete && img.naturalWidth > 0")
    assert not blocking(axe_violations(page, axe_source))
    page.keyboard.press("2")
    assert doubtful.locator("input[value='2']").is_checked()
    page.keyboard.press("Enter")
    page.wait_for_url("**/scans/review")
    assert "Đã lưu phiếu số" in page.locator(".notice-success").inner_text()
    assert "Không còn phiếu nào chờ người xem" in page.content()

    page.goto(f"/staff/surveys/{survey_id}/scans")
    assert _count(page, "stored") == "2" and _count(page, "review") == "0"
    with live_server.app.app_context():
        response = db.session.query(Response).filter_by(survey_id=survey_id).one()
        answers = {a.item_key: a.value for a in response.versions[0].answers}
    assert answers[keys[0]] == AnswerValue.NOT_SATISFIED
    assert all(answers[key] == AnswerValue.SATISFIED for key in keys[1:])
