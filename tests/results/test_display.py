"""One way to show a number (issue 15, item 12): one rate precision, one name per count, local time, items
numbered once, on the pages, the PDF report, the spreadsheet and the public notice."""
from __future__ import annotations

import io
import re
import subprocess
from dataclasses import dataclass
from datetime import time

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from survey_app import create_app
from survey_app.exports.tables import item_names, item_tags
from survey_app.extensions import db
from survey_app.models import Channel, FrameVillage, Role, Survey
from survey_app.services.meetings import declare_meeting
from survey_app.services.responses import Submission, find_code, submit
from survey_app.services.surveys import transition

from ..factories import DEMO_COMMUNE, make_survey
from .factories import _answers, add_user, log_in
from .test_exports import download

NBSP = "\u00a0"
#: A time as formatting.datetime shows it.
SHOWN_TIME = re.compile(r"\b\d{2}:\d{2} \d{2}/\d{2}/\d{4}\b")
#: What a user must never read: a machine timestamp or the UTC label.
MACHINE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}|\+00:00|giờ UTC")
ZONE = "Giờ Việt Nam (GMT+07:00)"
#: An item numbered twice: a number of the page's own in front of the form's ("1. Tiêu chí 1: …").
TWICE = re.compile(r"\b\d+\.\s*(?:Tiêu chí|Nội dung)\s+\d+")
#: Links not worth walking: downloads (bytes, not pages), the language switch, printable slips.
SKIP = ("tai-ve", ".pdf", ".csv", "/ngon-ngu/", "/static/", "dang-xuat")


@dataclass(frozen=True)
class Demo:
    survey_id: int
    used_code: str
    receipt: str


def build_demo(app, status: str = "closed") -> Demo:
    """A demo-like survey: two villages (4 + 3 households) with spare slips (11 handed out), five phiếu
    (one on paper), so 2 households did not answer and 6 slips did not come back; a declared village meeting
    (its audit entry holds its times)."""
    survey_id, issued = make_survey(app, villages=(("T01", "Thôn Một", 4), ("T02", "Thôn Hai", 3)), spare=0.5)
    chosen = [c for c in issued if c.village_code == "T01"][:3] + [c for c in issued if c.village_code == "T02"][:2]
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        items = tuple(item["key"] for item in survey.template["items"])
        receipts = [submit(survey, find_code(slip.code),
                           Submission(_answers(items), channel=Channel.PAPER if n == 4 else Channel.WEB)).receipt
                    for n, slip in enumerate(chosen)]
        frame = db.session.scalars(db.select(FrameVillage).where(FrameVillage.survey_id == survey_id)).first()
        declare_meeting(survey, frame.id, survey.start_date, time(8), time(9), "Họp thôn")
        if status in ("closed", "published"):
            transition(survey, "close", actor_name="test")
        if status == "published":
            transition(survey, "publish", actor_name="test")
        db.session.commit()
    return Demo(survey_id, chosen[0].code, receipts[0])


@pytest.fixture
def staff_client(app, client):
    """A client logged in as the commune's staff."""
    log_in(app, client, add_user(app, "canbo", Role.STAFF, DEMO_COMMUNE))
    return client


def _flat(text: str) -> str:
    """The words of a page or a PDF's text, tags left out, on one line."""
    return " ".join(re.sub(r"<[^>]+>", " ", text).replace(NBSP, " ").split())


def _pdf_text(data: bytes, tmp_path, layout: bool = False) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", *(["-layout"] if layout else []), str(path), "-"], capture_output=True,
                          text=True, check=True).stdout


def test_a_rate_reads_the_same_on_the_coverage_and_results_pages(app, staff_client):
    demo = build_demo(app, status="open")
    coverage = _flat(staff_client.get(f"/staff/surveys/{demo.survey_id}/coverage").get_data(as_text=True))
    results = _flat(staff_client.get(f"/results/{demo.survey_id}").get_data(as_text=True))
    # 5 of 7 households, 3 of 4 in Thôn Một: cut to two decimals on both pages.
    for rate in ("71,42 %", "75,00 %"):
        assert rate in coverage and rate in results, rate
    assert "71,4 %" not in coverage and "75,0 %" not in coverage


