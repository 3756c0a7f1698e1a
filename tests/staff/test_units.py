"""Units and villages in the console: all-or-nothing imports with line numbers; villages by hand or CSV."""
from __future__ import annotations

import io
import unicodedata

import pytest
from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import Commune, Province, Village

from .accounts import token

PROVINCES = "code,name,full_name,type\n51,Quảng Ngãi,Tỉnh Quảng Ngãi,Tỉnh\n"


def _import(client, *files):
    return client.post("/staff/units/import", data={
        "csrf_token": token(client), "files": [(io.BytesIO(data), name) for name, data in files]},
        content_type="multipart/form-data", follow_redirects=True)


@pytest.mark.parametrize(("name", "data", "message"), [
    ("communes.csv", b"code,name,full_name,type,province_code\n21040,B,X\xe3 B,X\xe3,51\n",
     "không phải UTF-8"),
    ("communes.csv", "code,name\n21040,Bình Sơn\n".encode(), "communes.csv:1: thiếu cột: full_name, type"),
    ("communes.csv", "code,name,full_name,type,province_code\n2104,Bình Sơn,Xã Bình Sơn,Xã,51\n".encode(),
     "communes.csv:2: mã “2104” phải gồm 5 chữ số"),
    ("communes.csv", ("code,name,full_name,type,province_code\n21040,Bình Sơn,Xã Bình Sơn,Xã,51\n"
                      "21040,Bình Sơn,Xã Bình Sơn,Xã,51\n").encode(),
     "communes.csv:3: mã 21040 bị trùng"),
    ("communes.csv", "code,name,full_name,type,province_code\n21040,Bình Sơn,Xã Bình Sơn,Xã,77\n".encode(),
     "tỉnh 77 không có trong dữ liệu"),
    ("communes.csv", b"", "trống"),
    ("communes.csv", "code,name,full_name,type,province_code\n21040,\"Bình\n".encode(), "Không nhập được"),
])
def test_units_import_errors_name_the_line_and_write_nothing(app, as_user, name, data, message):
    page = _import(as_user("admin"), (name, data))
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and message in html
    with app.app_context():
        # Only the fixture's three communes.
        assert db.session.execute(select(func.count()).select_from(Commune)).scalar_one() == 3


def test_units_import_is_all_or_nothing_across_files(app, as_user):
    communes = "code,name,full_name,type,province_code\n99001,Một,Xã Một,Xã,99\n99002,,Xã Hai,Xã,99\n"
    provinces = "code,name,full_name,type\n99,Tỉnh Mới,Tỉnh Mới,Tỉnh\n"
    page = _import(as_user("admin"), ("provinces.csv", provinces.encode()),
                   ("communes.csv", communes.encode()))
    assert "thiếu tên" in page.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Province, "99") is None and db.session.get(Commune, "99001") is None
    fixed = communes.replace("99002,,", "99002,Hai,")
    page = _import(as_user("admin"), ("provinces.csv", provinces.encode()), ("communes.csv", fixed.encode()))
    assert "Đã nhập 1 tỉnh và 2 xã." in page.get_data(as_text=True)


def test_import_needs_a_file(app, as_user):
    page = _import(as_user("admin"))
    assert "Hãy chọn ít nhất một tệp CSV." in page.get_data(as_text=True)


