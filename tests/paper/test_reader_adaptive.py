"""The reader's ink thresholds follow the page (issue 17, items 2-3 and 5): a light hand's clear mark is decided,
a really faint mark, an erasure, a speck or a circled label stays UNSURE, and whatever the pen, the marks and the
degradation, a decided item is never other than what was drawn.
"""
from __future__ import annotations

import cv2
import numpy as np
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bench.paper import marks, sheets
from survey_app.paper_scan import reader
from survey_app.paper_scan.reader import Decision

from .reading import ITEMS, LAYOUT, page, read
from .test_reader_strays import BESIDE, beside

S, N, B, U = Decision.SATISFIED, Decision.NOT_SATISFIED, Decision.BLANK, Decision.UNSURE




def _light(name: str = "blue ballpoint", width: float = 0.3, pressure: float = 0.6) -> sheets.Pen:
    return sheets.Pen(name, sheets.PENS[name][0], width, pressure)


def test_a_light_hand_ballpoint_cross_in_one_box_the_other_clean_is_decided():
    """Blue and red ballpoint pressed lightly (0.6), on an office scanner's grey scan: visible, decided."""
    image = page()
    for item, box, name in ((ITEMS[0], 0, "blue ballpoint"), (ITEMS[1], 1, "blue ballpoint"),
                            (ITEMS[2], 1, "red ballpoint")):
        pen = _light(name)
        marks.cross(image, item.boxes[box], 200, pen=pen.width, ink=pen.ink)
    grey = cv2.cvtColor(marks.noisy(image, 3.0, np.random.default_rng(1)), cv2.COLOR_BGR2GRAY)
    reading = read(grey)
    assert [item.decision for item in reading.items[:4]] == [S, N, N, B], reading.items[:3]
    assert reading.confident


def test_light_hands_in_every_pen_and_mark_are_decided_in_scans_and_photos():
    kinds = ["cross", "tick", "cross", "tick", "fill", "dot", "cross", "tick", "blank", "cross", "tick"]
    for name in ("blue ballpoint", "black ballpoint", "red ballpoint", "pencil"):
        for condition in ("scan 150 dpi", "scan 200 dpi", "scan 300 dpi", "phone photo"):
            dpi, degrade = sheets.CONDITIONS[condition]
            rng = np.random.default_rng(7)
            image = page(dpi)
            pen = _light(name, 0.35, 0.65)
            truth = [sheets.mark_item(image, item, dpi, kind, pen, rng) for item, kind in zip(ITEMS, kinds,
                                                                                             strict=False)]
            reading = read(degrade(image, rng))
            got = [item.decision.value for item in reading.items]
            assert got == truth, (name, condition, [(i.key, i.why, i.ink, i.faint) for i in reading.items])


def test_really_faint_marks_erasures_specks_and_circled_labels_stay_unsure():
    firm = sheets.Pen("black ballpoint", sheets.PENS["black ballpoint"][0], 0.5, 1.0)
    image = page()
    rng = np.random.default_rng(3)
    for item in ITEMS[4:]:  # the hand's own clear marks: the page's stroke level
        sheets.mark_item(image, item, 200, "cross", firm, rng)
    marks.cross(image, ITEMS[0].boxes[0], 200, pen=0.5, ink=(205, 205, 205))  # barely there
    marks.cross(image, ITEMS[1].boxes[1], 200, pen=0.5, ink=(185, 185, 185))  # erased, on a firmly marked page
    marks.dot(image, ITEMS[2].boxes[0], 200, radius=0.45, ink=firm.ink)  # a speck
    marks.ring(image, ITEMS[3].labels[1].box, 200, pen=0.3, ink=_light("blue ballpoint", 0.3, 0.6).ink)
    reading = read(marks.noisy(image, 3.0, rng))
    assert [item.decision for item in reading.items[:4]] == [U, U, U, U], reading.items[:4]
    assert all(item.decision is not U for item in reading.items[4:])


