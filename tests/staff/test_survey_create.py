"""Creating a survey in the console: the form, its validation, the end date and the sample-size plan."""
from __future__ import annotations

import io
import re
from html.parser import HTMLParser

import pytest

import analysis
from survey_app.extensions import db
from survey_app.models import FrameVillage, Survey, Village
from survey_app.services.units import FrameRow, upsert_village

from .accounts import token

pytestmark = pytest.mark.usefixtures("planning_day")


@pytest.fixture
def villages(app, world):
    with app.app_context():
        ids = [upsert_village("21040", code, name, n).id
               for code, name, n in (("T01", "Thôn Một", 312), ("T02", "Thôn Hai", 268))]
        db.session.commit()
    return ids


def _form(client, villages, **fields):
    data = {"csrf_token": token(client), "unit_code": "21040", "template": "xa-ntm-2026",
            "start": "2026-03-02", "margin": "0.05", "create": "1"}
    for n, village_id in enumerate(villages):
        data |= {f"villages-{n}-village_id": str(village_id), f"villages-{n}-include": "y",
                 f"villages-{n}-households": "300"}
    return data | fields


def test_form_offers_the_communes_villages_end_date_and_sample_plan(as_user, villages):
    # Commune staff land directly on their own commune.
    page = as_user("staff_commune").get("/staff/surveys/new").get_data(as_text=True)
    assert "Thôn Một" in page and 'value="312"' in page and "Xã Bình Sơn" in page
    assert "xa-ntm-2026" in page and "huyen-ntm-2021" not in page  # commune templates only
    assert f">{analysis.sample_size(312, margin=0.05)}<" in page and ">188<" in page  # ceil(0.60 × 312)
    assert f">{analysis.sample_size(580, margin=0.05)}<" in page


