"""Creating a survey in the console: the form, its validation, the end date and the sample-size plan."""
from __future__ import annotations

import io
import re

import pytest

import analysis
from survey_app.extensions import db
from survey_app.models import FrameVillage, Survey, Village
from survey_app.services.units import FrameRow, upsert_village

from .accounts import new_survey_form, token

pytestmark = pytest.mark.usefixtures("planning_day")


@pytest.fixture
def villages(app, world):
    with app.app_context():
        ids = [upsert_village("21040", code, name, n).id
               for code, name, n in (("T01", "Thôn Một", 312), ("T02", "Thôn Hai", 268))]
        db.session.commit()
    return ids


def test_form_offers_the_communes_villages_end_date_and_sample_plan(as_user, villages):
    # Commune staff land directly on their own commune.
    page = as_user("staff_commune").get("/staff/surveys/new").get_data(as_text=True)
    assert "Thôn Một" in page and 'value="312"' in page and "Xã Bình Sơn" in page
    assert "xa-ntm-2026" in page and "huyen-ntm-2021" not in page  # commune templates only
    assert f">{analysis.sample_size(312, margin=0.05)}<" in page and ">188<" in page  # ceil(0.60 × 312)
    assert f">{analysis.sample_size(580, margin=0.05)}<" in page


def test_create_with_edited_households(app, as_user, villages):
    client = as_user("staff_province")
    data = new_survey_form(client, villages) | {"villages-1-include": ""}
    del data["villages-1-include"]
    created = client.post("/staff/surveys/new?unit=21040", data=data)
    assert created.status_code == 302
    with app.app_context():
        survey = db.session.query(Survey).one()
        frame = db.session.query(FrameVillage).filter_by(survey_id=survey.id).all()
        assert [(f.village.code, f.households) for f in frame] == [("T01", 300)]
        assert survey.status.value == "draft" and survey.created_by_id is not None
        assert db.session.get(Village, villages[0]).households == 300  # the commune's list follows


def test_create_from_a_frame_file(app, as_user, villages):
    client = as_user("staff_commune")
    frame = "village_code,village_name,households\nT09,Thôn Chín,45\n"
    created = client.post("/staff/surveys/new?unit=21040", data=new_survey_form(client, villages) | {
        "frame": (io.BytesIO(frame.encode()), "frame.csv")}, content_type="multipart/form-data")
    assert created.status_code == 302
    with app.app_context():
        frame_rows = db.session.query(FrameVillage).all()
        assert [(f.village.code, f.households) for f in frame_rows] == [("T09", 45)]


@pytest.mark.parametrize(("fields", "message"), [
    ({"start": "2026-13-40"}, "Ngày phải theo dạng năm-tháng-ngày."),
    ({"start": ""}, "Ngày phải theo dạng năm-tháng-ngày."),
    ({"start": "hôm nay"}, "Ngày phải theo dạng năm-tháng-ngày."),
    # today is 1 February 2026 here (planning_day): 30 days back, one year ahead
    ({"start": "2025-12-31"}, "Ngày bắt đầu phải từ 02/01/2026 đến 02/02/2027"),
    ({"start": "2027-02-03"}, "Ngày bắt đầu phải từ 02/01/2026 đến 02/02/2027"),
    ({"start": "9999-12-31"}, "Ngày bắt đầu phải từ 02/01/2026 đến 02/02/2027"),
    ({"start": "0001-01-01"}, "Ngày bắt đầu phải từ 02/01/2026 đến 02/02/2027"),
    ({"template": "khong-co"}, "Lựa chọn không hợp lệ."),
    ({"template": "huyen-ntm-2021"}, "Lựa chọn không hợp lệ."),
    ({"margin": "0.5"}, "Lựa chọn không hợp lệ."),
    ({"villages-0-households": "0"}, "Thôn Một: số hộ phải lớn hơn 0."),
    ({"villages-0-households": "-5"}, "Số hộ không được âm và không quá 100.000."),
    ({"villages-0-households": "nhiều"}, "Phải là số nguyên."),
    ({"villages-0-include": "", "villages-1-include": ""}, "Hãy chọn ít nhất một thôn"),
    ({"villages-0-village_id": "999999", "villages-1-village_id": "abc"}, "Hãy chọn ít nhất một thôn"),
    ({"unit_code": ""}, "Có ô chưa hợp lệ"),
])
def test_bad_input_is_shown_not_crashed(app, as_user, villages, fields, message):
    client = as_user("staff_commune")
    data = {k: v for k, v in (new_survey_form(client, villages) | fields).items()
            if v != "" or k in ("start", "unit_code")}
    page = client.post("/staff/surveys/new?unit=21040", data=data)
    assert page.status_code == 422
    assert message in page.get_data(as_text=True)
    with app.app_context():
        assert db.session.query(Survey).count() == 0


