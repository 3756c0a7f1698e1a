"""The audit log: every staff action appended and hash-chained; tampering and deletion are caught."""
from __future__ import annotations

from sqlalchemy import text

from survey_app.extensions import db
from survey_app.models import AuditEntry

from ..factories import make_survey
from .accounts import token


def _ids(app) -> list[int]:
    with app.app_context():
        return [e.id for e in db.session.query(AuditEntry).order_by(AuditEntry.id)]


def test_cli_verify_passes_on_an_intact_log(app, runner, scene):
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0 and "Audit log intact" in result.output


def test_cli_verify_catches_an_altered_entry(app, runner, scene):
    target = _ids(app)[3]
    with app.app_context():
        db.session.execute(text("UPDATE audit_entry SET details = :d WHERE id = :id"),
                           {"d": '{"serial": 99}', "id": target})
        db.session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"entry {target}: content does not match its hash" in result.output


def test_cli_verify_catches_a_deleted_entry(app, runner, scene):
    target = _ids(app)[2]
    with app.app_context():
        db.session.execute(text("DELETE FROM audit_entry WHERE id = :id"), {"id": target})
        db.session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1 and f"entry {target + 1}: previous-hash link broken" in result.output


def test_removing_the_newest_entries_is_caught_against_a_head_quoted_earlier(app, runner, as_user, scene):
    with app.app_context():
        quoted = db.session.query(AuditEntry).order_by(AuditEntry.id.desc()).first().entry_hash  # as in a manifest
    assert runner.invoke(args=["audit", "verify", "--head", quoted]).exit_code == 0
    last_two = _ids(app)[-2:]
    with app.app_context():
        db.session.execute(text("DELETE FROM audit_entry WHERE id >= :id"), {"id": last_two[0]})
        db.session.commit()
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0  # the chain alone cannot tell
    result = runner.invoke(args=["audit", "verify", "--head", quoted])
    assert result.exit_code == 1 and "quoted earlier is missing (newest entries removed)" in result.output
    page = as_user("auditor_province").get(f"/staff/audit/verify?head={quoted}").get_data(as_text=True)
    assert "KHÔNG còn nguyên vẹn" in page and "các dòng mới nhất đã bị xóa" in page


def test_console_verify_page_reports_tampering(app, as_user, scene):
    client = as_user("auditor_province")
    assert "Nhật ký nguyên vẹn" in client.get("/staff/audit/verify").get_data(as_text=True)
    with app.app_context():
        db.session.execute(text("UPDATE audit_entry SET actor_name = 'someone' WHERE id = :id"),
                           {"id": _ids(app)[1]})
        db.session.commit()
    page = client.get("/staff/audit/verify").get_data(as_text=True)
    assert "KHÔNG còn nguyên vẹn" in page and "nội dung bị sửa sau khi ghi" in page


def test_audit_page_shows_entries_in_scope_in_vietnam_time(app, as_user, scene):
    with app.app_context():
        entry = db.session.query(AuditEntry).filter_by(action="paper.enter").one()
        local = entry.created_at.astimezone(__import__("zoneinfo").ZoneInfo("Asia/Ho_Chi_Minh"))
    page = as_user("auditor_province").get(f"/staff/audit?survey={scene['sid']}").get_data(as_text=True)
    assert "paper.enter" in page and "staff_commune" in page and local.strftime("%H:%M %d/%m/%Y") in page
    elsewhere = as_user("staff_elsewhere").get("/staff/audit").get_data(as_text=True)
    assert "paper.enter" not in elsewhere and "survey.create" not in elsewhere
    filtered = as_user("admin").get("/staff/audit?action=paper.second_keying").get_data(as_text=True)
    assert "paper.second_keying" in filtered and "paper.enter<" not in filtered


