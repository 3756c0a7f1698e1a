"""The review queue: a doubtful sheet shown item by item with its crop, confirmed by a person through the keyed
phiếu's write path (who confirmed is recorded; a second keying must be someone else), or set aside."""
from __future__ import annotations

import re

from survey_app.extensions import db
from survey_app.models import AnswerValue, AuditEntry, KeyedEntry, Response, ScanPage, Survey, User
from survey_app.services import double_entry, paper, scan_queue
from survey_app.services.responses import Submission

from ..staff.accounts import token
from .scanning import _mark, _printed, checked_choices, client_of, png_bytes, send, statuses, survey_keys


def _doubtful_sheet(app, runner, tmp_path):
    """A sheet whose first item has both boxes marked (the rest: satisfied), sent and read."""
    app.config["SURVEY_SCAN_WORKER"] = "none"
    survey_id, _issued, layout, sheets = _printed(app, runner, tmp_path, households=2)
    sheet = _mark(layout, sheets[0], [1] * len(layout.items), doubt=1)
    client = client_of(app, "canbo")
    send(client, survey_id, [("a1.png", png_bytes(sheet[0])), ("a2.png", png_bytes(sheet[1]))])
    with app.app_context():
        scan_queue.drain()
    assert statuses(app, survey_id) == {"review": 2}
    return survey_id, client, survey_keys(app, survey_id)


def _review_form(client, survey_id):
    page = client.get(f"/staff/surveys/{survey_id}/scans/review")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    action = re.search(r'action="([^"]+/scans/review/\d+)" class="scan-review"', html).group(1)
    seen = re.search(r'name="seen" value="([^"]*)"', html).group(1)
    return html, action, seen


def test_a_person_confirms_the_doubtful_item_and_the_sheet_is_stored(app, runner, tmp_path):
    survey_id, client, keys = _doubtful_sheet(app, runner, tmp_path)
    html, action, seen = _review_form(client, survey_id)
    assert "cả hai ô đều có dấu" in html and "còn 1 phiếu chờ xem" in html
    crop = re.search(rf'src="([^"]+/answers-{keys[0]})"', html).group(1)
    image = client.get(crop)
    assert image.status_code == 200 and image.data[:4] == b"\x89PNG"
    assert "no-store" in image.headers["Cache-Control"]
    chosen = checked_choices(html)
    assert f"item-{keys[0]}" not in chosen and len(chosen) == len(keys) - 1  # the machine's sure readings
    missing = client.post(action, data={"csrf_token": token(client), "seen": seen, **chosen})
    assert missing.status_code == 422 and "Hãy chọn câu trả lời cho câu 1" in missing.get_data(as_text=True)
    saved = client.post(action, data={"csrf_token": token(client), "seen": seen, **chosen, f"item-{keys[0]}": "2",
                                      "opinion": "Đường thôn cần sửa"})
    assert saved.status_code == 303
    assert statuses(app, survey_id) == {"stored": 2}
    with app.app_context():
        response = db.session.query(Response).one()
        answers = {a.item_key: a.value for a in response.versions[0].answers}
        assert answers[keys[0]] == AnswerValue.NOT_SATISFIED and answers[keys[1]] == AnswerValue.SATISFIED
        assert response.versions[0].opinion == "Đường thôn cần sửa"
        entry = db.session.query(KeyedEntry).one()
        reviewer = db.session.query(User).filter_by(username="canbo").one()
        assert entry.provenance == "scan" and entry.created_by_id == reviewer.id and len(entry.scan_images) == 2
        audit = db.session.query(AuditEntry).filter_by(action="paper.scan").one()
        assert audit.details["reviewed"] == [keys[0]] and audit.actor_id == reviewer.id
    assert "Không còn phiếu nào chờ người xem" in client.get(
        f"/staff/surveys/{survey_id}/scans/review").get_data(as_text=True)
    again = client.post(action, data={"csrf_token": token(client), "seen": seen, **chosen, f"item-{keys[0]}": "1"})
    assert again.status_code == 303  # already stored: said so, nothing changes
    with app.app_context():
        assert db.session.query(Response).count() == 1


def test_the_confirmer_cannot_key_the_same_sheet_a_second_time(app, runner, tmp_path):
    survey_id, client, keys = _doubtful_sheet(app, runner, tmp_path)
    html, action, seen = _review_form(client, survey_id)
    client.post(action, data={"csrf_token": token(client), "seen": seen, **checked_choices(html),
                              f"item-{keys[0]}": "1"})
    client_of(app, "kiemtra2")
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        entry = db.session.query(KeyedEntry).one()
        code = db.session.get(ScanPage, db.session.query(ScanPage.id).first()[0]).household_code_id
        slip = paper.find_slip(survey, str(db.session.get(paper.HouseholdCode, code).serial))
        same = Submission(dict.fromkeys(keys, AnswerValue.SATISFIED))
        reviewer = db.session.get(User, entry.created_by_id)
        try:
            double_entry.enter_second(survey, entry.batch, slip, same, actor=reviewer)
        except paper.InputError as exc:
            assert "người khác" in str(exc)
        else:
            raise AssertionError("the confirmer keyed the second time")
        other = db.session.query(User).filter_by(username="kiemtra2").one()
        assert double_entry.enter_second(survey, entry.batch, slip, same, actor=other).keying == 2


def test_a_sheet_that_changed_meanwhile_is_shown_again_and_one_can_be_set_aside(app, runner, tmp_path):
    survey_id, client, keys = _doubtful_sheet(app, runner, tmp_path)
    html, action, seen = _review_form(client, survey_id)
    stale = client.post(action, data={"csrf_token": token(client), "seen": seen + ",999", **checked_choices(html),
                                      f"item-{keys[0]}": "1"})
    assert stale.status_code == 422 and "vừa thay đổi" in stale.get_data(as_text=True)
    no_reason = client.post(action, data={"csrf_token": token(client), "seen": seen, "action": "reject"})
    assert no_reason.status_code == 422
    aside = client.post(action, data={"csrf_token": token(client), "seen": seen, "action": "reject",
                                      "note": "Phiếu quét nhầm hai lần"})
    assert aside.status_code == 303
    assert statuses(app, survey_id) == {"rejected": 2}
    page = client.get(f"/staff/surveys/{survey_id}/scans").get_data(as_text=True)
    assert "cán bộ đã loại phiếu này" in page
    with app.app_context():
        assert db.session.query(Response).count() == 0
        assert db.session.query(AuditEntry).filter_by(action="paper.scan_reject").one().details["note"]


def test_images_and_the_queue_are_for_staff_of_the_survey_only(app, runner, tmp_path):
    survey_id, client, keys = _doubtful_sheet(app, runner, tmp_path)
    with app.app_context():
        page_id = db.session.query(ScanPage.id).first()[0]
    path = f"/staff/surveys/{survey_id}/scans/image/{page_id}/page"
    assert client.get(path).status_code == 200
    assert client.get(f"/staff/surveys/{survey_id}/scans/image/{page_id}/answers-nope").status_code == 404
    assert client.get(f"/staff/surveys/{survey_id}/scans/image/{page_id + 99}/page").status_code == 404
    auditor = client_of(app, "kiemtra", role="auditor", unit="51")
    assert auditor.get(path).status_code == 403
    assert auditor.get(f"/staff/surveys/{survey_id}/scans/review").status_code == 403
    assert auditor.get(f"/staff/surveys/{survey_id}/scans").status_code == 200  # counts only, no form
    elsewhere = client_of(app, "xakhac", unit="21043")
    assert elsewhere.get(path).status_code == 403
