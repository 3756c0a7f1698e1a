"""Stray ink beside the answers (issue 17, items 2, 3 and 5): a thin short dash between the answers, beside a
clear mark, is a slip of the pen and the item is decided; an X or a ✓ beside the other box or over its label, a
circled or underlined label stay UNSURE, whatever the pen and the degradation.
"""
from __future__ import annotations

import cv2
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.paper import marks, sheets
from survey_app.paper_scan import reader, strays
from survey_app.paper_scan.layout import Rect
from survey_app.paper_scan.reader import Decision

from .reading import ITEMS, LAYOUT, page, read

S, N, U = Decision.SATISFIED, Decision.NOT_SATISFIED, Decision.UNSURE
THICK = sheets.Pen("blue ballpoint", sheets.PENS["blue ballpoint"][0], 0.8, 0.9)




def _gap(item) -> Rect:
    """The paper between the first label and the second box."""
    label, box = item.labels[0].box, item.boxes[1]
    return Rect(label.right, box.y, box.x - label.right, box.h)


def _dash(image, item, dpi, pen: sheets.Pen, start: float, rise: float) -> None:
    """The benchmark's stray dash (3 mm, bench/paper/sheets.py), ``start`` mm into the gap."""
    gap = _gap(item)
    x, y = gap.x + start, gap.y + gap.h / 2
    marks.stroke(image, [(x, y), (x + 3.0, y + rise)], dpi, pen=pen.width, ink=pen.ink)


@pytest.mark.parametrize("condition", ["scan 200 dpi", "scan 150 dpi", "phone photo"])
def test_a_dash_between_the_answers_beside_a_clear_mark_is_decided(condition):
    """A thick ballpoint's 3 mm dash holds more than 3 mm² of ink: it used to send the item to review."""
    dpi, degrade = sheets.CONDITIONS[condition]
    image = page(dpi)
    placed = ((0, "cross", 0.6, 1.2), (1, "tick", 0.8, -1.4), (0, "tick", 1.4, 0.4), (1, "cross", 2.6, -1.0))
    for item, (box, style, start, rise) in zip(ITEMS, placed, strict=False):
        (marks.cross if style == "cross" else marks.tick)(image, item.boxes[box], dpi, pen=THICK.width, ink=THICK.ink)
        _dash(image, item, dpi, THICK, start, rise)
    reading = read(degrade(image, np.random.default_rng(5)))
    got = [(item.decision, item.why) for item in reading.items[:4]]
    assert got == [(S, ""), (N, ""), (S, ""), (N, "")], reading.items[:4]


def beside(image, item, dpi, kind: str, chosen: int, pen: sheets.Pen) -> None:
    """A clear X in box ``chosen`` and, beside the other box or on its label, a mark that may be an answer."""
    width = max(pen.width, 0.5)
    marks.cross(image, item.boxes[chosen], dpi, pen=pen.width, ink=pen.ink)
    gap, other = _gap(item), item.labels[1 - chosen].box
    if kind == "x_beside":  # an X in the gap, beside the second box (or the first label)
        marks.cross(image, Rect(gap.x + 0.3, gap.y + 0.5, gap.w - 0.6, gap.h - 1.0), dpi, pen=width, ink=pen.ink)
    elif kind == "tick_label":  # a ✓ in the gap: at the first label's end, or reaching the second box
        reach = 3.0 if chosen == 1 else 0.5  # (a ✓ running into the marked box would be for that box)
        marks.tick(image, Rect(gap.x - 1.0, gap.y + 0.5, gap.w - reach, gap.h - 1.0), dpi, pen=width, ink=pen.ink)
    elif kind == "ring_label":
        marks.ring(image, other, dpi, pen=width, ink=pen.ink)
    else:  # the other label underlined
        y = other.bottom + 0.8  # below the label (its box holds the descenders)
        marks.stroke(image, [(other.x + 1.0, y), (other.x + min(other.w, 16.0), y)], dpi, pen=width, ink=pen.ink)


BESIDE = ("x_beside", "tick_label", "ring_label", "underline")