def test_villages_by_hand_then_edited_in_one_go(app, as_user):
    client = as_user("staff_commune")
    for code, name, households in (("T01", "Thôn Một", "120"), ("T02", "Thôn Hai", "80")):
        done = client.post("/staff/units/21040/villages/add", data={
            "csrf_token": token(client), "code": code, "name": name, "households": households})
        assert done.status_code == 302
    page = client.get("/staff/units/21040/villages").get_data(as_text=True)
    assert "Thôn Một" in page and "Tổng số hộ: 200." in page
    with app.app_context():
        ids = [v.id for v in db.session.query(Village).order_by(Village.code)]
    edited = client.post("/staff/units/21040/villages", data={
        "csrf_token": token(client),
        "villages-0-village_id": ids[0], "villages-0-name": "Thôn Một Mới", "villages-0-households": "125",
        "villages-1-village_id": ids[1], "villages-1-name": "Thôn Hai", "villages-1-households": "80"},
        follow_redirects=True)
    assert "Đã lưu 1 thay đổi." in edited.get_data(as_text=True)
    bad = client.post("/staff/units/21040/villages", data={
        "csrf_token": token(client), "villages-0-village_id": ids[0], "villages-0-name": "X",
        "villages-0-households": "nhiều"})
    assert bad.status_code == 422 and "Phải là số nguyên." in bad.get_data(as_text=True)
    with app.app_context():
        village = db.session.get(Village, ids[0])
        assert (village.name, village.households) == ("Thôn Một Mới", 125)


@pytest.mark.parametrize(("data", "message"), [
    ("village_code,village_name,households\nT01,Thôn Một,0\n", "Dòng 2: số hộ “0” phải là số nguyên dương"),
    ("village_code,village_name,households\nT01,Thôn Một,12\nT01,Thôn Một,13\n", "Dòng 3: thôn T01 bị lặp"),
    ("village_code,village_name\nT01,Thôn Một\n", "phải có các cột"),
    ("village_code,village_name,households\n", "không có dòng nào"),
    ("village_code,village_name,households,commune_code\nT01,Thôn Một,12,00004\n", "thôn của xã khác"),
])
def test_village_frame_upload_errors(app, as_user, data, message):
    client = as_user("staff_province")
    page = client.post("/staff/units/21040/villages/frame", data={
        "csrf_token": token(client), "frame": (io.BytesIO(data.encode()), "thon.csv")},
        content_type="multipart/form-data")
    assert page.status_code == 422 and message in page.get_data(as_text=True)
    with app.app_context():
        assert db.session.execute(select(func.count()).select_from(Village)).scalar_one() == 0


@pytest.mark.parametrize("code", ["99999", "abc", "2104", "21040x"])
def test_unknown_commune_is_404(as_user, code):
    assert as_user("admin").get(f"/staff/units/{code}/villages").status_code == 404


def test_units_list_is_limited_to_the_scope_and_searchable(as_user):
    page = as_user("staff_province").get("/staff/units").get_data(as_text=True)
    assert "Xã Bình Sơn" in page and "Xã Bình Chánh" in page and "Xã Ba Đình" not in page
    found = as_user("admin").get("/staff/units?q=Ba%20%C4%90%C3%ACnh").get_data(as_text=True)
    assert "Xã Ba Đình" in found and "Xã Bình Sơn" not in found
    assert "Nhập danh mục" not in page and "Nhập danh mục" in found


#: The same three villages as offices write them: Vietnamese headers (with or without diacritics, any case,
#: extra spaces), Excel's semicolons on a Vietnamese-locale PC, its UTF-8 byte order mark, its UTF-16 text.
OFFICE_FILES = {
    "english": "village_code,village_name,households\nT01,Thôn Một,120\nT02,Thôn Hai,80\nT03,Thôn Ba,1.269\n".encode(),
    "vietnamese": "Mã thôn,Tên thôn,Số hộ\nT01,Thôn Một,120\nT02,Thôn Hai,80\nT03,Thôn Ba,1.269\n".encode(),
    "excel-vi": ("\ufeffMã thôn;Tên thôn;Số hộ;;\r\nT01;Thôn Một;120;;\r\nT02;Thôn Hai;80;;\r\n"
                 "T03;Thôn Ba;1.269;;\r\n").encode(),
    "no-diacritics": "  MA  THON ;TEN THON; so ho \nT01;Thôn Một;120\nT02;Thôn Hai;80\nT03;Thôn Ba;1269\n".encode(),
    "decomposed": unicodedata.normalize("NFD", "Mã Thôn,Tên Thôn,Số Hộ\nT01,Thôn Một,120\nT02,Thôn Hai,80\n"
                                               "T03,Thôn Ba,1269\n").encode(),
    "mixed": "Village_Code;tên thôn;SỐ HỘ GIA ĐÌNH\n\nT01;Thôn Một;120\nT02;Thôn Hai;80\nT03;Thôn Ba;1 269\n".encode(),
    "utf-16": "Mã thôn\tTên thôn\tSố hộ\r\nT01\tThôn Một\t120\r\nT02\tThôn Hai\t80\r\nT03\tThôn Ba\t1269\r\n"
              .encode("utf-16"),
}