def test_create_with_edited_households(app, as_user, villages):
    client = as_user("staff_province")
    data = _form(client, villages) | {"villages-1-include": ""}
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
    created = client.post("/staff/surveys/new?unit=21040", data=_form(client, villages) | {
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
    data = {k: v for k, v in (_form(client, villages) | fields).items()
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
    page = client.post("/staff/surveys/new?unit=21040", data=_form(client, villages) | {
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


class _Page(HTMLParser):
    """What a browser would send from the new-survey form: its fields as shown (ticked boxes only)."""

    def __init__(self):
        super().__init__()
        self.fields: dict[str, str] = {}
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "input" and a.get("name") and a.get("type") not in ("file", "submit"):
            if a.get("type") != "checkbox" or "checked" in a:
                self.fields[a["name"]] = a.get("value") or ""
        elif tag == "select":
            self._select = a.get("name")
        elif tag == "option" and self._select and ("selected" in a or self._select not in self.fields):
            self.fields[self._select] = a.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def _browser(client, page, button: str, **changes):
    """Submit the page's form as a browser does: the fields as shown, the pressed button, no file unless given."""
    parser = _Page()
    parser.feed(page.get_data(as_text=True))
    data = parser.fields | {button: "1"} | changes
    return client.post("/staff/surveys/new?unit=21040", data=data, content_type="multipart/form-data")


@pytest.fixture
def six_villages(app, world):
    """The commune's own list: six villages."""
    with app.app_context():
        for n in range(1, 7):
            upsert_village("21040", f"T0{n}", f"Thôn {n}", 100 + n)
        db.session.commit()


THREE = "village_code,village_name,households\nK1,Xóm Một,40\nK2,Xóm Hai,50\nK3,Xóm Ba,60\n"


def _frame_codes(app) -> list[tuple[str, int]]:
    with app.app_context():
        survey = db.session.query(Survey).one()
        return sorted((f.village.code, f.households) for f in survey.frame)


def test_preview_keeps_the_attached_file_and_create_uses_it(app, as_user, six_villages):
    client = as_user("staff_commune")
    form = client.get("/staff/surveys/new")
    preview = _browser(client, form, "preview", start="2026-03-02",
                       frame=(io.BytesIO(THREE.encode()), "thon-duoc-chon.csv"))
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "danh sách thôn lấy từ tệp “thon-duoc-chon.csv”" in html and "Tệp có 3 thôn, 150 hộ" in html
    assert "Xóm Hai" in html and "Bảng thôn của xã bên dưới không được dùng" in html
    again = _browser(client, preview, "preview", margin="0.03")  # a second preview: the file is still there
    assert "Tệp có 3 thôn, 150 hộ" in again.get_data(as_text=True)
    created = _browser(client, again, "create")
    assert created.status_code == 302
    assert _frame_codes(app) == [("K1", 40), ("K2", 50), ("K3", 60)]


def test_dropping_the_file_goes_back_to_the_table(app, as_user, six_villages):
    client = as_user("staff_commune")
    preview = _browser(client, client.get("/staff/surveys/new"), "preview", start="2026-03-02",
                       frame=(io.BytesIO(THREE.encode()), "f.csv"))
    dropped = _browser(client, preview, "drop_frame")
    html = dropped.get_data(as_text=True)
    assert dropped.status_code == 200 and "lấy từ tệp" not in html
    assert "các thôn được chọn trong bảng" in html
    created = _browser(client, dropped, "create")
    assert created.status_code == 302
    assert [code for code, _n in _frame_codes(app)] == [f"T0{n}" for n in range(1, 7)]


def test_a_faulty_attached_file_stays_the_frame_until_fixed_or_dropped(app, as_user, six_villages):
    client = as_user("staff_commune")
    faulty = THREE.replace("K2,Xóm Hai,50", "K2,Xóm Hai,năm mươi")
    preview = _browser(client, client.get("/staff/surveys/new"), "preview", start="2026-03-02",
                       frame=(io.BytesIO(faulty.encode()), "f.csv"))
    assert preview.status_code == 422 and "Dòng 3: số hộ “năm mươi”" in preview.get_data(as_text=True)
    refused = _browser(client, preview, "create")  # never falls back to the table silently
    assert refused.status_code == 422 and "Tệp này đang có lỗi" in refused.get_data(as_text=True)
    fixed = _browser(client, refused, "create", frame=(io.BytesIO(THREE.encode()), "f.csv"))
    assert fixed.status_code == 302 and len(_frame_codes(app)) == 3


@pytest.mark.parametrize("carried", ["không-phải-base64", "QUJD", "", "eJzLSM3JyVcozy/KSQEAGgQEXQ=="[:-4]])
def test_a_damaged_carried_file_asks_for_the_file_again(app, as_user, six_villages, carried):
    client = as_user("staff_commune")
    page = client.post("/staff/surveys/new?unit=21040", data=_form(client, []) | {
        "frame_name": "f.csv", "frame_data": carried})
    assert page.status_code == 422 and "chọn lại tệp" in page.get_data(as_text=True)
    with app.app_context():
        assert db.session.query(Survey).count() == 0


def test_the_same_village_twice_is_refused_by_name(app, as_user, villages):
    client = as_user("staff_commune")
    data = _form(client, villages) | {"villages-1-village_id": str(villages[0])}
    page = client.post("/staff/surveys/new?unit=21040", data=data)
    html = page.get_data(as_text=True)
    assert page.status_code == 422
    assert "thôn T01 · Thôn Một có hai lần trong danh sách" in html
    with app.app_context():
        assert db.session.query(Survey).count() == 0


def test_a_frame_naming_the_commune_on_one_row_only_is_refused_not_crashed(app, as_user, villages):
    client = as_user("staff_commune")
    frame = "village_code,village_name,households,commune_code\nT09,Thôn Chín,45,21040\nT09,Thôn Chín,45,\n"
    page = client.post("/staff/surveys/new?unit=21040", data=_form(client, villages) | {
        "frame": (io.BytesIO(frame.encode()), "frame.csv")}, content_type="multipart/form-data")
    assert page.status_code == 422
    assert "Dòng 3: thôn T09 · Thôn Chín có hai lần trong danh sách (lần đầu ở dòng 2)" in page.get_data(as_text=True)


@pytest.mark.parametrize("households", ["100001", "999999999"])
def test_the_household_cap_is_the_same_in_the_form_and_the_file(app, as_user, villages, households):
    client = as_user("staff_commune")
    typed = client.post("/staff/surveys/new?unit=21040",
                        data=_form(client, villages) | {"villages-0-households": households})
    assert typed.status_code == 422 and "không quá 100.000" in typed.get_data(as_text=True)
    frame = f"village_code,village_name,households\nT09,Thôn Chín,{households}\n"
    filed = client.post("/staff/surveys/new?unit=21040", data=_form(client, villages) | {
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
