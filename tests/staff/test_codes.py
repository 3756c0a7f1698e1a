"""Household codes and slips: the QR of each slip decodes to its /s/<code> link; void and replace."""
from __future__ import annotations

import csv
import io
from datetime import date

import pypdf
import pytest
import zxingcpp
from PIL import Image

from survey_app.extensions import db
from survey_app.models import AuditEntry, CodeStatus, HouseholdCode
from survey_app.services.slips import SlipError, render_slips_pdf

from ..factories import make_survey
from .accounts import token
from .pdfqr import qr_texts


def test_every_slip_carries_its_link_code_village_and_serial(app):
    _, issued = make_survey(app, villages=(("T01", "Thôn Một", 7), ("T02", "Thôn Hai", 5)))
    with app.app_context():
        pdf = render_slips_pdf(issued, deadline=date(2026, 12, 25))
        urls = [slip.url for slip in issued]
    assert len(issued) == 12
    assert qr_texts(pdf) == urls  # two pages, read back in printing order
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 2
    text = "\n".join(page.extract_text() for page in reader.pages)
    for slip in issued:
        assert slip.display in text and f"Phiếu số: {slip.serial} · hạn trả lời 25/12/2026" in text
    assert "Thôn Một" in text and "Thôn Hai" in text and "Xã Bình Sơn" in text
    assert "Quét mã QR bằng điện thoại, hoặc vào survey.test và nhập mã hộ." in text
    assert "Mỗi hộ trả lời một lần." in text


def test_embedded_qr_image_decodes_without_rendering_the_page(app):
    """The QR is embedded as a lossless image: extract it from the PDF itself and decode it."""
    _, issued = make_survey(app, villages=(("T01", "Thôn Một", 1),))
    with app.app_context():
        pdf = render_slips_pdf(issued)
        url = issued[0].url
    images = pypdf.PdfReader(io.BytesIO(pdf)).pages[0].images
    assert len(images) == 1
    with Image.open(io.BytesIO(images[0].data)) as image:
        decoded = zxingcpp.read_barcodes(image.convert("L"))
    assert [code.text for code in decoded] == [url]
    assert url == f"http://survey.test/s/{issued[0].display}"


def test_cli_issue_writes_csv_and_pdf(app, runner, tmp_path):
    survey_id, _ = make_survey(app, status="draft", villages=(("T01", "Thôn Một", 2),), spare=0.0)
    with app.app_context():  # make_survey issued them; issue more by raising the count
        from survey_app.models import FrameVillage

        frame = db.session.query(FrameVillage).filter_by(survey_id=survey_id).one()
        frame.households = 4
        db.session.commit()
    nowhere = runner.invoke(args=["codes", "issue", str(survey_id), "--csv", str(tmp_path / "no" / "c.csv")])
    assert nowhere.exit_code == 2 and "does not exist" in nowhere.output  # refused before issuing anything
    result = runner.invoke(args=["codes", "issue", str(survey_id), "--csv", str(tmp_path / "c.csv"),
                                 "--pdf", str(tmp_path / "s.pdf"), "--spare", "0"])
    assert result.exit_code == 0, result.output
    with (tmp_path / "c.csv").open(encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["serial"] for r in rows] == ["3", "4"]
    assert qr_texts((tmp_path / "s.pdf").read_bytes()) == [r["url"] for r in rows]


def test_console_download_is_the_cli_csv_and_is_logged(app, as_user):
    survey_id, issued = make_survey(app)
    client = as_user("staff_commune")
    response = client.get(f"/staff/surveys/{survey_id}/codes.csv")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0] == ["village_code", "village_name", "serial", "code", "url", "commune_code", "commune_name"]
    assert rows[1][5:] == ["21040", "Xã Bình Sơn"]  # a province survey's villages may share a code
    assert [row[3] for row in rows[1:]] == [slip.display for slip in issued]
    one = client.get(f"/staff/surveys/{survey_id}/slips.pdf?serial=2")
    assert one.headers["Content-Disposition"] == f'attachment; filename="phieu-ma-ho-dot-{survey_id}-serial-2.pdf"'
    with app.app_context():
        assert qr_texts(one.data) == [issued[1].url]
    with app.app_context():
        exports = [e.details for e in db.session.query(AuditEntry).filter_by(action="codes.export")]
    assert exports == [{"format": "csv", "count": 5}, {"format": "pdf", "count": 1, "serial": 2}]


