"""Paper phiếu: keyboard keying, second keying with its mismatch report, corrections as new versions."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import (
    Answer,
    AuditEntry,
    Channel,
    KeyedEntry,
    Resolution,
    Response,
    ResponseVersion,
    Survey,
)

from ..factories import make_survey
from .accounts import token

ITEMS = 11  # the xa-ntm-2026 template


@pytest.fixture
def batch(app, as_user):
    """An open survey (T01: serials 1–3, T02: 4–5) and a paper batch of T01 started in the console."""
    survey_id, issued = make_survey(app)
    client = as_user("staff_commune")
    with app.app_context():
        frame_id = db.session.get(Survey, survey_id).frame[0].id
    started = client.post(f"/staff/surveys/{survey_id}/paper", data={
        "csrf_token": token(client), "village": frame_id, "channel": "paper", "label": "Xấp 1"})
    assert started.status_code == 302
    return {"survey_id": survey_id, "issued": issued, "client": client, "url": started.headers["Location"]}


def key(client, url, slip, answers, **extra):
    return client.post(url, data={"csrf_token": token(client), "slip": slip, "answers": answers, **extra})


def current_values(app, response_id):
    with app.app_context():
        rows = db.session.execute(
            select(Answer.item_key, Answer.value).join(ResponseVersion)
            .where(ResponseVersion.response_id == response_id, Answer.is_current.is_(True))).all()
    return rows


def test_keying_stores_a_paper_response_and_audits_it(app, batch):
    page = key(batch["client"], batch["url"], "2", "11111 21111 0", opinion="Đường ngõ còn tối",
               reason_giao_thong="")
    assert page.status_code == 302
    assert "Đã lưu phiếu số 2." in batch["client"].get(page.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        response = db.session.execute(select(Response)).scalar_one()
        assert response.channel is Channel.PAPER and response.current_version == 1
        version = response.versions[0]
        assert version.opinion == "Đường ngõ còn tối" and version.created_by_id is not None
        values = [a.value for a in sorted(version.answers, key=lambda a: a.id)]
        entry = db.session.query(AuditEntry).filter_by(action="paper.enter").one()
        assert entry.details["serial"] == 2 and entry.details["receipt"] == response.receipt
    assert values == [1, 1, 1, 1, 1, 2, 1, 1, 1, 1, 0]


def test_the_slip_code_works_as_well_as_the_serial(app, batch):
    code = batch["issued"][0].display.lower().replace("-", "")
    assert key(batch["client"], batch["url"], code, "1" * ITEMS).status_code == 302
    again = key(batch["client"], batch["url"], code, "1" * ITEMS)  # a double submit: same entry, no error
    assert again.status_code == 302
    with app.app_context():
        assert db.session.execute(select(func.count()).select_from(KeyedEntry)).scalar_one() == 1


@pytest.mark.parametrize(("slip", "answers", "message"), [
    ("", "1" * ITEMS, "Vui lòng điền ô này."),
    ("1", "", "Vui lòng điền ô này."),
    ("1", "1" * (ITEMS - 1), "Phiếu có 11 câu nhưng đã gõ 10 câu trả lời."),
    ("1", "1" * (ITEMS + 1), "Phiếu có 11 câu nhưng đã gõ 12 câu trả lời."),
    ("1", "1111x111113", "có ký tự lạ: 3 x"),
    ("99", "1" * ITEMS, "Không có phiếu “99” trong đợt khảo sát này."),
    ("ZZZZ-ZZZZ-ZZ", "1" * ITEMS, "Không có phiếu “ZZZZ-ZZZZ-ZZ”"),
    ("4", "1" * ITEMS, "Phiếu số 4 thuộc Thôn Hai, không thuộc thôn của tập phiếu này."),
    ("1" * 40, "1" * ITEMS, "Tối đa 30 ký tự."),
])
def test_bad_keying_is_refused_with_a_reason(app, batch, slip, answers, message):
    page = key(batch["client"], batch["url"], slip, answers)
    html = page.get_data(as_text=True)
    assert page.status_code == 422
    assert message in html
    with app.app_context():
        assert db.session.execute(select(func.count()).select_from(Response)).scalar_one() == 0


def test_household_that_answered_online_cannot_get_a_paper_phieu(app, batch):
    from survey_app.services.responses import Submission, find_code, submit

    with app.app_context():
        survey = db.session.get(Survey, batch["survey_id"])
        submit(survey, find_code(batch["issued"][0].code), Submission({}))
        db.session.commit()
    page = key(batch["client"], batch["url"], "1", "1" * ITEMS)
    assert page.status_code == 422 and "đã có phiếu (Trực tuyến" in page.get_data(as_text=True)


def test_voided_slip_is_refused_and_a_closed_survey_still_takes_paper_until_published(app, batch):
    client = batch["client"]
    client.post(f"/staff/surveys/{batch['survey_id']}/codes/void", data={
        "csrf_token": token(client), "serial": "3", "reason": "mất"})
    assert "đã bị hủy" in key(client, batch["url"], "3", "1" * ITEMS).get_data(as_text=True)
    client.post(f"/staff/surveys/{batch['survey_id']}/close", data={"csrf_token": token(client), "confirm": "y"})
    assert key(client, batch["url"], "1", "1" * ITEMS).status_code == 302  # paper collected before the close
    client.post(f"/staff/surveys/{batch['survey_id']}/publish", data={"csrf_token": token(client), "confirm": "y"})
    page = key(client, batch["url"], "2", "1" * ITEMS)
    assert page.status_code == 422 and "số liệu đã công bố không thay đổi được nữa" in page.get_data(as_text=True)
    with app.app_context():
        assert db.session.execute(select(func.count()).select_from(Response)).scalar_one() == 1


def test_meeting_batch_records_the_meeting_channel(app, batch):
    client = batch["client"]
    with app.app_context():
        frame_id = db.session.get(Survey, batch["survey_id"]).frame[1].id
    url = client.post(f"/staff/surveys/{batch['survey_id']}/paper", data={
        "csrf_token": token(client), "village": frame_id, "channel": "meeting"}).headers["Location"]
    assert key(client, url, "5", "2" * ITEMS).status_code == 302
    with app.app_context():
        assert db.session.execute(select(Response.channel)).scalar_one() is Channel.MEETING


def test_second_keying_mismatch_report_and_resolution(app, batch, as_user):
    first, second = batch["client"], as_user("staff_province")
    for slip, answers in (("1", "1" * ITEMS), ("2", "1" * ITEMS), ("3", "1" * ITEMS)):
        assert key(first, batch["url"], slip, answers).status_code == 302
    second_url = batch["url"] + "/second"
    own = key(first, second_url, "1", "1" * ITEMS)
    assert own.status_code == 422 and "phải do người khác" in own.get_data(as_text=True)
    agrees = key(second, second_url, "1", "1" * ITEMS)
    assert agrees.status_code == 302
    assert "Đã ghi lần nhập hai của phiếu số 1 để đối chiếu." in second.get(second_url).get_data(as_text=True)
    assert key(second, second_url, "2", "11211111111", opinion="Thêm đèn").status_code == 302  # differs
    assert key(second, second_url, "2", "1" * ITEMS).status_code == 422  # keyed twice
    report = second.get(batch["url"] + "/report").get_data(as_text=True)
    assert "Khớp: 1 phiếu. Sai lệch chưa xử lý: 1. Chưa nhập lần hai: 1." in report
    assert "Câu 3" in report and "Không hài lòng" in report and "Thêm đèn" in report
    with app.app_context():
        mismatch = db.session.query(KeyedEntry).filter_by(keying=2).order_by(KeyedEntry.id.desc()).first()
        response_id = db.session.execute(
            select(Response.id).join(KeyedEntry, KeyedEntry.response_id == Response.id)
            .where(KeyedEntry.household_code_id == mismatch.household_code_id)).scalar()
    # four eyes: the second keyer cannot confirm their own keying; the first keyer, having checked the paper, can
    own = second.post(batch["url"] + f"/resolve/{mismatch.id}", data={"csrf_token": token(second), "use": "second"},
                      follow_redirects=True).get_data(as_text=True)
    assert "Bạn đã nhập bản này nên không tự xác nhận được" in own and "Sai lệch chưa xử lý: 1" in own
    page = first.get(batch["url"] + "/report").get_data(as_text=True)
    assert "người nhập: staff_province" in page and 'value="stored" class="button button-secondary" disabled' in page
    resolved = first.post(batch["url"] + f"/resolve/{mismatch.id}", data={"csrf_token": token(first),
                                                                         "use": "second"})
    assert resolved.status_code == 302
    assert "Không có sai lệch nào" in first.get(batch["url"] + "/report").get_data(as_text=True)
    with app.app_context():
        response = db.session.get(Response, response_id)
        assert response.current_version == 2
        assert response.versions[1].change_reason.startswith("Đối chiếu hai lần nhập")
        assert response.versions[1].opinion == "Thêm đèn"
        assert db.session.get(KeyedEntry, mismatch.id).resolution is Resolution.CORRECTED
        assert {e.action for e in db.session.query(AuditEntry)} >= {"paper.second_keying", "paper.resolve",
                                                                    "paper.correct"}
    assert sorted(v for _k, v in current_values(app, response_id)) == [1] * 10 + [2]


def test_keeping_the_stored_phieu_settles_the_mismatch_without_a_new_version(app, scene, as_user):
    client = as_user("staff_commune")  # keyed the stored phiếu: may not confirm it
    base = f"/staff/surveys/{scene['sid']}/paper/{scene['bid']}"
    assert "Sai lệch chưa xử lý: 1" in client.get(base + "/report").get_data(as_text=True)
    client.post(base + f"/resolve/{scene['eid']}", data={"csrf_token": token(client), "use": "stored"})
    with app.app_context():
        assert db.session.get(KeyedEntry, scene["eid"]).resolution is None
    client = as_user("staff_province")
    client.post(base + f"/resolve/{scene['eid']}", data={"csrf_token": token(client), "use": "stored"})
    with app.app_context():
        assert db.session.get(KeyedEntry, scene["eid"]).resolution is Resolution.KEPT
        assert db.session.get(Response, scene["rid"]).current_version == 1
    again = client.post(base + f"/resolve/{scene['eid']}",
                        data={"csrf_token": token(client), "use": "second"}, follow_redirects=True)
    assert "đã được xử lý" in again.get_data(as_text=True)


def test_correction_adds_a_version_and_keeps_the_history(app, scene, as_user):
    client = as_user("staff_province")
    url = f"/staff/surveys/{scene['sid']}/responses/{scene['rid']}"
    page = client.get(url).get_data(as_text=True)
    assert 'value="11111111111"' in page and "Phiên bản 1" in page
    missing = client.post(url, data={"csrf_token": token(client), "answers": "11111111112",
                                     "change_reason": ""})
    assert missing.status_code == 422
    same = client.post(url, data={"csrf_token": token(client), "answers": "11111111111",
                                  "change_reason": "kiểm tra"})
    assert same.status_code == 422 and "giống hệt" in same.get_data(as_text=True)
    fixed = client.post(url, data={"csrf_token": token(client), "answers": "1111 1111 112",
                                   "change_reason": "Nhập nhầm câu 11, đã xem phiếu gốc"})
    assert fixed.status_code == 302
    history = client.get(url).get_data(as_text=True)
    assert "Phiên bản 2" in history and "Phiên bản 1" in history
    assert "Nhập nhầm câu 11, đã xem phiếu gốc" in history and "staff_province" in history
    with app.app_context():
        response = db.session.get(Response, scene["rid"])
        assert response.current_version == 2 and [v.version for v in response.versions] == [1, 2]
        old, new = response.versions
        assert all(not a.is_current for a in old.answers) and all(a.is_current for a in new.answers)
        assert sorted(a.value for a in old.answers) == [1] * 11  # never edited in place
        entry = db.session.query(AuditEntry).filter_by(action="paper.correct").one()
        assert entry.details["version"] == 2 and entry.details["reason"].startswith("Nhập nhầm")
        counted = db.session.execute(select(func.count()).select_from(Answer).where(
            Answer.survey_id == scene["sid"], Answer.is_current.is_(True))).scalar_one()
    assert counted == ITEMS  # one phiếu tallied once


def test_web_answers_are_never_shown_or_corrected_by_staff(app, as_user):
    from survey_app.services.responses import Submission, find_code, submit

    survey_id, issued = make_survey(app)
    with app.app_context():
        response_id = submit(db.session.get(Survey, survey_id), find_code(issued[0].code), Submission({})).id
        db.session.commit()
    client = as_user("staff_commune")
    assert client.get(f"/staff/surveys/{survey_id}/responses/{response_id}").status_code == 404
    found = client.get(f"/staff/surveys/{survey_id}/responses?q=1")
    assert found.status_code == 404 and "đã trả lời qua mạng" in found.get_data(as_text=True)


def test_find_a_paper_phieu_by_serial_or_receipt(app, scene, as_user):
    client = as_user("auditor_province")
    with app.app_context():
        receipt = db.session.get(Response, scene["rid"]).receipt
    for typed in ("1", receipt.lower()):
        found = client.get(f"/staff/surveys/{scene['sid']}/responses", query_string={"q": typed})
        assert found.status_code == 302 and found.headers["Location"].endswith(f"/responses/{scene['rid']}")
    page = client.get(found.headers["Location"]).get_data(as_text=True)
    assert "Lịch sử phiếu" in page and "Sửa phiếu" not in page  # auditors read only