@pytest.mark.parametrize(("frame", "message"), [
    ("village_code,village_name,households\nT01,Thôn Một,abc\n", "Dòng 2: số hộ “abc”"),
    ("village_code,village_name,households,commune_code\nT01,Thôn Một,12,00004\n",
     "Dòng 2: xã 00004 không thuộc đơn vị được khảo sát"),
    ("thôn,hộ\n", "phải có các cột"),
])
def test_bad_frame_file_lists_the_lines(app, as_user, villages, frame, message):
    client = as_user("staff_commune")
    page = client.post("/staff/surveys/new?unit=21040", data=new_survey_form(client, villages) | {
        "frame": (io.BytesIO(frame.encode()), "frame.csv")}, content_type="multipart/form-data")
    assert page.status_code == 422 and message in page.get_data(as_text=True)


@pytest.mark.parametrize(("unit", "status"), [("99999", 422), ("abc", 422), ("00004", 403), ("", 200)])
def test_unit_step(as_user, world, unit, status):
    page = as_user("staff_province").get("/staff/surveys/new", query_string={"unit": unit})
    assert page.status_code == status
    if status == 422:
        assert "Không có đơn vị mã" in page.get_data(as_text=True)


def test_province_survey_needs_commune_codes_in_its_frame(app, as_user, world):
    client = as_user("staff_province")
    page = client.get("/staff/surveys/new?unit=51").get_data(as_text=True)
    template = re.search(r'<option[^>]*value="([a-z0-9-]+)"', page).group(1)
    data = {"csrf_token": token(client), "unit_code": "51", "template": template, "start": "2026-03-02",
            "margin": "0.05", "create": "1"}
    missing = client.post("/staff/surveys/new?unit=51", data=data | {
        "frame": (io.BytesIO(b"village_code,village_name,households\nT01,A,10\n"), "f.csv")},
        content_type="multipart/form-data")
    assert missing.status_code == 422 and "cần cột commune_code" in missing.get_data(as_text=True)
    frame = "village_code,village_name,households,commune_code\nT01,A,10,21040\nT01,B,20,21043\n"
    created = client.post("/staff/surveys/new?unit=51", data=data | {
        "frame": (io.BytesIO(frame.encode()), "f.csv")}, content_type="multipart/form-data")
    assert created.status_code == 302
    with app.app_context():
        survey = db.session.query(Survey).one()
        assert survey.unit_level == "province" and len(survey.frame) == 2


@pytest.mark.parametrize(("template", "unit"), [("tinh-2021", "21040"), ("huyen-ntm-2021", "21040"),
                                                ("xa-ntm-2026", "51")])
def test_a_template_of_another_level_is_refused(app, world, template, unit):
    from survey_app.errors import InputError
    from survey_app.services.surveys import create_survey

    frame = [FrameRow(2, "T01", "Thôn Một", 10, "21040")]
    with app.app_context(), pytest.raises(InputError, match="dành cho cấp"):
        create_survey(template, unit, frame, actor_name="test")


