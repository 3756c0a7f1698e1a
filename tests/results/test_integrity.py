"""Integrity indicators computed from grouped SQL, with their evidence on the results page: planted fraud is
flagged, honest patterns (a Zalo wave over carrier addresses, a declared village meeting, a keyer fast by
nature, ordinary opinions) are not."""
from __future__ import annotations

import random
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import AuditEntry, Channel, Response, Role, Survey
from survey_app.services.integrity import integrity_indicators
from survey_app.services.responses import Submission, find_code, submit
from survey_app.services.results import results_document
from survey_app.services.surveys import change_rules, transition

from ..factories import make_survey
from .factories import OVERALL, N, S, add_user, log_in

COPIED = "Đề nghị sửa lại đường liên thôn"
ADDRESS = "a1b2c3d4e5f60718"
ORDINARY = ("Không có ý kiến gì thêm.", "Rất hài lòng", "hoàn toàn nhất trí", "NHẤT TRÍ CAO!", "Không có gì ạ",
            "khong co kien nghi gi", "Rất hài lòng, không có ý kiến gì thêm")


def _evening(survey: Survey, day: int, minute: float = 0.0) -> datetime:
    """19:00 Vietnam time on ``day`` of the window, plus ``minute`` minutes."""
    return datetime.combine(survey.start_date, time(12, 0), UTC) + timedelta(days=day, minutes=minute)


def _answer(survey, code: str, items, *, when: datetime, address: str | None = None, value=S, opinion: str = "",
            channel=Channel.WEB, keyer: int | None = None) -> None:
    """Store one phiếu and stamp it as received at ``when``."""
    recorded = submit(survey, find_code(code), Submission(dict.fromkeys(items, value), opinion=opinion,
                                                          channel=channel),
                      client_hash=address, created_by_id=keyer)
    db.session.get(Response, recorded.id).submitted_at = when


def build_suspicious_survey(app) -> int:
    """V1: 20 of 20 households satisfied, 14 from their own addresses over ten days, 6 from one address one
    after another (70 to 95 s apart); V2: 20 paper phiếu keyed 2 s apart by one clerk, all dissatisfied,
    5 with the same opinion, one stamped before the window."""
    survey_id, issued = make_survey(app, villages=(("V1", "Thôn Đông", 20), ("V2", "Thôn Tây", 20)))
    clerk_id = add_user(app, "nhaplieu", Role.STAFF, "21040")
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        items = [item["key"] for item in survey.template["items"]]
        v1 = [c.code for c in issued if c.village_code == "V1"]
        v2 = [c.code for c in issued if c.village_code == "V2"]
        pile = _evening(survey, 3)
        for n, code in enumerate(v1):
            if n < 6:
                pile += timedelta(seconds=(70, 80, 90, 75, 85, 95)[n])
                _answer(survey, code, items, when=pile, address=ADDRESS)
            else:
                _answer(survey, code, items, when=_evening(survey, n % 10, 7 * n), address=f"{n:016x}")
        keyed = datetime.combine(survey.start_date, time(3, 0), UTC)
        for n, code in enumerate(v2):
            _answer(survey, code, items, when=keyed + timedelta(seconds=2 * n), value=N, channel=Channel.PAPER,
                    opinion=COPIED if n < 5 else "", keyer=clerk_id)
        last = db.session.execute(select(Response).order_by(Response.id.desc()).limit(1)).scalar_one()
        last.submitted_at = keyed - timedelta(days=3)  # the last one: before the window opened
        db.session.commit()
    return survey_id


def test_each_indicator_fires_with_its_evidence(app):
    survey_id = build_suspicious_survey(app)
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        found = {i.kind: i for i in integrity_indicators(survey, results_document(survey))}
    assert set(found) == {"burst", "fast_keying", "identical_opinions", "outside_window", "full_coverage",
                          "outlier_village"}
    burst = found["burst"]
    assert burst.subject == ADDRESS and burst.severity == "alert" and burst.evidence["answers"] == 6
    assert burst.evidence["one_by_one"] and burst.evidence["villages"] == ("V1",)
    assert burst.evidence["min_gap_seconds"] == 75.0 and burst.evidence["address_answers"] == 6
    keying = found["fast_keying"].evidence
    assert keying["keyer"] == "nhaplieu" and keying["forms"] == 19 and keying["basis"] == "floor"
    assert keying["seconds_per_form"] == 2.0 and found["fast_keying"].severity == "alert"
    opinions = found["identical_opinions"]
    assert opinions.subject == "V2" and opinions.evidence["copies"] == 5 and opinions.evidence["villages"] == ("V2",)
    assert opinions.evidence["text"] == COPIED and opinions.evidence["village_opinions"] == 5
    assert found["outside_window"].evidence["before"] == 1 and found["outside_window"].evidence["after"] == 0
    assert found["full_coverage"].subject in ("V1", "V2") and found["full_coverage"].severity == "info"
    assert found["outlier_village"].evidence["rate"] in (0.0, 1.0)


