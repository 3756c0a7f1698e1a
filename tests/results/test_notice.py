"""The public notice (issue 14, item 4): an official notice's fields, the publication's version and hash
prefix, which version is current and why, and a QR code that leads to the receipt check."""
from __future__ import annotations

import base64
import io

import pytest
import zxingcpp
from PIL import Image

from survey_app.extensions import db
from survey_app.models import Channel, Survey
from survey_app.results.notice import place_name
from survey_app.services import snapshots
from survey_app.services.responses import Submission, find_code, submit
from survey_app.services.surveys import transition

from ..factories import make_survey
from .factories import S, build_hand_counted

REASON = "Đính chính phiếu giấy số 5 nhập nhầm, theo biên bản ngày 3/12"


def _notice(client, survey_id: int, **query) -> str:
    page = client.get(f"/results/{survey_id}/niem-yet", query_string=query)
    assert page.status_code == 200
    return page.get_data(as_text=True)


def _qr_text(html: str) -> str:
    data = html.split('<div class="qr">', 1)[1].split('src="data:image/png;base64,', 1)[1].split('"', 1)[0]
    with Image.open(io.BytesIO(base64.b64decode(data))) as image:
        found = zxingcpp.read_barcodes(image.convert("L"), formats=zxingcpp.BarcodeFormat.QRCode)
    assert len(found) == 1
    return found[0].text


def test_the_notice_has_an_official_notices_fields_and_names_its_publication(app, client):
    survey_id = build_hand_counted(app, status="published").survey_id
    with app.app_context():
        publication = snapshots.current(db.session.get(Survey, survey_id))
    html = _notice(client, survey_id)
    for needed in ("ỦY BAN MẶT TRẬN TỔ QUỐC VIỆT NAM<br>XÃ BÌNH SƠN", "Số: ……/TB-MTTQ",
                   "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                   "Bình Sơn, ngày …… tháng …… năm ……", "THÔNG BÁO", "TM. BAN THƯỜNG TRỰC", "CHỦ TỊCH",
                   "Kết quả công bố lần 1", publication.sha256[:12], "Kiểm tra biên nhận"):
        assert needed in html, needed
    assert publication.sha256[:13] not in html
    assert "thay thế" not in html and "Lý do công bố lại" not in html and "đang được đính chính" not in html
    assert _qr_text(html) == "http://survey.test/bien-nhan"
    assert "http://survey.test/bien-nhan" in html and f"http://survey.test/results/{survey_id}/niem-yet" in html
    assert "<script" not in html and "style=" not in html


def test_a_republished_notice_says_it_is_current_and_why_and_the_old_one_says_it_was_replaced(app, client):
    survey_id, issued = make_survey(app, villages=(("T01", "Thôn Một", 3),), status="closed")
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        answers = {item["key"]: S for item in survey.template["items"]}
        submit(survey, find_code(issued[0].code), Submission(answers, channel=Channel.PAPER))
        transition(survey, "publish", actor_name="test")
        db.session.commit()
    with app.app_context():
        snapshots.reopen(db.session.get(Survey, survey_id), REASON, actor_name="test")
        db.session.commit()
    during = _notice(client, survey_id)
    assert "Kết quả công bố lần 1" in during and "đang được đính chính" in during
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        submit(survey, find_code(issued[1].code), Submission(answers, channel=Channel.PAPER))  # the correction
        transition(survey, "publish", actor_name="test", reason=REASON)
        db.session.commit()
        first, second = sorted(snapshots.versions(db.session.get(Survey, survey_id)), key=lambda p: p.version)
    current = _notice(client, survey_id)
    assert "Kết quả công bố lần 2" in current and second.sha256[:12] in current and first.sha256[:12] not in current
    assert "Đây là bản hiện hành, thay thế kết quả công bố lần 1." in current and REASON in current
    assert "đang được đính chính" not in current
    old = _notice(client, survey_id, **{"phien-ban": 1})
    assert "Kết quả công bố lần 1" in old and first.sha256[:12] in old
    assert "Bản này đã được thay thế bằng kết quả công bố lần 2." in old and REASON not in old
    assert client.get(f"/results/{survey_id}/niem-yet", query_string={"phien-ban": 3}).status_code == 404


@pytest.mark.parametrize(("unit", "place"), [("Xã Bình Sơn", "Bình Sơn"), ("Phường Ba Đình", "Ba Đình"),
                                             ("Đặc khu Phú Quốc", "Phú Quốc"), ("Tỉnh Quảng Ngãi", "Quảng Ngãi"),
                                             ("Thành phố Hà Nội", "Hà Nội"), ("xã Nà Hỳ", "Nà Hỳ"),
                                             ("Bình Sơn", "Bình Sơn"), ("Xã ", "Xã "), ("", "")])
def test_the_date_line_names_the_place_without_its_unit_type(unit, place):
    assert place_name(unit) == place
