"""A province survey spans several communes: results per commune, in the page, the CSV and the XLSX."""
from __future__ import annotations

import io
import random
from collections import Counter
from fractions import Fraction

from openpyxl import load_workbook

from survey_app.extensions import db
from survey_app.models import AnswerValue, Channel, Commune, Province, Survey
from survey_app.services.issuing import issue_codes
from survey_app.services.responses import Submission, find_code, submit
from survey_app.services.results import results_document
from survey_app.services.surveys import create_survey, transition
from survey_app.services.units import FrameRow

from .factories import add_user, log_in
from .test_exports import download, read_csv_as_excel
from .test_exports_hostile import pdf_text

COMMUNES = {"21040": "Xã Bình Sơn", "21043": "Xã Bình Chánh"}
FRAME = [("21040", "A1", "Thôn An Phú", 9), ("21040", "A2", "Thôn Phước Thạnh", 7),
         ("21043", "B1", "Thôn Châu Me", 8), ("21043", "B2", "Thôn Vạn Tường", 6)]


def build_province_survey(app, seed: int = 11) -> tuple[int, dict]:
    """A closed tinh-2021 survey of two communes; answers drawn at random and counted here by hand."""
    rng = random.Random(seed)
    with app.app_context():
        if db.session.get(Province, "51") is None:
            db.session.add(Province(code="51", name="Quảng Ngãi", full_name="Tỉnh Quảng Ngãi", type="Tỉnh"))
        for code, name in COMMUNES.items():
            if db.session.get(Commune, code) is None:
                db.session.add(Commune(code=code, name=name.removeprefix("Xã "), full_name=name, type="Xã",
                                       province_code="51"))
        db.session.flush()
        frame = [FrameRow(n, village, name, households, commune)
                 for n, (commune, village, name, households) in enumerate(FRAME, 2)]
        survey = create_survey("tinh-2021", "51", frame, actor_name="test")
        transition(survey, "open", actor_name="test")
        issued = issue_codes(survey, spare_share=0.0, actor_name="test")
        items = [item["key"] for item in survey.template["items"]]
        count: Counter = Counter()
        for slip in issued:
            if rng.random() < 0.25:
                continue  # this household did not answer
            answers = {key: rng.choices([AnswerValue.SATISFIED, AnswerValue.NOT_SATISFIED, AnswerValue.BLANK],
                                        [0.85, 0.12, 0.03])[0] for key in items}
            submit(survey, find_code(slip.code), Submission(answers, channel=rng.choice(list(Channel))))
            commune = next(c for c, v, _n, _h in FRAME if v == slip.village_code)
            count[("respondents", slip.village_code)] += 1
            count[("respondents", commune)] += 1
            for key, value in answers.items():
                for unit in ("all", commune, slip.village_code):
                    count[(unit, key, int(value))] += 1
        transition(survey, "close", actor_name="test")
        db.session.commit()
        return survey.id, count


def test_province_results_match_a_count_made_while_answering(app):
    survey_id, count = build_province_survey(app)
    with app.app_context():
        document = results_document(db.session.get(Survey, survey_id))
    for item in document["items"]:
        assert (item["satisfied"], item["not_satisfied"], item["blank"]) == tuple(
            count[("all", item["key"], v)] for v in (1, 2, 0))
    communes = {c["code"]: c for c in document["communes"]}
    assert set(communes) == set(COMMUNES) and communes["21043"]["name"] == "Xã Bình Chánh"
    for code, commune in communes.items():
        assert commune["respondents"] == count[("respondents", code)]
        assert commune["households"] == sum(h for c, _v, _n, h in FRAME if c == code)
        for item in commune["items"]:
            assert item["satisfied"] == count[(code, item["key"], 1)]
    for village in document["villages"]:
        assert village["respondents"] == count[("respondents", village["code"])]
        for item in village["items"]:
            assert item["not_satisfied"] == count[(village["code"], item["key"], 2)]
    rule = next(r for r in document["rules"] if r["kind"] == "subunit_item_min")
    assert rule["subunit"] == "commune" and rule["deciding_unit"] in COMMUNES