def test_no_indicator_on_an_ordinary_survey(app, hand_counted):
    with app.app_context():
        survey = db.session.get(Survey, hand_counted.survey_id)
        assert integrity_indicators(survey, results_document(survey)) == []


def test_honest_patterns_raise_nothing(app):
    """A Zalo wave over four carrier addresses, the issue's ordinary opinions on a quarter of the phiếu, and
    a keyer typing a phiếu in 9 s (faster than the 15 s that used to be the limit for everybody)."""
    survey_id, issued = make_survey(app, villages=(("T01", "Thôn Một", 60), ("T02", "Thôn Hai", 40)))
    keyer = add_user(app, "nhanhtay", Role.STAFF, "21040")
    draw = random.Random(15)
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        items = [item["key"] for item in survey.template["items"]]
        t01 = [c.code for c in issued if c.village_code == "T01"]
        t02 = [c.code for c in issued if c.village_code == "T02"]
        for n, code in enumerate(t01[:50]):
            wave = n < 40  # the link posted in the village's Zalo group: most answer within the hour
            when = _evening(survey, 2, draw.expovariate(1 / 20)) if wave else _evening(survey, n % 12, n)
            _answer(survey, code, items, when=when, address=f"carrier-{draw.randrange(4)}",
                    opinion=ORDINARY[n % len(ORDINARY)] if n % 4 == 0 else "")
        keyed = datetime.combine(survey.start_date, time(2, 0), UTC)
        for n, code in enumerate(t02[:36]):
            keyed += timedelta(seconds=draw.uniform(7, 11))
            _answer(survey, code, items, when=keyed, channel=Channel.PAPER, keyer=keyer,
                    opinion=ORDINARY[n % len(ORDINARY)] if n % 2 == 0 else "")
        db.session.commit()
        assert integrity_indicators(survey, results_document(survey)) == []


def _meeting_survey(app) -> tuple[int, int]:
    """T01 holds a meeting on day 2 from 19:00 to 21:00: 40 households answer over the hall's Wi-Fi; 20 of
    T02 answer from home over ten days. Returns (survey id, staff user id)."""
    survey_id, issued = make_survey(app, villages=(("T01", "Thôn Một", 50), ("T02", "Thôn Hai", 30)))
    staff_id = add_user(app, "canbo", Role.STAFF, "21040")
    draw = random.Random(6)
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        items = [item["key"] for item in survey.template["items"]]
        for code in [c.code for c in issued if c.village_code == "T01"][:40]:
            _answer(survey, code, items, when=_evening(survey, 2, draw.uniform(5, 120)), address="hall-wifi")
        for n, code in enumerate([c.code for c in issued if c.village_code == "T02"][:20]):
            _answer(survey, code, items, when=_evening(survey, n % 10, 3 * n), address=f"home-{n}")
        db.session.commit()
    return survey_id, staff_id


def test_a_declared_meeting_makes_its_burst_expected(app, client):
    survey_id, staff_id = _meeting_survey(app)
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        (burst,) = integrity_indicators(survey, results_document(survey))
        assert burst.kind == "burst" and burst.severity == "warning" and burst.evidence["crowd"]
        start_date = survey.start_date
        village = next(f.id for f in survey.frame if f.village.code == "T01")
    log_in(app, client, staff_id)
    html = client.get(f"/results/{survey_id}").get_data(as_text=True)
    assert "hãy khai báo buổi họp" in html and "thiết bị" not in html
    page = client.get(f"/staff/surveys/{survey_id}/meetings").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    declared = client.post(f"/staff/surveys/{survey_id}/meetings", data={
        "csrf_token": token, "village": village, "day": (start_date + timedelta(days=2)).isoformat(),
        "start": "19:00", "end": "21:00", "note": "Nhà văn hóa thôn Một"}, follow_redirects=True)
    assert "Đã khai báo buổi họp của Thôn Một" in declared.get_data(as_text=True)
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        (note,) = integrity_indicators(survey, results_document(survey))
        assert (note.kind, note.severity, note.subject) == ("declared_meeting", "info", "T01")
        assert note.evidence["answers"] == 40 and note.evidence["addresses"] == 1
        assert note.evidence["declared_by"] == "canbo" and not note.evidence["declared_after"]
        entry = db.session.execute(select(AuditEntry).where(AuditEntry.action == "meeting.declare")).scalar_one()
        assert entry.details["village"] == "T01" and entry.details["note"] == "Nhà văn hóa thôn Một"
        transition(survey, "close", actor_name="test")
        transition(survey, "publish", actor_name="test")  # the note is frozen into the snapshot as JSON
        db.session.commit()
    html = client.get(f"/results/{survey_id}").get_data(as_text=True)
    assert "Họp thôn đã khai báo" in html and "40 phiếu trực tuyến của thôn trong buổi họp" in html
    assert "Người khai báo: canbo" in html and "Nhà văn hóa thôn Một" in html