def test_a_frame_commune_that_does_not_exist_is_named_as_such(app, world):
    from survey_app.errors import InputError
    from survey_app.services.surveys import create_survey

    frame = [FrameRow(2, "T01", "Thôn Một", 10, "99999"), FrameRow(3, "T02", "Thôn Hai", 10, "00376")]
    with app.app_context(), pytest.raises(InputError) as refused:
        create_survey("tinh-2021", "51", frame, actor_name="test")
    assert refused.value.errors == [(2, "không có xã mã 99999 trong danh mục đơn vị hành chính"),
                                    (3, "không có xã mã 00376 trong danh mục đơn vị hành chính")]


def test_the_same_village_twice_is_refused_by_name(app, as_user, villages):
    client = as_user("staff_commune")
    data = new_survey_form(client, villages) | {"villages-1-village_id": str(villages[0])}
    page = client.post("/staff/surveys/new?unit=21040", data=data)
    html = page.get_data(as_text=True)
    assert page.status_code == 422
    assert "thôn T01 · Thôn Một có hai lần trong danh sách" in html
    with app.app_context():
        assert db.session.query(Survey).count() == 0


def test_a_frame_naming_the_commune_on_one_row_only_is_refused_not_crashed(app, as_user, villages):
    client = as_user("staff_commune")
    frame = "village_code,village_name,households,commune_code\nT09,Thôn Chín,45,21040\nT09,Thôn Chín,45,\n"
    page = client.post("/staff/surveys/new?unit=21040", data=new_survey_form(client, villages) | {
        "frame": (io.BytesIO(frame.encode()), "frame.csv")}, content_type="multipart/form-data")
    assert page.status_code == 422
    assert "Dòng 3: thôn T09 · Thôn Chín có hai lần trong danh sách (lần đầu ở dòng 2)" in page.get_data(as_text=True)


@pytest.mark.parametrize("households", ["100001", "999999999", "1" + "0" * 25])  # the last: a 500 once (Babel)
def test_the_household_cap_is_the_same_in_the_form_and_the_file(app, as_user, villages, households):
    client = as_user("staff_commune")
    typed = client.post("/staff/surveys/new?unit=21040",
                        data=new_survey_form(client, villages) | {"villages-0-households": households})
    assert typed.status_code == 422 and "không quá 100.000" in typed.get_data(as_text=True)
    frame = f"village_code,village_name,households\nT09,Thôn Chín,{households}\n"
    filed = client.post("/staff/surveys/new?unit=21040", data=new_survey_form(client, villages) | {
        "frame": (io.BytesIO(frame.encode()), "frame.csv")}, content_type="multipart/form-data")
    assert filed.status_code == 422 and "Dòng 2: số hộ phải từ 1 đến 100.000" in filed.get_data(as_text=True)
    with app.app_context():
        assert db.session.query(Survey).count() == 0


def test_the_household_cap_holds_in_the_service_and_the_command_line(app, runner, world, tmp_path):
    from survey_app.errors import InputError
    from survey_app.services.surveys import create_survey

    with app.app_context(), pytest.raises(InputError) as refused:
        create_survey("xa-ntm-2026", "21040", [FrameRow(2, "T01", "Thôn Một", 100_001)], actor_name="test")
    assert refused.value.errors == [(2, "Thôn Một: số hộ phải từ 1 đến 100.000")]
    frame = tmp_path / "frame.csv"
    frame.write_text("Mã thôn;Tên thôn;Số hộ\nT01;Thôn Một;999.999.999\n", encoding="utf-8-sig")
    result = runner.invoke(args=["survey", "create", "--template", "xa-ntm-2026", "--unit", "21040",
                                 "--frame", str(frame)])
    assert result.exit_code == 1 and "Dòng 2: số hộ phải từ 1 đến 100.000" in result.output
    with app.app_context():
        assert db.session.query(Survey).count() == 0
