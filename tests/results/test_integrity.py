"""Integrity indicators computed from grouped SQL, with their evidence on the results page."""
from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import Channel, Response, Role, Survey
from survey_app.services.integrity import integrity_indicators
from survey_app.services.responses import Submission, find_code, submit
from survey_app.services.results import results_document
from survey_app.services.surveys import change_rules, transition

from .conftest import OVERALL, N, S, add_user, log_in, make_survey

COPIED = "Đề nghị sửa lại đường liên thôn"


def build_suspicious_survey(app) -> int:
    """V1: 20 of 20 households satisfied, 6 of them from one device at once; V2: 20 paper phiếu keyed 2 s
    apart by one clerk, all dissatisfied, 5 with the same opinion, one stamped before the window."""
    survey_id, issued = make_survey(app, villages=(("V1", "Thôn Đông", 20), ("V2", "Thôn Tây", 20)))
    clerk_id = add_user(app, "nhaplieu", Role.STAFF, "21040")
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        items = [item["key"] for item in survey.template["items"]]
        v1 = [c.code for c in issued if c.village_code == "V1"]
        v2 = [c.code for c in issued if c.village_code == "V2"]
        for n, code in enumerate(v1):
            submit(survey, find_code(code), Submission(dict.fromkeys(items, S)),
                   client_hash="a1b2c3d4e5f60718" if n < 6 else f"{n:016x}")
        keyed = datetime.combine(survey.start_date, time(3, 0), UTC)
        for n, code in enumerate(v2):
            opinion = COPIED if n < 5 else ""
            recorded = submit(survey, find_code(code), Submission(dict.fromkeys(items, N), opinion=opinion,
                                                                  channel=Channel.PAPER),
                              created_by_id=clerk_id)
            response = db.session.get(Response, recorded.id)
            response.submitted_at = keyed + timedelta(seconds=2 * n)
        response.submitted_at = keyed - timedelta(days=3)  # the last one: before the window opened
        db.session.commit()
    return survey_id


def test_each_indicator_fires_with_its_evidence(app):
    survey_id = build_suspicious_survey(app)
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        found = {i.kind: i for i in integrity_indicators(survey, results_document(survey))}
    assert set(found) == {"burst", "fast_keying", "identical_opinions", "outside_window", "full_coverage",
                          "outlier_village"}
    assert found["burst"].evidence["answers"] == 6 and found["burst"].subject == "a1b2c3d4e5f60718"
    keying = found["fast_keying"].evidence
    assert keying["keyer"] == "nhaplieu" and keying["forms"] == 19
    assert found["fast_keying"].evidence["seconds_per_form"] == 2.0
    assert found["identical_opinions"].evidence["copies"] == 5
    assert found["identical_opinions"].evidence["villages"] == ("V2",)
    assert found["outside_window"].evidence["before"] == 1 and found["outside_window"].evidence["after"] == 0
    assert found["full_coverage"].subject in ("V1", "V2") and found["full_coverage"].severity == "info"
    assert found["outlier_village"].evidence["rate"] in (0.0, 1.0)


def test_no_indicator_on_an_ordinary_survey(app, hand_counted):
    with app.app_context():
        survey = db.session.get(Survey, hand_counted.survey_id)
        assert integrity_indicators(survey, results_document(survey)) == []


def test_results_page_explains_the_indicators(app, client):
    survey_id = build_suspicious_survey(app)
    log_in(app, client, add_user(app, "kiemtra"))
    html = client.get(f"/results/{survey_id}").get_data(as_text=True)
    assert "Nhiều phiếu trực tuyến từ một thiết bị trong thời gian ngắn" in html
    assert "đã gửi 6 phiếu trực tuyến trong vòng 10 phút" in html
    assert "nhaplieu đã nhập 19 phiếu giấy" in html
    assert f"5 phiếu có cùng ý kiến “{COPIED}” (ở Thôn Tây)" in html
    assert "1 phiếu được ghi nhận trước ngày bắt đầu" in html
    assert "khác hẳn các thôn còn lại" in html and "Kiểm tra trước" in html


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