def test_results_page_explains_the_indicators(app, client):
    survey_id = build_suspicious_survey(app)
    log_in(app, client, add_user(app, "kiemtra"))
    html = client.get(f"/results/{survey_id}").get_data(as_text=True)
    assert "Nhiều phiếu trực tuyến từ một địa chỉ mạng trong thời gian ngắn" in html and "thiết bị" not in html
    assert "Một địa chỉ mạng (mã ẩn danh a1b2c3d4) đã gửi 6 phiếu trực tuyến của Thôn Đông" in html
    assert "như một người lần lượt điền từng phiếu" in html
    assert "nhaplieu đã nhập 19 phiếu giấy" in html and "không ai kịp đọc và nhập" in html
    assert f"5 phiếu có cùng ý kiến “{COPIED}” (ở Thôn Tây)" in html
    assert "Riêng Thôn Tây có 5 trong 5 ý kiến" in html
    assert "1 phiếu được ghi nhận trước ngày bắt đầu" in html
    assert "khác hẳn các thôn còn lại" in html and "Kiểm tra trước" in html


def test_indicators_frozen_by_earlier_publications_still_read(app):
    """Snapshots published before this calibration hold the old evidence: their sentences still render."""
    from survey_app.exports import explain

    legacy = {
        "burst": {"answers": 6, "first": "2026-03-02T08:00:00+00:00", "last": "2026-03-02T08:03:00+00:00",
                  "window_seconds": 600.0, "client_answers": 7},
        "fast_keying": {"forms": 19, "seconds": 38.0, "seconds_per_form": 2.0, "median_seconds_per_form": 2.0,
                        "min_seconds_per_form": 15.0, "keyer": "nhaplieu", "hour": "2026-03-02T03:00:00+00:00"},
        "identical_opinions": {"text": COPIED, "copies": 5, "villages": ["V2"]},
        "outlier_village": {"respondents": 20, "satisfied": 0, "rate": 0.0, "rest_respondents": 20, "rest_rate": 1.0,
                            "direction": "below", "p_value": 1e-9, "adjusted_p_value": 2e-9, "alpha": 0.001},
    }
    with app.test_request_context():
        sentences = {kind: explain.indicator_sentence(kind, "V2", evidence, {"V2": "Thôn Tây"})
                     for kind, evidence in legacy.items()}
    assert sentences["burst"].startswith("Một địa chỉ mạng (mã ẩn danh V2) đã gửi 6 phiếu trực tuyến trong vòng 10")
    assert "(ngưỡng 15 giây" in sentences["fast_keying"]
    assert sentences["identical_opinions"] == f"5 phiếu có cùng ý kiến “{COPIED}” (ở Thôn Tây)."
    assert "Fisher" in sentences["outlier_village"]


def test_overall_rate_of_villages_feeds_the_outlier_test(app):
    survey_id = build_suspicious_survey(app)
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        document = results_document(survey)
        villages = {v["code"]: v for v in document["villages"]}
        overall = {v: next(i for i in villages[v]["items"] if i["key"] == OVERALL) for v in villages}
        assert (overall["V1"]["satisfied"], overall["V2"]["satisfied"]) == (20, 0)
        assert db.session.execute(select(func.count()).select_from(Response)).scalar_one() == 40


def _change_first_threshold(app, survey_id: int, threshold: str, why: str) -> None:
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        rules = [dict(rule) for rule in survey.rules]
        rules[0]["threshold"] = threshold
        change_rules(survey, rules, why, actor_name="canbo")
        db.session.commit()


def test_rules_changed_after_opening_is_flagged_and_a_lowered_threshold_is_an_alert(app, client):
    survey_id, _ = make_survey(app, status="draft")
    _change_first_threshold(app, survey_id, "0.95", "Soạn thảo lại trước khi mở")  # before opening: fine
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        transition(survey, "open", actor_name="test")
        db.session.commit()
        assert not [i for i in integrity_indicators(survey, results_document(survey)) if i.kind == "rules_changed"]
    _change_first_threshold(app, survey_id, "0.97", "Theo công văn số 12/MTTQ-BTT")
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        (found,) = [i for i in integrity_indicators(survey, results_document(survey)) if i.kind == "rules_changed"]
        assert found.severity == "warning" and found.evidence["changes"] == 1 and found.evidence["lowered"] == 0
    _change_first_threshold(app, survey_id, "70 %", "Hạ ngưỡng theo chỉ đạo")
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        (found,) = [i for i in integrity_indicators(survey, results_document(survey)) if i.kind == "rules_changed"]
        assert found.severity == "alert" and found.evidence["changes"] == 2 and found.evidence["lowered"] == 1
        assert found.evidence["by"] == ("canbo",) and found.evidence["justification"] == "Hạ ngưỡng theo chỉ đạo"
    log_in(app, client, add_user(app, "kiemtra"))
    html = client.get(f"/results/{survey_id}").get_data(as_text=True)
    assert "Quy tắc công nhận được sửa sau khi mở lấy ý kiến" in html
    assert "Quy tắc đã được sửa 2 lần sau khi mở lấy ý kiến, hạ 1 ngưỡng; lần cuối" in html
    assert "người sửa: canbo; lý do: “Hạ ngưỡng theo chỉ đạo”." in html