def test_province_page_and_downloads_show_communes(app, client):
    survey_id, count = build_province_survey(app)
    log_in(app, client, add_user(app, "kiemtra"))
    html = client.get(f"/results/{survey_id}").get_data(as_text=True)
    assert "Kết quả theo xã" in html and "Xã Bình Chánh" in html and "Thôn Vạn Tường" in html
    assert "Từng nội dung, ở mỗi xã" in html
    rows = read_csv_as_excel(download(client, survey_id, "csv"))
    communes = [r for r in rows if r["Cấp"] == "Xã"]
    assert {r["Mã đơn vị"] for r in communes} == set(COMMUNES)
    assert {r["Cấp"] for r in rows} == {"Toàn tỉnh", "Xã", "Thôn"}
    book = load_workbook(io.BytesIO(download(client, survey_id, "xlsx")))
    sheet = book["Theo xã"]
    by_code = {row[0].value: [c.value for c in row] for row in sheet.iter_rows(min_row=2)}
    assert by_code["21040"][4] == count[("respondents", "21040")]


def test_many_villages_are_listed_one_commune_at_a_time(app, client, monkeypatch):
    from survey_app.results import views

    monkeypatch.setattr(views, "MAX_VILLAGES_SHOWN", 3)
    survey_id, _count = build_province_survey(app)
    log_in(app, client, add_user(app, "kiemtra"))
    html = client.get(f"/results/{survey_id}").get_data(as_text=True)
    assert "Có 4 thôn: chọn một xã" in html and f"/results/{survey_id}?xa=21043#thon" in html
    assert "Tỷ lệ hộ tham gia theo xã" in html
    html = client.get(f"/results/{survey_id}?xa=21043").get_data(as_text=True)
    assert "Kết quả theo thôn – Xã Bình Chánh" in html and "Thôn Vạn Tường" in html


def _mean_of_rates(count: Counter, unit: str, keys: list[str]) -> Fraction:
    """The plain mean of the items' rates in one commune, from the count made while answering."""
    return sum(Fraction(count[(unit, key, 1)], count[("respondents", unit)]) for key in keys) / len(keys)


def test_province_average_rule_of_tien_giang_in_the_document(app):
    """No commune whose average over the 9 questions is below 90 %: kind, source, verified and the deciding commune
    in the JSON, decided on the mean of the item rates."""
    survey_id, count = build_province_survey(app)
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        keys = [item["key"] for item in survey.template["items"]]
        document = results_document(survey)
    rule = next(r for r in document["rules"] if r["kind"] == "subunit_average_min")
    assert {"kind", "threshold", "met", "source", "verified"} <= set(rule)
    assert (rule["subunit"], rule["threshold_text"], rule["verified"]) == ("commune", "0.90", True)
    assert "Tiền Giang" in rule["source"] and rule["averaged_items"] == keys
    means = {code: _mean_of_rates(count, code, keys) for code in COMMUNES}
    worst = min(means, key=lambda code: (means[code], list(COMMUNES).index(code)))
    assert rule["deciding_unit"] == worst and rule["deciding_item"] is None
    assert Fraction(rule["successes"], rule["trials"]) == means[worst]
    assert rule["failing_units"] == [code for code in COMMUNES if means[code] < Fraction(9, 10)]
    assert rule["met"] == all(mean >= Fraction(9, 10) for mean in means.values())


def test_province_average_rule_in_the_page_and_the_downloads(app, client, tmp_path):
    survey_id, _count = build_province_survey(app)
    log_in(app, client, add_user(app, "kiemtra"))
    html = client.get(f"/results/{survey_id}").get_data(as_text=True)
    assert "Bình quân các nội dung, ở mỗi xã" in html and "bình quân 9 nội dung" in html
    book = load_workbook(io.BytesIO(download(client, survey_id, "xlsx")))
    labels = [row[0].value for row in book["Quy định"].iter_rows(min_row=2)]
    assert "Bình quân các nội dung, ở mỗi xã" in labels
    text = " ".join(pdf_text(download(client, survey_id, "pdf"), tmp_path).split())
    assert "Bình quân các nội dung, ở mỗi xã" in text and "bình quân 9 nội dung" in text
