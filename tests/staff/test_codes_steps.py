"""Codes in bounded steps, reprints that never overwrite a file with nothing, and second keyings of slips
answered online (issue 13.4, 13.5, 13.17)."""
from __future__ import annotations

import csv

from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import AuditEntry, Channel, HouseholdCode, KeyedEntry, Survey
from survey_app.services import paper
from survey_app.services.responses import Submission, find_code, submit

from ..factories import make_survey
from .accounts import token
from .pdfqr import qr_texts


def _codes(app, survey_id: int) -> int:
    with app.app_context():
        return db.session.execute(select(func.count()).select_from(HouseholdCode)
                                  .where(HouseholdCode.survey_id == survey_id)).scalar_one()


def test_the_console_issues_at_most_a_step_of_codes_and_says_how_many_remain(app, as_user):
    survey_id, _issued = make_survey(app, status="draft", villages=(("T01", "Thôn Một", 3), ("T02", "Thôn Hai", 3)))
    app.config["SURVEY_CODES_PER_REQUEST"] = 4
    client = as_user("staff_commune")
    with app.app_context():
        for frame in db.session.get(Survey, survey_id).frame:
            frame.households = 6
        db.session.commit()
    url = f"/staff/surveys/{survey_id}/codes"
    page = client.post(f"{url}/issue", data={"csrf_token": token(client), "spare_percent": "0"},
                       follow_redirects=True).get_data(as_text=True)
    assert "Đã phát 4 mã mới (phiếu số 7 đến 10); còn 2 mã chưa phát" in page
    assert "Còn 4 mã cần phát" in page and _codes(app, survey_id) == 10  # the form offers 5 % spares
    page = client.post(f"{url}/issue", data={"csrf_token": token(client), "spare_percent": "0"},
                       follow_redirects=True).get_data(as_text=True)
    assert "Đã phát 2 mã mới (phiếu số 11 đến 12)" in page and _codes(app, survey_id) == 12
    with app.app_context():
        steps = db.session.execute(select(AuditEntry.details).where(AuditEntry.action == "codes.issue")
                                   .order_by(AuditEntry.id)).scalars().all()
        assert [step["remaining"] for step in steps[-2:]] == [2, 0]


def test_the_command_line_issues_in_steps_and_never_overwrites_slips_with_nothing(app, runner, tmp_path):
    survey_id, _issued = make_survey(app, status="draft", villages=(("T01", "Thôn Một", 2),))
    app.config["SURVEY_CODES_PER_REQUEST"] = 3
    with app.app_context():
        db.session.get(Survey, survey_id).frame[0].households = 9
        db.session.commit()
    csv_file, pdf_file = tmp_path / "ma.csv", tmp_path / "phieu.pdf"
    result = runner.invoke(args=["codes", "issue", str(survey_id), "--csv", str(csv_file), "--pdf", str(pdf_file),
                                 "--spare", "0"])
    assert result.exit_code == 0, result.output
    assert "Issued 3 codes, 4 to go" in result.output and result.output.strip().endswith("Issued 7 codes.")
    printed_csv, printed_pdf = csv_file.read_bytes(), pdf_file.read_bytes()
    again = runner.invoke(args=["codes", "issue", str(survey_id), "--csv", str(csv_file), "--pdf", str(pdf_file),
                                "--spare", "0"])
    assert again.exit_code == 0 and "No file was written" in again.output
    assert csv_file.read_bytes() == printed_csv and pdf_file.read_bytes() == printed_pdf


def test_reprint_prints_the_unused_slips_of_a_village_or_some_serials(app, runner, tmp_path):
    survey_id, issued = make_survey(app)  # T01: serials 1–3, T02: 4–5
    with app.app_context():
        submit(db.session.get(Survey, survey_id), find_code(issued[0].code), Submission({}))
        db.session.commit()
    out = tmp_path / "t01.csv"
    result = runner.invoke(args=["codes", "reprint", str(survey_id), "--village", "T01", "--csv", str(out)])
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8-sig") as fh:
        assert [row["serial"] for row in csv.DictReader(fh)] == ["2", "3"]  # serial 1 answered
    pdf = tmp_path / "two.pdf"
    result = runner.invoke(args=["codes", "reprint", str(survey_id), "--serial", "5", "--serial", "2",
                                 "--pdf", str(pdf)])
    assert result.exit_code == 0 and len(qr_texts(pdf.read_bytes())) == 2
    nothing = runner.invoke(args=["codes", "reprint", str(survey_id), "--serial", "1", "--csv", str(out)])
    assert nothing.exit_code != 0 and "no file was written" in nothing.output
    with out.open(encoding="utf-8-sig") as fh:
        assert len(list(csv.DictReader(fh))) == 2  # untouched
    with app.app_context():
        exports = db.session.execute(select(AuditEntry.details).where(AuditEntry.action == "codes.export")).scalars()
        assert [e.get("village") or e.get("serials") for e in exports] == ["T01", [2, 5]]


def test_a_slip_answered_online_is_never_keyed_again_nor_shown_in_the_batch_report(app, world, as_user):
    survey_id, issued = make_survey(app)
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        items = [item["key"] for item in survey.template["items"]]
        submit(survey, find_code(issued[0].code), Submission(dict.fromkeys(items, 2), opinion="Ý KIẾN RIÊNG CỦA HỘ"))
        batch = paper.create_batch(survey, survey.frame[0].id, Channel.PAPER)
        db.session.commit()
        batch_id = batch.id
    client = as_user("staff_province")
    base = f"/staff/surveys/{survey_id}/paper/{batch_id}"
    page = client.post(f"{base}/second", data={"csrf_token": token(client), "slip": "1", "answers": "1" * len(items)})
    assert page.status_code == 422 and "đã tự trả lời qua mạng" in page.get_data(as_text=True)
    with app.app_context():  # a second keying stored before the refusal existed
        db.session.add(KeyedEntry(batch_id=batch_id, keying=2, household_code_id=find_code(issued[0].code).id,
                                  answers=dict.fromkeys(items, 1), reasons={}, opinion="",
                                  created_by_id=world["staff_province"]))
        db.session.commit()
    for reader in ("staff_commune", "auditor_province"):
        report = as_user(reader).get(f"{base}/report").get_data(as_text=True)
        assert "hộ đã tự trả lời qua mạng" in report
        assert "Ý KIẾN RIÊNG CỦA HỘ" not in report and "Không hài lòng" not in report
        assert "Bản nhập lần hai đúng" not in report and "biên nhận" not in report
