"""Synthetic filled phiếu for the scan accuracy benchmark: random marks in random pens, then a condition's
degradation (office scan at 150/200/300 dpi, or phone photo).

Each item gets one *kind* of mark drawn from ``KINDS`` (weights as a village's stack might hold them) and a
truth: what a careful person keying the phiếu would enter (satisfied, not satisfied, blank). Kinds a person
would need to look at twice (a correction) keep the truth of the box left marked.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np

from survey_app.paper_scan.layout import ItemLayout

from . import marks, printed

SATISFIED, NOT_SATISFIED, BLANK = "satisfied", "not_satisfied", "blank"
TEMPLATE = "xa-ntm-2026"
#: kind -> share of items. A correction strikes one box out and marks the other; a stray stroke is drawn
#: beside a clear mark (across the question, or in the answer row between the labels).
KINDS = {"cross": 0.34, "tick": 0.30, "fill": 0.08, "dot": 0.06, "blank": 0.06, "correction": 0.01,
         "stray_question": 0.10, "stray_answers": 0.05}
#: Pens (one per household's sheet) as BGR colours, and the share of sheets written with each.
PENS = {"blue ballpoint": ((170, 60, 20), 0.45), "black ballpoint": ((30, 30, 30), 0.32),
        "red ballpoint": ((40, 40, 190), 0.05), "black felt tip": ((20, 20, 20), 0.10),
        "pencil": ((95, 95, 95), 0.08)}

LIGHT = 0.7  # a household pressing less than this has a light hand


@dataclass(frozen=True)
class Pen:
    name: str
    colour: tuple[int, int, int]
    width: float  # mm
    pressure: float  # 0.6 light … 1.0 firm: how close the ink gets to the pen's colour

    @property
    def ink(self) -> tuple[int, int, int]:
        return tuple(int(255 - (255 - c) * self.pressure) for c in self.colour)


def pen(rng: np.random.Generator) -> Pen:
    """A household's pen: its colour, a width of 0.3–0.8 mm and a hand pressing lightly to firmly."""
    names = list(PENS)
    shares = np.array([share for _colour, share in PENS.values()])
    name = names[int(rng.choice(len(names), p=shares / shares.sum()))]
    return Pen(name, PENS[name][0], float(rng.uniform(0.3, 0.8)), float(rng.uniform(0.6, 1.0)))


def _pressed(p: Pen, rng: np.random.Generator) -> Pen:
    """The same pen on one item: pressure varies a little from mark to mark."""
    return Pen(p.name, p.colour, p.width, float(np.clip(p.pressure + rng.uniform(-0.1, 0.1), 0.55, 1.0)))


def _clear(image, box, dpi, p: Pen, rng: np.random.Generator, style: str) -> None:
    if style == "cross":
        marks.cross(image, box, dpi, pen=p.width, ink=p.ink, spill=float(rng.uniform(-0.3, 1.2)))
    elif style == "tick":
        marks.tick(image, box, dpi, pen=p.width, ink=p.ink)
    elif style == "fill":
        marks.fill(image, box, dpi, ink=p.ink)
    else:
        marks.dot(image, box, dpi, radius=float(rng.uniform(1.2, 2.0)), ink=p.ink)


def _stray(image, item: ItemLayout, dpi, p: Pen, rng: np.random.Generator, where: str) -> None:
    if where == "question":
        line = item.question[int(rng.integers(len(item.question)))].box
        x = float(rng.uniform(line.x, max(line.right - 25, line.x + 1)))
        y = line.y + line.h * float(rng.uniform(0.3, 0.9))
        marks.stroke(image, [(x, y), (x + float(rng.uniform(8, 25)), y + float(rng.uniform(-2, 2)))], dpi,
                     pen=p.width, ink=p.ink)
    else:  # between the first label and the second box
        a, b = item.labels[0].box, item.boxes[1]
        x = float(rng.uniform(a.x, b.x - 3))
        y = b.y + b.h * float(rng.uniform(0.2, 0.8))
        marks.stroke(image, [(x, y), (x + 3.0, y + float(rng.uniform(-1.5, 1.5)))], dpi, pen=p.width, ink=p.ink)


def mark_item(image, item: ItemLayout, dpi: float, kind: str, household: Pen, rng: np.random.Generator) -> str:
    """Draw ``kind`` on ``item`` with the household's pen; return the truth."""
    p = _pressed(household, rng)
    if kind == "blank":
        return BLANK
    chosen = int(rng.integers(2))
    truth = SATISFIED if chosen == 0 else NOT_SATISFIED
    style = kind if kind in ("cross", "tick", "fill", "dot") else ("cross", "tick")[int(rng.integers(2))]
    if kind == "correction":
        marks.cross(image, item.boxes[1 - chosen], dpi, pen=p.width, ink=p.ink)
        marks.scribble(image, item.boxes[1 - chosen], dpi, pen=p.width, ink=p.ink)
    _clear(image, item.boxes[chosen], dpi, p, rng, style)
    if kind.startswith("stray_"):
        _stray(image, item, dpi, p, rng, kind.removeprefix("stray_"))
    return truth


def filled_sheet(dpi: int, rng: np.random.Generator) -> tuple[list[np.ndarray], list[tuple[str, str, str]], str]:
    """Every page of one household's phiếu (BGR), marked; (item key, kind, truth) per item; the pen and hand."""
    household = pen(rng)
    names, weights = list(KINDS), np.array(list(KINDS.values()))
    layout = printed.layout(TEMPLATE)
    pages, truth = [], []
    for page in layout.pages:
        image = cv2.cvtColor(printed.page_image(page.number, dpi, TEMPLATE), cv2.COLOR_GRAY2BGR)
        for item in page.items:
            kind = names[int(rng.choice(len(names), p=weights / weights.sum()))]
            truth.append((item.key, kind, mark_item(image, item, dpi, kind, household, rng)))
        pages.append(image)
    return pages, truth, f"{household.name} ({'light' if household.pressure < LIGHT else 'firm'} hand)"


def scan(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """An office scanner: grey or colour, a slight skew, now and then the sheet fed upside down."""
    turned = marks.rotate(image, float(rng.uniform(-2.0, 2.0)) + (180 if rng.random() < 0.1 else 0))
    noisy = marks.noisy(turned, float(rng.uniform(1.5, 4.0)), rng)
    return cv2.cvtColor(noisy, cv2.COLOR_BGR2GRAY) if rng.random() < 0.5 else noisy


def photo(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A phone photo: turned up to 15°, at an angle, blurred, unevenly lit, JPEG 60–85."""
    tilted = marks.rotate(image, float(rng.uniform(-15, 15)), scale=float(rng.uniform(0.8, 1.0)))
    angled = marks.perspective(tilted, float(rng.uniform(0.01, 0.05)), rng)
    blurred = cv2.GaussianBlur(marks.noisy(angled, float(rng.uniform(2, 6)), rng), (0, 0), float(rng.uniform(0.5, 1.4)))
    return marks.jpeg(marks.shaded(blurred, float(rng.uniform(0.05, 0.4))), int(rng.integers(60, 86)))


#: condition -> (dpi the page is printed and marked at, degradation)
CONDITIONS: dict[str, tuple[int, Callable[[np.ndarray, np.random.Generator], np.ndarray]]] = {
    "scan 150 dpi": (150, scan), "scan 200 dpi": (200, scan), "scan 300 dpi": (300, scan),
    "phone photo": (200, photo),
}
