"""Creating a survey in the console, the preview step: an attached frame file is kept between steps, can be
dropped, stays the frame while it is faulty, and a damaged carried copy asks for the file again."""
from __future__ import annotations

import io
from html.parser import HTMLParser

import pytest

from survey_app.extensions import db
from survey_app.models import Survey
from survey_app.services.units import upsert_village

from .accounts import new_survey_form

pytestmark = pytest.mark.usefixtures("planning_day")


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
    page = client.post("/staff/surveys/new?unit=21040", data=new_survey_form(client, []) | {
        "frame_name": "f.csv", "frame_data": carried})
    assert page.status_code == 422 and "chọn lại tệp" in page.get_data(as_text=True)
    with app.app_context():
        assert db.session.query(Survey).count() == 0
