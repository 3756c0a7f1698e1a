"""Reading a page: the printed phiếu rendered, marked with OpenCV, degraded, then read back.

Clear marks (X, ✓, a filled box, a heavy dot, a mark over the border, nothing) are decided; doubtful ones
(two boxes, a faint cross, a speck, a circled label, a correction) are UNSURE; nothing is ever decided wrong.
"""
from __future__ import annotations

import cv2
import numpy as np
import pytest
import segno
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.paper import marks, printed
from survey_app.paper_scan import images, reader
from survey_app.paper_scan.reader import Decision

S, N, B, U = Decision.SATISFIED, Decision.NOT_SATISFIED, Decision.BLANK, Decision.UNSURE
#: name -> (draw(image, item, dpi, ink), decision expected)
KINDS = {
    "x1": (lambda im, it, dpi, ink: marks.cross(im, it.boxes[0], dpi, ink=ink), S),
    "x2": (lambda im, it, dpi, ink: marks.cross(im, it.boxes[1], dpi, ink=ink), N),
    "tick1": (lambda im, it, dpi, ink: marks.tick(im, it.boxes[0], dpi, ink=ink), S),
    "tick2": (lambda im, it, dpi, ink: marks.tick(im, it.boxes[1], dpi, ink=ink), N),
    "fill1": (lambda im, it, dpi, ink: marks.fill(im, it.boxes[0], dpi, ink=ink), S),
    "dot2": (lambda im, it, dpi, ink: marks.dot(im, it.boxes[1], dpi, ink=ink), N),
    "spill2": (lambda im, it, dpi, ink: marks.cross(im, it.boxes[1], dpi, ink=ink, spill=1.5), N),
    "blank": (lambda im, it, dpi, ink: None, B),
    "both": (lambda im, it, dpi, ink: (marks.cross(im, it.boxes[0], dpi, ink=ink),
                                       marks.cross(im, it.boxes[1], dpi, ink=ink)), U),
    "faint1": (lambda im, it, dpi, ink: marks.cross(im, it.boxes[0], dpi, ink=205), U),
    "speck1": (lambda im, it, dpi, ink: marks.dot(im, it.boxes[0], dpi, radius=0.45, ink=ink), U),
    "ring1": (lambda im, it, dpi, ink: marks.ring(im, it.labels[0].box, dpi, ink=ink), U),
    "corrected": (lambda im, it, dpi, ink: (marks.fill(im, it.boxes[0], dpi, ink=ink),
                                            marks.cross(im, it.boxes[1], dpi, ink=ink)), U),
}
CLEAR = [name for name, (_draw, decision) in KINDS.items() if decision is not U]


def marked_page(kinds: list[str], dpi: int = 200, page: int = 1, ink=marks.INK, colour: bool = False):
    """Page ``page`` with item i marked as ``kinds[i]``; returns the image and the decisions expected."""
    image = printed.page_image(page, dpi)
    if colour:
        image = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    items = printed.layout().pages[page - 1].items
    expected = []
    for item, kind in zip(items, kinds, strict=False):
        draw, decision = KINDS[kind]
        draw(image, item, dpi, ink)
        expected.append(decision)
    return image, expected


def read(image, layout=None):
    found, why = reader.locate(image)
    assert found is not None, why
    return reader.read(image, found, layout or printed.layout())


def test_every_kind_of_mark_is_decided_or_doubted_as_a_person_would():
    items = printed.layout().pages[0].items
    names = list(KINDS)
    for start in range(0, len(names), len(items)):
        kinds = names[start:start + len(items)]
        image, expected = marked_page(kinds)
        reading = read(image)
        assert not reading.problem and reading.residual < 0.5
        got = [item.decision for item in reading.items[:len(kinds)]]
        assert got == expected, list(zip(kinds, got, strict=True))


def _photo(image, rng):
    tilted = marks.perspective(marks.rotate(image, -12), 0.05, rng)
    blurred = cv2.GaussianBlur(marks.noisy(tilted, 6, rng), (0, 0), 1.0)
    return marks.jpeg(marks.shaded(blurred, 0.35), 75)


CONDITIONS = {
    "scan 200 dpi": (200, lambda im, rng: im),
    "scan 150 dpi": (150, lambda im, rng: marks.noisy(im, 4, rng)),
    "scan 300 dpi": (300, lambda im, rng: im),
    "upside down": (200, lambda im, rng: marks.rotate(im, 180)),
    "skewed and noisy": (200, lambda im, rng: marks.noisy(marks.rotate(im, 4, scale=0.97), 5, rng)),
    "phone photo": (200, _photo),
}