@pytest.mark.parametrize("chosen", [0, 1])
def test_a_mark_beside_the_other_box_or_on_its_label_stays_unsure(chosen):
    dpi, degrade = sheets.CONDITIONS["scan 200 dpi"]
    image = page(dpi)
    pen = sheets.Pen("black ballpoint", sheets.PENS["black ballpoint"][0], 0.4, 0.8)
    for item, kind in zip(ITEMS, BESIDE, strict=False):
        beside(image, item, dpi, kind, chosen, pen)
    reading = read(degrade(image, np.random.default_rng(9)))
    assert [(item.decision, item.why) for item in reading.items[:4]] == [(U, "stray")] * 4, reading.items[:4]


def _misread_beside(kinds, name, width, pressure, condition, seed) -> list:
    """Draw ``kinds`` (a mark beside the other box or on its label, a clear X with or without a dash in the gap)
    with this pen and degradation, read the sheet, and return what was decided against what was drawn."""
    dpi, degrade = sheets.CONDITIONS[condition]
    rng = np.random.default_rng(seed)
    pen = sheets.Pen(name, sheets.PENS[name][0], width, pressure)
    image = page(dpi)
    truth = []
    for item in ITEMS:
        kind, chosen = kinds[len(truth)], int(rng.integers(2))
        if kind in BESIDE:
            beside(image, item, dpi, kind, chosen, pen)
            truth.append({U})
            continue
        marks.cross(image, item.boxes[chosen], dpi, pen=pen.width, ink=pen.ink)
        if kind == "dash":
            _dash(image, item, dpi, pen, float(rng.uniform(-4.0, 2.8)), float(rng.uniform(-1.5, 1.5)))
        truth.append({U, (S, N)[chosen]})
    found, _why = reader.locate(degraded := degrade(image, rng))
    if found is None:
        return []  # a page not found is refused, never read wrong
    reading = reader.read(degraded, found, LAYOUT)
    return [(kind, want, item) for kind, want, item in zip(kinds, truth, reading.items, strict=False)
            if item.decision not in want]


# derandomize: the same examples in every run, so that the known blind spot (the strict xfails below) cannot
# fail the suite at random; to look for new cases, run it with derandomize=False and a higher max_examples
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
@given(kinds=st.lists(st.sampled_from([*BESIDE, "dash", "cross"]), min_size=len(ITEMS), max_size=len(ITEMS)),
       name=st.sampled_from(list(sheets.PENS)), width=st.floats(0.25, 0.8), pressure=st.floats(0.55, 1.0),
       condition=st.sampled_from(list(sheets.CONDITIONS)), seed=st.integers(0, 2**16))
def test_dashes_pass_and_marks_beside_the_boxes_never_do(kinds, name, width, pressure, condition, seed):
    """Whatever the pen and the degradation: a mark beside the other box or on its label is never decided;
    a dash beside a clear mark is decided, if at all, as the mark."""
    assert _misread_beside(kinds, name, width, pressure, condition, seed) == []


def _shape(kind: str, angle: float, length: float, width: float) -> np.ndarray:
    """A piece of ink drawn on a 20 mm square at the reader's scale (mm)."""
    scale = reader.SCALE
    canvas = np.zeros((round(20 * scale), round(20 * scale)), np.uint8)
    c, d = np.array([10.0, 10.0]), np.array([np.cos(np.radians(angle)), np.sin(np.radians(angle))])
    n = np.array([-d[1], d[0]])
    start, end = c - d * length / 2, c + d * length / 2
    segments = {"dash": [(start, end)], "x": [(start, end), (c - n * length / 2, c + n * length / 2)],
                "tick": [(start + n * length / 3, start), (start, end)]}
    thick = max(round(width * scale), 1)
    if kind == "dot":
        cv2.circle(canvas, tuple(np.round(c * scale).astype(int)), round(length / 2 * scale), 1, -1)
    for a, b in segments.get(kind, []):
        cv2.line(canvas, tuple(np.round(a * scale).astype(int)), tuple(np.round(b * scale).astype(int)), 1, thick)
    return canvas.astype(bool)


@settings(max_examples=60, deadline=None)
@given(kind=st.sampled_from(["dash", "x", "tick", "dot"]), angle=st.floats(0, 180),
       length=st.floats(2.5, 5.0), width=st.floats(0.25, 0.9))