def test_each_count_of_households_and_slips_has_one_name(app, staff_client, tmp_path):
    demo = build_demo(app)
    page = _flat(staff_client.get(f"/results/{demo.survey_id}").get_data(as_text=True))
    assert "Số hộ chưa trả lời 2" in page and "Số phiếu phát ra 11" in page
    assert "Số phiếu phát ra chưa thu về 6" in page and "nếu tất cả 2 hộ chưa trả lời" in page
    assert "thiếu" not in page.lower()
    report = _flat(_pdf_text(download(staff_client, demo.survey_id, "pdf"), tmp_path))
    assert "số hộ chưa trả lời: 2" in report and "số phiếu phát ra chưa thu về: 6" in report
    assert "thiếu" not in report.lower()
    book = load_workbook(io.BytesIO(download(staff_client, demo.survey_id, "xlsx")))
    summary = {row[0].value: row[1].value for row in book["Tổng hợp"].iter_rows(min_row=2)}
    assert summary["Số hộ chưa trả lời"] == 2 and summary["Số phiếu phát ra chưa thu về"] == 6
    headers = [cell.value for cell in book["Theo thôn"][1]]
    assert "Số phiếu phát ra chưa thu về" in headers and not any("thiếu" in h.lower() for h in headers)


def _walk(client, seeds: list[str], limit: int = 120) -> dict[str, str]:
    """GET every page reachable from the seeds (same site, no downloads): path → HTML."""
    pages, todo = {}, list(seeds)
    while todo and len(pages) < limit:
        path = todo.pop(0)
        if path in pages:
            continue
        response = client.get(path)
        pages[path] = response.get_data(as_text=True) if response.mimetype == "text/html" else ""
        for link in re.findall(r'href="(/[^"#]*)"', pages[path]):
            link = link.replace("&amp;", "&")
            if link not in pages and not any(part in link for part in SKIP):
                todo.append(link)
    return pages


@pytest.mark.parametrize("status", ["open", "published"])
def test_no_page_shows_a_machine_time_and_each_names_its_zone_once(app, client, status):
    demo = build_demo(app, status=status)
    resident = [f"/s/{demo.used_code}", f"/bien-nhan/{demo.receipt}", f"/results/{demo.survey_id}/niem-yet"]
    pages = {path: client.get(path).get_data(as_text=True) for path in resident}
    log_in(app, client, add_user(app, "canbo", Role.STAFF, DEMO_COMMUNE))
    pages |= _walk(client, ["/staff/", f"/staff/surveys/{demo.survey_id}/responses", "/results/"])
    log_in(app, client, add_user(app, "kiemtra"))
    pages |= _walk(client, ["/results/", f"/results/{demo.survey_id}"], limit=20)
    assert f"/results/{demo.survey_id}" in pages and f"/staff/surveys/{demo.survey_id}/coverage" in pages
    assert "meeting.declare" in pages["/staff/audit"]  # its details hold the meeting's times
    with_times = 0
    for path, html in pages.items():
        assert not MACHINE_TIME.search(html), (path, MACHINE_TIME.search(html).group())
        if SHOWN_TIME.search(html):
            with_times += 1
            assert html.count(ZONE) == 1, path
    assert with_times >= 4  # results (made at), staff response, audit log, resident's "answered at"