@pytest.mark.parametrize("condition", list(CONDITIONS))
def test_clear_marks_are_read_right_in_every_condition(condition):
    dpi, degrade = CONDITIONS[condition]
    rng = np.random.default_rng(17)
    kinds = (CLEAR * 2)[:len(printed.layout().pages[0].items)]
    image, expected = marked_page(kinds, dpi)
    reading = read(degrade(image, rng))
    assert not reading.problem, reading.problem
    assert [item.decision for item in reading.items] == expected
    assert reading.confident


def test_coloured_pens_on_a_colour_scan_and_the_second_page():
    kinds = ["x2", "tick1", "fill1", "blank", "dot2", "both", "x1", "x1", "x2", "tick2"]
    image, expected = marked_page(kinds, page=2, ink=(190, 70, 20), colour=True)  # blue ballpoint (BGR)
    reading = read(image)
    assert reading.page_id.page == 2 and reading.page_id.code == printed.CODE
    assert [item.decision for item in reading.items][:len(kinds)] == expected
    red, expected = marked_page(["x1", "x2", "tick1"], ink=(40, 40, 200), colour=True)
    assert [item.decision for item in read(red).items][:3] == expected


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(kinds=st.lists(st.sampled_from(list(KINDS)), min_size=11, max_size=11),
       angle=st.floats(-15, 15), upside_down=st.booleans(), scale=st.floats(0.75, 1.15),
       seed=st.integers(0, 2**16))
def test_never_silently_wrong_whatever_the_marks_and_rotation(kinds, angle, upside_down, scale, seed):
    image, expected = marked_page(kinds)
    rng = np.random.default_rng(seed)
    turned = marks.noisy(marks.rotate(image, angle + (180 if upside_down else 0), scale=scale), 4, rng)
    reading = read(turned)
    assert not reading.problem
    for kind, want, item in zip(kinds, expected, reading.items, strict=True):
        assert item.decision == want, (kind, item)


def test_a_page_without_its_marks_or_of_another_layout_is_not_read():
    image, _expected = marked_page(["x1"])
    corner = printed.layout().marks[3]
    px = 200 / 25.4
    cv2.rectangle(image, (int(corner.x * px) - 5, int(corner.y * px) - 5),
                  (int(corner.right * px) + 5, int(corner.bottom * px) + 5), 255, -1)
    reading = read(image)
    assert reading.problem == "marks" and not reading.items and not reading.confident
    other = printed.layout("xa-ntm-2026")
    assert read(marked_page(["x1"])[0], other).problem == "layout"


def test_what_is_not_a_phieu_page_is_named():
    blank = np.full((1200, 900), 255, np.uint8)
    assert reader.locate(blank) == (None, "no_qr")
    code = segno.make("https://example.com/not-a-phieu", error="m")
    qr = np.array(code.matrix, dtype=np.uint8)
    qr = np.kron(1 - qr, np.ones((8, 8), np.uint8)) * 255
    blank[100:100 + qr.shape[0], 100:100 + qr.shape[1]] = qr
    assert reader.locate(blank) == (None, "not_a_phieu")


def test_pdf_and_photo_files_become_page_images():
    document = list(images.pages("stack.pdf", printed.pdf()))
    assert [(p.source, p.number) for p in document] == [("stack.pdf", 1), ("stack.pdf", 2)]
    found = [reader.locate(p.image)[0].page_id.page for p in document]
    assert found == [1, 2]
    ok, png = cv2.imencode(".png", printed.page_image(2, 150))
    photo = list(images.pages("anh.png", png.tobytes()))
    assert len(photo) == 1 and reader.locate(photo[0].image)[0].page_id.page == 2
    assert [p.image for p in images.pages("hong.jpg", b"\xff\xd8 not really")] == [None]
    assert [p.image for p in images.pages("hong.pdf", b"%PDF-1.4 broken")] == [None]


def test_a_page_straightened_a_millimetre_off_is_caught_by_its_box_borders():
    image, _expected = marked_page(["x1", "fill1", "x2"])
    layout = printed.layout()
    found, _why = reader.locate(image)
    h, residual = reader.align(image, found, layout)
    assert residual < 0.5
    page = layout.pages[0]
    assert reader.border_ink(reader.darkness(reader.straighten(image, h, layout)), page) > 2 * reader.MIN_BORDER
    shifted = h @ np.array([[1, 0, 1.0], [0, 1, 0.0], [0, 0, 1]])
    assert reader.border_ink(reader.darkness(reader.straighten(image, shifted, layout)), page) < reader.MIN_BORDER