def test_a_ticks_tail_is_its_mark_but_a_ring_or_a_mark_beside_a_box_is_stray():
    pen = _light("blue ballpoint", 0.6, 0.65)
    image = page()
    box = ITEMS[0].boxes[1]  # a ✓ whose long stroke runs well past the box: decided
    marks.stroke(image, [(box.x + 1.2, box.y + 4.0), (box.x + 2.8, box.bottom - 1.0), (box.right + 2.0, box.y - 2.0)],
                 200, pen=pen.width, ink=pen.ink)
    marks.cross(image, ITEMS[1].boxes[0], 200, pen=pen.width, ink=pen.ink)  # X, then the other label circled
    marks.ring(image, ITEMS[1].labels[1].box, 200, pen=pen.width, ink=pen.ink)
    second = ITEMS[2].boxes[1]  # an X between the answers, no box marked
    marks.cross(image, type(second)(second.x - 6.0, second.y, 5.0, 6.0), 200, pen=pen.width, ink=pen.ink)
    marks.tick(image, ITEMS[3].boxes[0], 200, pen=pen.width, ink=pen.ink)  # ✓, and an X beside the other box
    other = ITEMS[3].boxes[1]
    marks.cross(image, type(other)(other.x - 8.0, other.y, 6.0, 6.0), 200, pen=pen.width, ink=pen.ink)
    reading = read(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY))
    assert [(item.decision, item.why) for item in reading.items[:4]] == [
        (N, ""), (U, "stray"), (U, "stray"), (U, "stray")], reading.items[:4]


#: Marks drawn beside the benchmark's own: doubtful ones whose truth is "a person looks" (with a clear X in
#: one box, an X or a ✓ beside the other box, the other label underlined: ``test_reader_strays``).
EXTRA = ("faint", "speck", "ring", *BESIDE)


def _extra(image, item, dpi, kind: str, pen: sheets.Pen, rng) -> str:
    box = item.boxes[int(rng.integers(2))]
    if kind == "faint":  # 0.15-0.2 dark: above the faint floor, well below the weakest stroke core (0.28)
        grey = int(rng.integers(205, 217))
        marks.cross(image, box, dpi, pen=max(pen.width, 0.6), ink=(grey, grey, grey))
    elif kind == "speck":  # 0.4-0.6 mm² (a heavy dot is 4.5 mm² or more): more than dust, less than a mark
        marks.dot(image, box, dpi, radius=float(rng.uniform(0.35, 0.45)), ink=pen.ink)
    elif kind == "ring":
        marks.ring(image, item.labels[int(rng.integers(2))].box, dpi, pen=pen.width, ink=pen.ink)
    else:
        beside(image, item, dpi, kind, int(rng.integers(2)), pen)
    return "unsure"


@example(kinds=["tick", "blank", "faint", "tick", "tick", "tick"], name="red ballpoint", width=0.5, pressure=0.5,
         condition="scan 300 dpi", seed=50740)  # a faint X on a light red page: once read as a mark
# derandomize: the same examples in every run (see test_reader_strays: a known blind spot is a strict xfail there)
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
@given(kinds=st.lists(st.sampled_from([*sheets.KINDS, *EXTRA]), min_size=len(ITEMS), max_size=len(ITEMS)),
       name=st.sampled_from(list(sheets.PENS)), width=st.floats(0.25, 0.8), pressure=st.floats(0.5, 1.0),
       condition=st.sampled_from(list(sheets.CONDITIONS)), seed=st.integers(0, 2**16))
def test_a_decision_never_differs_from_what_was_drawn(kinds, name, width, pressure, condition, seed):
    dpi, degrade = sheets.CONDITIONS[condition]
    rng = np.random.default_rng(seed)
    pen = sheets.Pen(name, sheets.PENS[name][0], width, pressure)
    image = page(dpi)
    truth = [(_extra if kind in EXTRA else sheets.mark_item)(image, item, dpi, kind, pen, rng)
             for item, kind in zip(ITEMS, kinds, strict=True)]
    found, _why = reader.locate(degraded := degrade(image, rng))
    if found is None:
        return  # a page not found is refused, never read wrong
    reading = reader.read(degraded, found, LAYOUT)
    for kind, want, item in zip(kinds, truth, reading.items, strict=False):
        assert item.decision in (U, Decision(want)), (kind, want, item)
