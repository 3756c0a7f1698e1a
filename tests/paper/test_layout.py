"""The layout (pure geometry) and the QR payload, over generated templates and hostile QR texts."""
from __future__ import annotations

import string

from hypothesis import given, settings
from hypothesis import strategies as st

from survey_app.paper_scan import payload
from survey_app.paper_scan.layout import BOTTOM, LEFT, MARKS, QR, QR_QUIET, RIGHT, TOP, Rect, Wording, build_layout


def measure(text: str, size: float, bold: bool) -> float:
    """A stand-in for the font: every character 0.55 em wide (0.6 in bold)."""
    return len(text) * size * (0.6 if bold else 0.55) * 25.4 / 72


def wording(questions: list[str]) -> Wording:
    return Wording(title="Phiếu lấy ý kiến", purpose="Ý kiến của Ông/Bà giúp Mặt trận.", online="Trả lời qua mạng.",
                   instruction="Đánh dấu X hoặc ✓ vào một ô cho mỗi câu.", satisfied="Hài lòng",
                   not_satisfied="Không hài lòng", reason="Lý do:", opinion="Ý kiến khác:", continued="(tiếp theo)",
                   items=tuple((f"cau-{n}", q) for n, q in enumerate(questions, 1)))


def _inside(inner: Rect, outer: Rect) -> bool:
    return (outer.x <= inner.x + 1e-6 and inner.right <= outer.right + 1e-6 and outer.y <= inner.y + 1e-6
            and inner.bottom <= outer.bottom + 1e-6)


def _overlap(a: Rect, b: Rect) -> bool:
    return a.x < b.right and b.x < a.right and a.y < b.bottom and b.y < a.bottom


words = st.text(alphabet=string.ascii_letters + "ăâđêôơưàảãáạ", min_size=1, max_size=25)
questions = st.lists(words, min_size=1, max_size=60).map(" ".join)
CONTENT = Rect(LEFT, TOP, RIGHT - LEFT, BOTTOM - TOP)


@settings(max_examples=60)
@given(st.lists(questions, min_size=1, max_size=40))
def test_every_item_gets_its_own_boxes_inside_the_page_in_order(texts):
    layout = build_layout(wording(texts), measure)
    items = layout.items
    assert [item.key for item in items] == [f"cau-{n}" for n in range(1, len(texts) + 1)]
    assert [page.number for page in layout.pages] == list(range(1, len(layout.pages) + 1))
    if len(texts) <= 20 and all(len(t) <= 160 for t in texts):
        assert len(layout.pages) <= 2
    qr_zone = QR.grow(QR_QUIET)
    for page in layout.pages:
        previous_bottom = TOP
        for item in page.items:
            assert item.page == page.number
            (first, second), (label1, label2) = item.boxes, item.labels
            assert first.right < label1.box.x < label1.box.right < second.x < second.right < label2.box.x
            for rect in (first, second, label1.box, label2.box, item.reason, item.answers):
                assert _inside(rect, CONTENT)
                assert not _overlap(rect, qr_zone) and not any(_overlap(rect, mark) for mark in MARKS)
            for rect in (first, second, label1.box, label2.box):
                assert _inside(rect, item.answers)
            assert item.answers.bottom <= item.reason.y
            assert item.top >= previous_bottom - 1e-6
            previous_bottom = max(item.reason.bottom, item.question[-1].box.bottom)
            for line in item.question:
                assert line.box.right <= item.answers.x
    last = layout.pages[-1]
    assert last.opinion is not None and _inside(last.opinion, CONTENT)
    assert all(page.opinion is None for page in layout.pages[:-1])
    assert build_layout(wording(texts), measure).fingerprint == layout.fingerprint


def test_the_fingerprint_changes_with_the_geometry_only():
    base = wording(["Ông/Bà có hài lòng không?"] * 5)
    same = Wording(**{**base.__dict__, "title": "Phiếu lấy ý kiến"})
    longer = wording(["Ông/Bà có hài lòng không?"] * 4 + ["Ông/Bà có hài lòng không? " * 8])
    fingerprint = build_layout(base, measure).fingerprint
    assert build_layout(same, measure).fingerprint == fingerprint
    assert build_layout(longer, measure).fingerprint != fingerprint


def test_payload_round_trip_and_refusals():
    url = "https://khaosat.example.vn/s/K7PX-3MQD-9T"
    text = payload.encode(url, 2, 2, "3fa9c2d1")
    assert text == "https://khaosat.example.vn/s/K7PX-3MQD-9T#2/2.3fa9c2d1"
    assert payload.parse(text) == payload.PageId("K7PX-3MQD-9T", 2, 2, "3fa9c2d1")
    assert payload.parse("https://x.vn/prefix/s/K7PX3MQD9T#1/1.00000000").code == "K7PX3MQD9T"
    for wrong in ("", url, url + "#3/2.3fa9c2d1", url + "#0/2.3fa9c2d1", url + "#1/2.3FA9C2D1",
                  "https://x.vn/K7PX-3MQD-9T#1/2.3fa9c2d1", "https://x.vn/s/K7#1/2.3fa9c2d1", "WIFI:S:x;;"):
        assert payload.parse(wrong) is None, wrong


@settings(max_examples=300)
@given(st.text())
def test_any_qr_text_is_read_or_refused_never_an_error(text):
    found = payload.parse(text)
    assert found is None or (1 <= found.page <= found.pages and len(found.fingerprint) == 8)