def test_only_a_straight_thin_stroke_is_a_dash_whatever_its_angle(kind, angle, length, width):
    pieces = strays.pieces(_shape(kind, angle, length, width), np.zeros((120, 120), np.uint8), reader.SCALE)
    assert len(pieces) == 1 and pieces[0].touches == frozenset()
    assert pieces[0].dash == (kind == "dash"), (kind, pieces[0])


def test_a_tick_over_the_other_labels_words_stays_unsure():
    """Was a known blind spot: the label's words were left out of the stray search, so the boxes alone decided."""
    dpi, degrade = sheets.CONDITIONS["scan 200 dpi"]
    image = page(dpi)
    item = ITEMS[0]
    marks.cross(image, item.boxes[0], dpi, pen=0.5, ink=THICK.ink)
    label = item.labels[1].box
    marks.tick(image, Rect(label.x + 8.0, label.y + 0.5, 6.0, 6.0), dpi, pen=0.5, ink=THICK.ink)
    assert read(degrade(image, np.random.default_rng(2))).items[0].decision is U


def _over_words(image, label: Rect, dpi, style: str, pen: float, size: float = 5.0) -> None:
    """A ✓, an X or an underline over a label's words (inside its printed box), not in any box."""
    size = min(size, label.h - 1.0)
    where = Rect(label.x + label.w / 2 - size / 2, label.y + 0.5, size, size)
    if style == "tick":
        marks.tick(image, where, dpi, pen=pen, ink=THICK.ink)
    elif style == "cross":
        marks.cross(image, where, dpi, pen=pen, ink=THICK.ink)
    else:
        marks.stroke(image, [(label.x + 1.0, label.bottom - 0.5), (label.right - 1.0, label.bottom - 0.6)], dpi,
                     pen=pen, ink=THICK.ink)


@pytest.mark.parametrize("condition", list(sheets.CONDITIONS))
def test_a_mark_over_the_words_with_both_boxes_empty_is_never_read_blank(condition):
    """Found 2026-12-05: the labels were left out of every ink search, so a ✓ over 'Không hài lòng' with both
    boxes empty read BLANK and the sheet was stored (silently wrong)."""
    dpi, degrade = sheets.CONDITIONS[condition]
    image = page(dpi)
    drawn = [(0, "tick", 0.4, 5.0), (1, "tick", 0.3, 3.8), (0, "cross", 0.3, 3.8), (1, "cross", 0.4, 5.0),
             (0, "underline", 0.5, 0.0), (1, "underline", 0.3, 0.0)]
    for item, (number, style, pen, size) in zip(ITEMS, drawn, strict=True):
        _over_words(image, item.labels[number].box, dpi, style, pen, size)
    reading = read(degrade(image, np.random.default_rng(11)))
    assert [(item.decision, item.why) for item in reading.items] == [(U, "stray")] * len(drawn), reading.items


@pytest.mark.xfail(strict=True, reason="the same blind spot in a phone photo of a light pencil ✓ at the end of the "
                   "other label, beside an X (found by test_dashes_pass_and_marks_beside_the_boxes_never_do in CI)")
def test_a_light_pencil_tick_at_the_other_labels_end_in_a_photo_stays_unsure():
    kinds = ["x_beside", "tick_label", "x_beside", "x_beside", "x_beside", "x_beside"]
    assert _misread_beside(kinds, "pencil", 0.5, 0.5625, "phone photo", 0) == []


@pytest.mark.xfail(strict=True, reason="known blind spot (docs/benchmarks.md, scan accuracy): a light ✓ whose short "
                   "stroke lies on the other label's last letter, long stroke in the gap, is read as a dash there")
def test_a_tick_whose_short_stroke_hides_in_the_other_labels_print_stays_unsure():
    """Found by test_reader_adaptive (this page, these marks): X marks elsewhere raise the page's stroke level."""
    from .test_reader_adaptive import _extra

    dpi, degrade = sheets.CONDITIONS["scan 200 dpi"]
    rng = np.random.default_rng(1)
    pen = sheets.Pen("red ballpoint", sheets.PENS["red ballpoint"][0], 0.5, 0.5)
    image = page(dpi)
    for item, kind in zip(ITEMS, ["cross", "tick_label", "cross", "cross", "cross", "tick"], strict=True):
        (_extra if kind == "tick_label" else sheets.mark_item)(image, item, dpi, kind, pen, rng)
    assert read(degrade(image, rng)).items[1].decision is U
