"""The whole staff journey once, through the console only: empty database to a closed survey."""
from __future__ import annotations

import io
import re
from pathlib import Path

from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import AuditEntry, Channel, Response, Survey, SurveyStatus
from survey_app.models.surveys import vietnam_today
from survey_app.services.surveys import default_window_end

from ..resident import full_answers
from .accounts import PASSWORD, csrf_token, login, token
from .pdfqr import qr_texts

UNITS = Path(__file__).resolve().parents[2] / "survey_app" / "data" / "vn-units"


def _units_files() -> list[tuple[io.BytesIO, str]]:
    """provinces.csv and the communes of Quảng Ngãi (51), as uploaded files."""
    provinces = (UNITS / "provinces.csv").read_text(encoding="utf-8")
    lines = (UNITS / "communes.csv").read_text(encoding="utf-8").splitlines()
    communes = "\n".join([lines[0]] + [line for line in lines[1:] if line.endswith(",51")]) + "\n"
    return [(io.BytesIO(provinces.encode()), "provinces.csv"),
            (io.BytesIO(communes.encode()), "communes.csv")]


def test_empty_database_to_closed_survey(app, runner):
    result = runner.invoke(args=["users", "create", "quantri", "--role", "admin", "--password", PASSWORD])
    assert result.exit_code == 0, result.output
    admin = app.test_client()
    assert login(admin, "quantri").status_code == 302

    # Units: the national lists, then a staff account for the commune.
    page = admin.post("/staff/units/import", data={"csrf_token": token(admin), "files": _units_files()},
                      content_type="multipart/form-data", follow_redirects=True)
    assert "Đã nhập 34 tỉnh và 96 xã." in page.get_data(as_text=True)
    page = admin.post("/staff/users/new", data={
        "csrf_token": token(admin), "username": "canbo", "full_name": "Cán bộ xã", "role": "staff",
        "unit_code": "21040", "password": "Xa-BinhSon-2026", "confirm": "Xa-BinhSon-2026"})
    assert page.status_code == 302
    staff = app.test_client()
    assert login(staff, "canbo", "Xa-BinhSon-2026").status_code == 302

    # Villages of the commune from a frame CSV.
    frame = "village_code,village_name,households\nT01,Thôn An Lộc,4\nT02,Thôn Bình Trung,3\n"
    page = staff.post("/staff/units/21040/villages/frame", data={
        "csrf_token": token(staff), "frame": (io.BytesIO(frame.encode()), "thon.csv")},
        content_type="multipart/form-data", follow_redirects=True)
    assert "Đã nhập 2 thôn." in page.get_data(as_text=True)

    # Create the survey from the form the page offers.
    form_page = staff.get("/staff/surveys/new?unit=21040")
    html = form_page.get_data(as_text=True)
    assert form_page.status_code == 200 and "Thôn An Lộc" in html
    data = {"csrf_token": csrf_token(html), "unit_code": "21040", "template": "xa-ntm-2026",
            "start": vietnam_today().isoformat(), "margin": "0.05", "create": "1"}
    rows = re.findall(r'name="villages-(\d+)-village_id" type="hidden" value="(\d+)"', html)
    for index, (row, village_id) in enumerate(rows):
        data[f"villages-{row}-village_id"] = village_id
        data[f"villages-{row}-include"] = "y"
        data[f"villages-{row}-households"] = str(4 - index)
    created = staff.post("/staff/surveys/new?unit=21040", data=data)
    assert created.status_code == 302, created.get_data(as_text=True)
    survey_url = created.headers["Location"]
    survey_id = int(survey_url.rstrip("/").rsplit("/", 1)[1])
    with app.app_context():  # today + 20 days not counting Saturdays and Sundays
        end = default_window_end(vietnam_today())
    assert end.strftime("%d/%m/%Y") in staff.get(survey_url).get_data(as_text=True)

    # Open it, issue codes, download the slips and read their QR codes back.
    assert staff.post(f"{survey_url}/open", data={"csrf_token": token(staff)}).status_code == 302
    page = staff.post(f"{survey_url}/codes/issue", data={"csrf_token": token(staff), "spare_percent": "0"},
                      follow_redirects=True)
    assert "Đã phát 7 mã mới" in page.get_data(as_text=True)
    pdf = staff.get(f"{survey_url}/slips.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    links = qr_texts(pdf.data)
    assert len(links) == 7 and all(link.startswith("http://survey.test/s/") for link in links)

    # A household answers on its phone; a paper phiếu is keyed for another.
    resident = app.test_client()
    path = links[0].removeprefix("http://survey.test")
    phieu = resident.get(path)
    assert phieu.status_code == 200
    answered = resident.post(path, data=full_answers(phieu.get_data(as_text=True)))
    assert answered.status_code == 303
    batch = staff.post(f"{survey_url}/paper", data={
        "csrf_token": token(staff), "village": _frame_of(app, survey_id, "T02"), "channel": "paper",
        "label": "Tổ 1"})
    assert batch.status_code == 302
    keyed = staff.post(batch.headers["Location"], data={
        "csrf_token": token(staff), "slip": "5", "answers": "1" * 10 + "2", "opinion": "Cần thêm đèn đường"})
    assert keyed.status_code == 302, keyed.get_data(as_text=True)
    assert "Đã lưu phiếu số 5." in staff.get(keyed.headers["Location"]).get_data(as_text=True)
    coverage = staff.get(f"{survey_url}/coverage").get_data(as_text=True)
    assert "Thôn An Lộc" in coverage and "Thôn Bình Trung" in coverage

    # Close the survey; every step is in the audit log, whose chain holds.
    assert staff.post(f"{survey_url}/close", data={"csrf_token": token(staff), "confirm": "y"}).status_code == 302
    with app.app_context():
        assert db.session.get(Survey, survey_id).status is SurveyStatus.CLOSED
        channels = dict(db.session.execute(
            select(Response.channel, func.count()).group_by(Response.channel)).all())
        assert channels == {Channel.WEB: 1, Channel.PAPER: 1}
        actions = set(db.session.execute(select(AuditEntry.action)).scalars())
    assert {"user.login", "units.import", "user.create", "villages.import", "survey.create", "survey.open",
            "codes.issue", "codes.export", "paper.batch", "paper.enter", "survey.close"} <= actions
    verify = staff.get("/staff/audit/verify").get_data(as_text=True)
    assert "Nhật ký nguyên vẹn" in verify


def _frame_of(app, survey_id: int, village_code: str) -> int:
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        return next(f.id for f in survey.frame if f.village.code == village_code)
