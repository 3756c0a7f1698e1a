"""What the numbers assume: the non-response bounds first, the assumption in one sentence, then the model."""
from __future__ import annotations

import subprocess

import pytest
from hypothesis import given
from hypothesis import strategies as st

import analysis
from survey_app import create_app
from survey_app.exports.uncertainty import uncertainty
from survey_app.extensions import db
from survey_app.formatting import percent
from survey_app.models import Survey
from survey_app.services.responses import Submission, find_code, submit
from survey_app.services.surveys import transition

from ..factories import make_survey
from .factories import _answers
from .test_exports import download

ASSUMPTION = "giả định rằng các hộ đã trả lời là ngẫu nhiên"
BOUNDS = "chắc chắn nằm trong khoảng từ"
MODEL = "Với độ tin cậy 95"
STRATIFIED_METHODS = ["logit-t", "wald-t", "exact-hypergeometric", "exact-binomial-limit",
                      "exact-hypergeometric-strata", "exact-binomial-limit-strata", "nonresponse-bounds"]


def _flat(text: str) -> str:
    return " ".join(text.split())  # NBSP, line breaks and PDF layout spaces become one space


def _in_order(text: str, *parts: str) -> bool:
    """Whether the parts occur one after the other (each found after the previous one)."""
    position = 0
    for part in parts:
        position = text.find(part, position)
        if position == -1:
            return False
        position += len(part)
    return True


def test_results_page_gives_the_bounds_first_then_the_assumption_then_the_intervals(auditor_client,
                                                                                    hand_counted):
    # 7 households, 5 phiếu, 3 satisfied overall: 3/7 if both missing households were dissatisfied, 5/7 if not.
    html = _flat(auditor_client.get(f"/results/{hand_counted.survey_id}").get_data(as_text=True))
    bounds = f"{BOUNDS} 42,85 % (nếu tất cả 2 hộ chưa trả lời đều không hài lòng) đến 71,42 %"
    assert _in_order(html, "Độ tin cậy của kết quả", bounds, ASSUMPTION, MODEL, "Kết quả theo từng nội dung")
    assert html.count(ASSUMPTION) == 1
    # Per item, the bounds over all households stand before the model-based interval: quy-hoach 2 of 5.
    assert _in_order(html, "Trên tổng số hộ (thấp nhất – cao nhất)", "Khoảng tin cậy 95 %")
    assert _in_order(html, "Kết quả theo từng nội dung", "Tiêu chí 1: Quy hoạch", "40,00 %", "28,57 % – 57,14 %",
                     "Tiêu chí 2")


def test_pdf_report_gives_the_bounds_first_then_the_assumption(auditor_client, hand_counted, tmp_path):
    path = tmp_path / "report.pdf"
    path.write_bytes(download(auditor_client, hand_counted.survey_id, "pdf"))
    text = _flat(subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout)
    assert _in_order(text, "3. Độ tin cậy của kết quả", f"{BOUNDS} 42,85 %", ASSUMPTION, MODEL,
                     "III. ĐỐI CHIẾU QUY ĐỊNH")


def test_a_census_says_so_and_assumes_nothing(app, auditor_client):
    survey_id, issued = make_survey(app, villages=(("T01", "Thôn Một", 2),))
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        items = tuple(item["key"] for item in survey.template["items"])
        for code in issued:
            submit(survey, find_code(code.code), Submission(_answers(items)))
        transition(survey, "close", actor_name="test")
        db.session.commit()
    html = _flat(auditor_client.get(f"/results/{survey_id}").get_data(as_text=True))
    assert "Tất cả 2 hộ trong danh sách đã trả lời: tỷ lệ hài lòng trên tổng số hộ là 100,00 %" in html
    assert ASSUMPTION not in html and MODEL not in html


@pytest.fixture(scope="module")
def text_app():
    """An application for wording only (no database is touched)."""
    return create_app({"TESTING": True, "SECRET_KEY": "k", "SURVEY_CODE_KEY": "k", "SURVEY_AUDIT_KEY": "k",
                       "SQLALCHEMY_DATABASE_URI": "sqlite://", "RATELIMIT_STORAGE_URI": "memory://"})


@st.composite
def overall_documents(draw):
    """An ``overall`` part as the results document holds it, from generated counts and interval methods."""
    households = draw(st.integers(1, 10**6))
    respondents = draw(st.integers(1, households))
    satisfied = draw(st.integers(0, respondents))
    bounds = analysis.nonresponse_bounds(satisfied, respondents, households)
    wilson = analysis.proportion_interval(satisfied, respondents, method="wilson", population=households)
    low, high = sorted(draw(st.tuples(st.floats(0, 1), st.floats(0, 1))))
    intervals = {"confidence": 0.95, "wilson_fpc": {"low": wilson.low, "high": wilson.high},
                 "hypergeometric": {"low": low, "high": high},
                 "nonresponse": {"worst": bounds.worst, "best": bounds.best},
                 "threshold_test": draw(st.none() | st.builds(
                     lambda t, p: {"threshold": t, "p_value": p}, st.floats(0.01, 1), st.floats(0, 1)))}
    stratified = draw(st.none() | st.builds(
        lambda method, e: {"estimate": e, "standard_error": 0.0, "low": min(e, low), "high": max(e, high),
                           "degrees_of_freedom": 1, "design_effect": None, "interval_method": method,
                           "unestimable_villages": 0, "variance_complete": True},
        st.sampled_from(STRATIFIED_METHODS), st.floats(0, 1)))
    overall = {"item": "hai-long-chung", "satisfied": satisfied, "respondents": respondents,
               "rate": satisfied / respondents, "intervals": intervals, "stratified": stratified}
    return overall, households, respondents


@given(document=overall_documents())
def test_generated_results_always_lead_with_what_is_certain(text_app, document):
    overall, households, respondents = document
    with text_app.test_request_context("/"):
        text = uncertainty(overall, households, respondents)
        worst, best = percent(overall["intervals"]["nonresponse"]["worst"]), percent(
            overall["intervals"]["nonresponse"]["best"])
    if respondents == households:
        assert text.assumption is None and not text.model
        assert worst in text.bounds
        return
    assert worst in text.bounds and best in text.bounds and BOUNDS in text.bounds
    assert ASSUMPTION in text.assumption
    assert text.model[0].startswith(MODEL)
    if overall["stratified"]:
        method = overall["stratified"]["interval_method"]
        wording = {"nonresponse-bounds": "khoảng chắc chắn", "exact-hypergeometric-strata": "riêng từng thôn",
                   "exact-binomial-limit-strata": "riêng từng thôn", "exact-hypergeometric": "trên tổng số phiếu",
                   "exact-binomial-limit": "trên tổng số phiếu"}.get(method, "khoảng tin cậy 95")
        assert wording in text.model[-1]


def test_no_overall_item_or_no_phieu_shows_nothing(text_app):
    with text_app.test_request_context("/"):
        assert uncertainty(None, 10, 0) is None
        assert uncertainty({"intervals": None}, 10, 0) is None
