"""Units and villages in the console: all-or-nothing imports with line numbers; villages by hand or CSV."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import Commune, Province, Village

from .conftest import token

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