def test_items_are_numbered_once_on_the_page_the_report_and_the_spreadsheet(app, staff_client, tmp_path):
    demo = build_demo(app)
    page = _flat(staff_client.get(f"/results/{demo.survey_id}").get_data(as_text=True))
    assert "Tiêu chí 1: Quy hoạch" in page and not TWICE.search(page), TWICE.search(page)
    report = _pdf_text(download(staff_client, demo.survey_id, "pdf"), tmp_path, layout=True)
    assert "Tiêu chí 1: Quy hoạch" in report
    assert not re.search(r"^\s*\d+\s+(?:Tiêu chí|Nội dung)\s+\d", report, re.MULTILINE)  # no STT column before it
    assert not TWICE.search(_flat(report))
    book = load_workbook(io.BytesIO(download(staff_client, demo.survey_id, "xlsx")))
    items = [[cell.value for cell in row] for row in book["Theo nội dung"].iter_rows()]
    assert "STT" not in items[0] and items[1][:2] == ["quy-hoach", "Tiêu chí 1: Quy hoạch"]
    villages = [cell.value for cell in book["Theo thôn"][1]]
    assert "Tiêu chí 10: tỷ lệ" in villages and "Đánh giá chung: hài lòng" in villages
    for sheet in book.worksheets:
        for row in sheet.iter_rows(values_only=True):
            assert not any(isinstance(v, str) and TWICE.search(v) for v in row), (sheet.title, row)


@pytest.fixture(scope="module")
def text_app():
    """An application for wording only (no database is touched)."""
    return create_app({"TESTING": True, "SECRET_KEY": "k", "SURVEY_CODE_KEY": "k", "SURVEY_AUDIT_KEY": "k",
                       "SQLALCHEMY_DATABASE_URI": "sqlite://", "RATELIMIT_STORAGE_URI": "memory://"})


@pytest.mark.parametrize(("criteria", "names", "tags"), [
    (["Tiêu chí 1: Quy hoạch", "Tiêu chí 7 và 8: Môi trường", "Đánh giá chung"],
     ["Tiêu chí 1: Quy hoạch", "Tiêu chí 7 và 8: Môi trường", "Đánh giá chung"],
     ["Tiêu chí 1", "Tiêu chí 7 và 8", "Đánh giá chung"]),
    (["Nội dung 2: Giao thông", "Nội dung 3: Điện"], ["Nội dung 2: Giao thông", "Nội dung 3: Điện"],
     ["Nội dung 2", "Nội dung 3"]),
    (["Xã có chợ hoặc nơi mua bán", "Không còn nhà tạm bợ, dột nát"],
     ["1. Xã có chợ hoặc nơi mua bán", "2. Không còn nhà tạm bợ, dột nát"], ["1", "2"]),
    (["", "100 hộ: đường đẹp"], ["1. k0", "2. 100 hộ: đường đẹp"], ["1", "2"]),
])
def test_one_numbering_per_form(text_app, criteria, names, tags):
    document = {"items": [{"key": f"k{n}", "criterion": text} for n, text in enumerate(criteria)]}
    with text_app.test_request_context("/"):
        assert list(item_names(document).values()) == names
        assert list(item_tags(document).values()) == tags


LABEL = st.sampled_from(["Tiêu chí", "Nội dung", "Câu", ""])


@given(criteria=st.lists(st.tuples(st.booleans(), LABEL, st.integers(1, 30),
                                       st.text("abcđêôư ĐTNCXạ:.,–-()", max_size=30)), min_size=1,
                         max_size=20))
def test_generated_forms_are_never_numbered_twice(text_app, criteria):
    texts = [f"{label} {n}: {rest}".strip() if numbered else rest for numbered, label, n, rest in criteria]
    document = {"items": [{"key": f"k{i}", "criterion": text} for i, text in enumerate(texts)]}
    with text_app.test_request_context("/"):
        names = list(item_names(document).values())
    own = [numbered for numbered, *_ in criteria]
    for position, (name, text) in enumerate(zip(names, texts, strict=True), 1):
        if any(own):  # the form numbers its criteria: shown as written, no number added
            assert name == (text or f"k{position - 1}")
        else:
            assert name.startswith(f"{position}. ")
