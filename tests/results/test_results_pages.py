"""Results pages: login, scope, content, charts without scripts or inline styles, the public notice."""
from __future__ import annotations

import re
from datetime import date

import pytest

from survey_app.extensions import db
from survey_app.models import AnswerValue, Role, Survey
from survey_app.services.responses import Submission, find_code, submit

from ..factories import make_survey
from .factories import HYPERLINK, OVERALL, N, S, _answers, add_user, build_hand_counted, log_in


def test_pages_need_a_login(client, hand_counted):
    survey_id = hand_counted.survey_id
    for url in ("/results/", f"/results/{survey_id}", f"/results/{survey_id}/tai-ve/csv"):
        response = client.get(url)
        assert response.status_code in (302, 401)
        if response.status_code == 302:
            assert "/staff/login" in response.headers["Location"] or "login" in response.headers["Location"]


def test_list_shows_surveys_in_scope_only(app, client, hand_counted):
    log_in(app, client, add_user(app, "ngoai", unit="79"))
    html = client.get("/results/").get_data(as_text=True)
    assert "Chưa có đợt khảo sát nào" in html
    assert client.get(f"/results/{hand_counted.survey_id}").status_code == 403
    assert client.get(f"/results/{hand_counted.survey_id}/tai-ve/xlsx").status_code == 403
    assert client.get("/results/999999").status_code == 404


def test_results_page_shows_verdict_rules_items_and_villages(auditor_client, hand_counted):
    listing = auditor_client.get("/results/").get_data(as_text=True)
    assert f"/results/{hand_counted.survey_id}" in listing
    page = auditor_client.get(f"/results/{hand_counted.survey_id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Không đạt" in html and "Đối chiếu quy định" in html and "Cần xác nhận" in html
    assert "2/5 = 40,00\u00a0%" in html  # the numbers that decided the per-item rule
    assert "2 nội dung không đạt: Tiêu chí 1: Quy hoạch, Đánh giá chung" in html  # and what fell short
    assert "Thôn Một" in html and "@Thôn Hai" in html
    assert "Tiêu chí 1: Quy hoạch" in html
    assert "Với độ tin cậy 95" in html and "hộ chưa trả lời đều không hài lòng" in html
    assert "Dấu hiệu cần kiểm tra" in html


def test_charts_are_inline_svg_without_scripts_or_styles(auditor_client, hand_counted):
    html = auditor_client.get(f"/results/{hand_counted.survey_id}").get_data(as_text=True)
    assert html.count("<svg") == 2 and 'role="img"' in html
    assert "<script" not in html and "style=" not in html
    assert re.search(r'<rect x="0" y="\d+" width="216\.00" height="14" fill="#a4000f">', html)  # 40 % of 540


def test_staff_and_admin_see_results_too(app, client, hand_counted):
    log_in(app, client, add_user(app, "canbo", Role.STAFF, "21040"))
    assert client.get(f"/results/{hand_counted.survey_id}").status_code == 200
    log_in(app, client, add_user(app, "quantri", Role.ADMIN, None))
    assert client.get(f"/results/{hand_counted.survey_id}").status_code == 200


def test_public_notice_only_for_published_results(app, client, hand_counted):
    assert client.get(f"/results/{hand_counted.survey_id}/niem-yet").status_code == 404
    assert client.get(f"/results/{10**12}/niem-yet").status_code == 404
    published = build_hand_counted(app, status="published").survey_id
    page = client.get(f"/results/{published}/niem-yet")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "THÔNG BÁO" in html and "Thời gian niêm yết" in html
    assert 'src="data:image/png;base64,' in html
    assert f"http://survey.test/results/{published}/niem-yet" in html
    assert HYPERLINK not in html  # opinions are not posted publicly
    assert "<script" not in html and "style=" not in html


def test_free_text_is_escaped_in_pages(app, client):
    """An opinion copied five times is quoted on the page as evidence: escaped, never markup."""
    survey_id, issued = make_survey(app, villages=(("T01", "<b>Thôn</b>", 5),))
    script = "<script>alert('x')</script> đề nghị sửa đường"
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        answers = {item["key"]: AnswerValue.SATISFIED for item in survey.template["items"]}
        for slip in issued:
            submit(survey, find_code(slip.code), Submission(answers, opinion=script))
        db.session.commit()
    log_in(app, client, add_user(app, "kiemtra"))
    html = client.get(f"/results/{survey_id}").get_data(as_text=True)
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html and "<script" not in html
    assert "&lt;b&gt;Thôn&lt;/b&gt;" in html and "<b>Thôn" not in html


@pytest.mark.parametrize(("accept", "texts"), [
    ("vi", ["Tỷ lệ hài lòng chung", "Số hộ trong danh sách", "1.200", "2/3 = 66,66\u00a0%",
            "Chưa đủ điều kiện kết luận"]),
    ("en-US,en;q=0.9", ["Overall satisfaction rate", "Households on the list", "1,200", "2/3 = 66.66%",
                        "Not enough to conclude"]),
])
def test_results_page_in_vietnamese_and_english_with_their_number_and_date_formats(app, auditor_client,
                                                                                    accept, texts):
    survey_id, issued = make_survey(app, villages=(("T01", "Thôn Một", 1200),))
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        for code, overall in zip(issued[:3], (S, S, N), strict=True):
            submit(survey, find_code(code.code), Submission(_answers([OVERALL], **{OVERALL: overall})))
        survey.start_date, survey.end_date = date(2026, 3, 2), date(2026, 3, 27)  # answered in its window
        db.session.commit()
    html = auditor_client.get(f"/results/{survey_id}", headers={"Accept-Language": accept}).get_data(as_text=True)
    for text in texts:
        assert text in html, text
    assert "02/03/2026 – " in html  # dd/mm/yyyy in both languages
    assert "66,67" not in html and "66.67" not in html  # truncated, never rounded up


def test_a_threshold_is_shown_as_set_never_cut_to_a_whole_percent(app, client, auditor_client, hand_counted):
    from survey_app.services.surveys import change_rules, transition

    with app.app_context():
        survey = db.session.get(Survey, hand_counted.survey_id)
        rules = [dict(rule) for rule in survey.rules]
        rules[0]["threshold"] = "80,5 %"
        change_rules(survey, rules, "Theo công văn số 12/MTTQ-BTT", actor_name="test")
        transition(survey, "publish", actor_name="test")
        db.session.commit()
    html = auditor_client.get(f"/results/{hand_counted.survey_id}").get_data(as_text=True)
    assert "từ 80,5\u00a0% trở lên" in html
    notice = client.get(f"/results/{hand_counted.survey_id}/niem-yet").get_data(as_text=True)
    assert "từ 80,5\u00a0% trở lên" in notice