def test_audit_page_is_paginated(app, as_user, world):
    from survey_app.services import audit

    with app.app_context():
        for n in range(60):
            audit.record("test.entry", actor_name="test", n=n)
        db.session.commit()
    client = as_user("admin")
    first = client.get("/staff/audit").get_data(as_text=True)
    assert "Trang 1 / 2" in first
    for page in ("2", "99", "-1", "x"):  # out of range or malformed pages never fail
        assert client.get(f"/staff/audit?page={page}").status_code == 200
    # A page past the end shows the last page (not an empty one); a malformed one the first.
    last = client.get("/staff/audit?page=99").get_data(as_text=True)
    assert "Trang 2 / 2" in last and "test.entry" in last and "« Trước" in last
    assert "Trang 1 / 2" in client.get("/staff/audit?page=-1").get_data(as_text=True)


def test_every_console_action_is_logged_with_its_actor(app, as_user, world):
    survey_id, _ = make_survey(app, status="draft")
    client = as_user("staff_commune")
    client.post(f"/staff/surveys/{survey_id}/open", data={"csrf_token": token(client)})
    client.post(f"/staff/surveys/{survey_id}/codes/void", data={"csrf_token": token(client), "serial": "1",
                                                                 "reason": "mất"})
    client.get(f"/staff/surveys/{survey_id}/codes.csv")
    with app.app_context():
        rows = {(e.action, e.actor_name) for e in db.session.query(AuditEntry)}
    assert {(action, "staff_commune") for action in ("user.login", "survey.open", "codes.void",
                                                     "codes.export")} <= rows


def test_audit_details_are_readable_vietnamese_and_still_escaped(app, as_user, world):
    from survey_app.services import audit

    with app.app_context():
        audit.record("paper.correct", actor_name="test", reason="<b>chép sai</b>", receipt="R-1",
                     changes=[["Câu 10", "Hài lòng", "Không hài lòng"], ["Ý kiến khác", "", "Đường & cầu"]],
                     villages=[{"code": "01", "name": "Thôn Đông"}])
        db.session.commit()
    page = as_user("admin").get("/staff/audit").get_data(as_text=True)
    assert "\\u00" not in page and "\\u1" not in page and "&#34;" not in page
    assert "(Câu 10, Hài lòng, Không hài lòng), (Ý kiến khác, –, Đường &amp; cầu)" in page
    assert "(code: 01, name: Thôn Đông)" in page
    assert "&lt;b&gt;chép sai&lt;/b&gt;" in page and "<b>chép sai" not in page


def test_audit_details_rendering():
    from survey_app.staff.audit import readable

    assert readable("Hài lòng") == "Hài lòng" and readable(12) == "12" and readable(None) == "–"
    assert readable([]) == "–" and readable(["a.csv", "b.csv"]) == "a.csv, b.csv"
    assert readable({"a": [1, 2], "b": True}) == "a: (1, 2), b: ✓"


def test_audit_action_filter_matches_a_prefix(app, as_user, world):
    from survey_app.services import audit

    with app.app_context():
        for action in ("survey.open", "survey.close", "surveyor.x", "codes.export", "test_1.entry", "testX1.entry"):
            audit.record(action, actor_name="test")
        db.session.commit()
    client = as_user("admin")
    page = client.get("/staff/audit?action=survey").get_data(as_text=True)
    assert ">survey.open<" in page and ">survey.close<" in page and ">codes.export<" not in page
    assert ">3 dòng<" in page  # surveyor.x starts with "survey" too
    page = client.get("/staff/audit?action=Survey.").get_data(as_text=True)
    assert ">survey.open<" in page and ">surveyor.x<" not in page and ">2 dòng<" in page
    exact = client.get("/staff/audit?action=codes.export").get_data(as_text=True)
    assert ">codes.export<" in exact and ">1 dòng<" in exact
    # % and _ are matched literally, not as LIKE wildcards
    escaped = client.get("/staff/audit?action=test_").get_data(as_text=True)
    assert ">test_1.entry<" in escaped and ">testX1.entry<" not in escaped
    assert ">0 dòng<" in client.get("/staff/audit?action=%25").get_data(as_text=True)


def test_audit_time_column_is_the_time_of_the_entry(app, as_user, world):
    page = as_user("admin").get("/staff/audit").get_data(as_text=True)
    assert '<th class="short">Thời điểm</th>' in page and ">Thời gian<" not in page
    assert 'data-label="Thời điểm"' in page
