"""The public notice (niêm yết) printed by Chromium: one A4 page for a commune of 20 villages, with its QR code,
the publication's version and hash prefix, the notice's official fields and the signature block on that page."""
from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from survey_app.extensions import db
from survey_app.models import AnswerValue, Survey
from survey_app.services import snapshots
from survey_app.services.responses import Submission, find_code, submit
from survey_app.services.surveys import transition
from tests.staff.pdfqr import qr_texts

pytestmark = pytest.mark.browser

#: Long village names, as communes have them: the widest rows the village table must hold.
VILLAGE_NAMES = ["Thôn Phước Thịnh Đông", "Thôn An Hòa Thượng", "Thôn Tân Phú Trung", "Thôn Vĩnh Lộc Hạ",
                 "Thôn Bình Long Nam", "Thôn Châu Thuận Biển", "Thôn Đông Yên Thượng", "Thôn Trung An Tây",
                 "Thôn Phú Lễ Hạ", "Thôn Mỹ Huệ Bắc", "Thôn Thạnh Hòa Đông", "Thôn Long Yên Nam",
                 "Thôn Hải Ninh Thượng", "Thôn Tây Phước Trung", "Thôn Xuân Yên Hạ", "Thôn Liên Trì Đông",
                 "Thôn Định Tân Thượng", "Thôn Lệ Thủy Nam", "Thôn Bình Trị Tây", "Thôn Vạn Tường Bắc"]
REASON = ("Đính chính 3 phiếu giấy của Thôn Phước Thịnh Đông nhập nhầm, theo biên bản của Ban công tác Mặt "
          "trận thôn ngày 05/12 và ý kiến của Ban Thường trực Ủy ban Mặt trận Tổ quốc Việt Nam xã")
#: Per village: above the public minimum, so figures are printed (the widest rows); the first village returns
#: fewer, so that the suppression note is on the page too.
RESPONDENTS = 6


def publish_twenty_villages(live_server) -> int:
    """A 20-item commune survey of 20 villages, answered, published, reopened and published again."""
    villages = tuple((f"T{n:02d}", name, 9) for n, name in enumerate(VILLAGE_NAMES, 1))
    survey_id, issued = live_server.survey(template="xa-ntm-2021", villages=villages)
    app = live_server.app
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        keys = [item["key"] for item in survey.template["items"]]
        by_village: dict[str, list] = {}
        for code in issued:
            by_village.setdefault(code.village_code, []).append(code)
        for index, codes in enumerate(by_village.values()):
            for n, code in enumerate(codes[:RESPONDENTS if index else 4]):  # the first village is withheld
                answers = {key: AnswerValue.NOT_SATISFIED if (n + i) % 5 == 0 else AnswerValue.SATISFIED
                           for i, key in enumerate(keys)}
                submit(survey, find_code(code.code), Submission(answers))
        transition(survey, "close", actor_name="test")
        transition(survey, "publish", actor_name="test")
        snapshots.reopen(survey, REASON, actor_name="test")
        transition(survey, "publish", actor_name="test", reason=REASON)
        db.session.commit()
    return survey_id


@pytest.fixture(scope="module")
def twenty_villages(live_server) -> int:
    return publish_twenty_villages(live_server)


def printed(new_page, path: str) -> tuple[bytes, int, str]:
    """Print ``path`` as Chromium does (A4 from the page's own @page rule): the PDF, its pages and its text."""
    page = new_page(viewport={"width": 1280, "height": 900})
    assert page.goto(path).status == 200
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    reader = PdfReader(io.BytesIO(pdf))
    width, height = (float(side) * 25.4 / 72 for side in reader.pages[0].mediabox.upper_right)
    assert round(width) == 210 and round(height) == 297  # A4
    return pdf, len(reader.pages), "\n".join(p.extract_text() for p in reader.pages)


def test_the_notice_of_twenty_villages_prints_on_one_a4_page(new_page, live_server, twenty_villages):
    pdf, pages, text = printed(new_page, f"/results/{twenty_villages}/niem-yet")
    assert pages == 1, f"the notice printed on {pages} pages"
    check = live_server.app.config["SURVEY_PUBLIC_URL"].rstrip("/") + "/bien-nhan"
    assert qr_texts(pdf) == [check]  # printed, the QR code still reads: it leads to the receipt check
    with live_server.app.app_context():
        publication = snapshots.current(db.session.get(Survey, twenty_villages))
    flat = " ".join(text.split())
    for needed in (VILLAGE_NAMES[0], VILLAGE_NAMES[-1], "Số:", "/TB-MTTQ", "Độc lập - Tự do - Hạnh phúc",
                   "ỦY BAN MẶT TRẬN TỔ QUỐC VIỆT NAM", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "TM. BAN THƯỜNG TRỰC",
                   "Bình Sơn, ngày", publication.sha256[:12], "Kiểm tra biên nhận"):
        # a long run such as the hash prefix may wrap at the end of a printed line
        assert needed in flat or needed.replace(" ", "") in "".join(text.split()), \
            f"{needed!r} is not on the printed page"
    assert "Kết quả công bố lần 2" in flat and "Đính chính 3 phiếu giấy" in flat
    assert "(*) Không công bố tỷ lệ hài lòng" in flat


def test_a_printed_hash_copies_as_typed_never_as_ligatures(new_page, twenty_villages):
    """Chromium draws "ff", "fi", "fl" as one ligature glyph, which a PDF reader copies as U+FB00..: a hash
    prefix such as 4cff2584e83d would no longer match the one a household compares it with."""
    page = new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"/results/{twenty_villages}/niem-yet")
    page.locator("#notice-version").evaluate("node => { node.textContent = 'SHA-256: 00ff11fi22fl33ffi' }")
    text = PdfReader(io.BytesIO(page.pdf(prefer_css_page_size=True))).pages[0].extract_text()
    assert "00ff11fi22fl33ffi" in "".join(text.split())


def test_the_notice_shows_its_qr_code_whole_on_the_page(new_page, twenty_villages):
    page = new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"/results/{twenty_villages}/niem-yet")
    page.emulate_media(media="print")
    box = page.locator(".notice-sheet .qr img").bounding_box()
    assert box and box["width"] >= 80 and box["height"] >= 80  # scannable from a notice board