@pytest.mark.parametrize("kind", OFFICE_FILES)
def test_frame_files_as_offices_write_them(app, as_user, kind):
    from survey_app.services.units import read_frame

    with app.app_context():
        rows = read_frame(OFFICE_FILES[kind])
    assert [(r.village_code, r.village_name, r.households) for r in rows] == [
        ("T01", "Thôn Một", 120), ("T02", "Thôn Hai", 80), ("T03", "Thôn Ba", 1269)]
    client = as_user("staff_commune")
    done = client.post("/staff/units/21040/villages/frame", data={
        "csrf_token": token(client), "frame": (io.BytesIO(OFFICE_FILES[kind]), "thon.csv")},
        content_type="multipart/form-data")
    assert done.status_code == 302
    with app.app_context():
        assert db.session.execute(select(func.sum(Village.households))).scalar_one() == 1469


def test_a_province_frame_with_the_commune_column_in_vietnamese(app):
    from survey_app.services.units import read_frame

    data = "Mã xã;Mã thôn;Tên thôn;Số hộ\n21040;T01;Thôn Một;12\n21043;T01;Thôn Một;30\n"
    with app.app_context():
        rows = read_frame(data)
    assert [(r.commune_code, r.village_code, r.households) for r in rows] == [
        ("21040", "T01", 12), ("21043", "T01", 30)]


def test_every_duplicate_and_faulty_line_is_listed_with_its_number(app):
    from survey_app.errors import InputError
    from survey_app.services.units import read_frame

    data = ("Mã xã;Mã thôn;Tên thôn;Số hộ\n21040;T01;Thôn Một;12\n21040;T02;Thôn Hai;0\n21043;T01;Thôn Một;5\n"
            "21040;T01;Thôn Một bis;7\n21040;T03;Thôn Ba;100.001\n21040;T02;Thôn Hai;8\n21040;T02;Thôn Hai;9\n")
    with app.app_context(), pytest.raises(InputError) as refused:
        read_frame(data)
    assert refused.value.errors == [
        (3, "số hộ “0” phải là số nguyên dương"),
        (5, "thôn T01 của xã 21040 bị lặp: đã có ở dòng 2"),
        (6, "số hộ phải từ 1 đến 100.000 (tệp ghi 100.001)"),
        (8, "thôn T02 của xã 21040 bị lặp: đã có ở dòng 7"),
    ]


@pytest.mark.parametrize(("data", "message"), [
    ("Mã thôn,Tên thôn\nT01,Thôn Một\n", "thiếu cột: households; cột lạ: –"),
    ("Mã thôn,village_code,Tên thôn,Số hộ\nT01,T01,Thôn Một,3\n", "cột có hai lần: village_code"),
    ("Mã thôn,Tên thôn,Số hộ,Ghi chú\nT01,Thôn Một,3,x\n", "cột lạ: Ghi chú"),
    ("Mã thôn,Tên thôn,Số hộ\nT01,\"Thôn Một,3\nT02,Thôn Hai,4\n",
     "Dòng 2: dấu ngoặc kép mở ở dòng này không được đóng"),
    ("Mã thôn,Tên thôn,Số hộ\nT01,Thôn Một,3,4\n", "Dòng 2: có 4 cột, cần 3"),
])
def test_frame_header_and_shape_errors_say_what_is_wrong(app, data, message):
    from survey_app.errors import InputError
    from survey_app.services.units import read_frame

    with app.app_context(), pytest.raises(InputError) as refused:
        read_frame(data)
    assert message in str(refused.value)