def test_void_a_lost_slip_and_print_its_replacement(app, as_user):
    survey_id, issued = make_survey(app)
    client = as_user("staff_commune")
    page = client.post(f"/staff/surveys/{survey_id}/codes/void", data={
        "csrf_token": token(client), "serial": "2", "reason": "Hộ báo mất phiếu"}, follow_redirects=True)
    assert "Đã hủy phiếu số 2; phiếu thay thế số 6" in page.get_data(as_text=True)
    assert "slips.pdf?serial=6" in page.get_data(as_text=True)
    resident = app.test_client()
    assert resident.get(f"/s/{issued[1].display}").status_code == 410
    replacement = client.get(f"/staff/surveys/{survey_id}/slips.pdf?serial=6")
    (url,) = qr_texts(replacement.data)
    assert issued[1].display not in url
    assert resident.get(url.removeprefix("http://survey.test")).status_code == 200
    again = client.post(f"/staff/surveys/{survey_id}/codes/void", data={
        "csrf_token": token(client), "serial": "2", "reason": "lần nữa"}, follow_redirects=True)
    assert "đã bị hủy trước đó" in again.get_data(as_text=True)
    with app.app_context():
        voided = db.session.query(HouseholdCode).filter_by(survey_id=survey_id, serial=2).one()
        new = db.session.query(HouseholdCode).filter_by(survey_id=survey_id, serial=6).one()
        assert voided.status is CodeStatus.VOIDED and new.replaces_id == voided.id
        entry = db.session.query(AuditEntry).filter_by(action="codes.void").one()
        assert entry.details["reason"] == "Hộ báo mất phiếu" and entry.actor_name == "staff_commune"


def test_issue_tops_up_only_and_stops_once_closed(app, as_user):
    survey_id, _ = make_survey(app)
    client = as_user("staff_commune")
    page = client.post(f"/staff/surveys/{survey_id}/codes/issue", data={
        "csrf_token": token(client), "spare_percent": "0"}, follow_redirects=True)
    assert "Mọi thôn đã đủ mã" in page.get_data(as_text=True)
    page = client.post(f"/staff/surveys/{survey_id}/codes/issue", data={
        "csrf_token": token(client), "spare_percent": "50"}, follow_redirects=True)
    # ceil(3 × 0.5) + ceil(2 × 0.5) spare slips
    assert "Đã phát 3 mã mới (phiếu số 6 đến 8)" in page.get_data(as_text=True)
    client.post(f"/staff/surveys/{survey_id}/close", data={"csrf_token": token(client), "confirm": "y"})
    page = client.post(f"/staff/surveys/{survey_id}/codes/issue", data={
        "csrf_token": token(client), "spare_percent": "10"}, follow_redirects=True)
    assert "không phát thêm mã" in page.get_data(as_text=True)


@pytest.mark.parametrize("value", ["", "-1", "101", "abc", "1e9"])
def test_bad_spare_share_is_refused_without_error(app, as_user, value):
    survey_id, _ = make_survey(app)
    client = as_user("staff_commune")
    page = client.post(f"/staff/surveys/{survey_id}/codes/issue", data={
        "csrf_token": token(client), "spare_percent": value}, follow_redirects=True)
    assert page.status_code == 200 and "Tỷ lệ phiếu dự phòng" in page.get_data(as_text=True)


def test_missing_font_fails_with_a_clear_message(app, as_user, tmp_path):
    survey_id, issued = make_survey(app)
    app.config["SURVEY_SLIP_FONT"] = str(tmp_path / "none.ttf")
    with app.app_context(), pytest.raises(SlipError, match="fonts-dejavu-core"):
        render_slips_pdf(issued)
    page = as_user("staff_commune").get(f"/staff/surveys/{survey_id}/slips.pdf", follow_redirects=True)
    assert page.status_code == 200 and "fonts-dejavu-core" in page.get_data(as_text=True)


@pytest.mark.parametrize(("public_url", "warned"), [
    ("http://127.0.0.1:5000", True), ("http://localhost:8000", True), ("https://khaosat.example.vn", False),
    ("http://survey.test", False),
])
def test_codes_page_warns_when_slips_would_print_an_address_phones_cannot_open(app, as_user, public_url, warned):
    survey_id, _issued = make_survey(app)
    app.config["SURVEY_PUBLIC_URL"] = public_url
    page = as_user("staff_commune").get(f"/staff/surveys/{survey_id}/codes").get_data(as_text=True)
    assert ("điện thoại của người dân không mở được" in page) is warned


@pytest.mark.parametrize("query", ["serial=99999", "serial=-1", "serial=abc", "village=XXX", "village=999999"])
def test_a_slip_selection_naming_nothing_is_404_not_a_file(app, as_user, query):
    survey_id, _issued = make_survey(app)
    assert as_user("staff_commune").get(f"/staff/surveys/{survey_id}/slips.pdf?{query}").status_code == 404


def test_voiding_with_a_too_long_reason_says_what_is_wrong(app, as_user):
    survey_id, _issued = make_survey(app)
    client = as_user("staff_commune")
    page = client.post(f"/staff/surveys/{survey_id}/codes/void", data={
        "csrf_token": token(client), "serial": "2", "reason": "x" * 301}, follow_redirects=True)
    text = page.get_data(as_text=True)
    assert "Lý do:" in text and "300" in text and "Hãy nhập số phiếu bị mất và lý do." not in text
