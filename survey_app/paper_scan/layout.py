"""Where everything sits on the printed phiếu: the ONE geometry the printer draws and the reader measures.

``build_layout`` turns a survey's wording (template snapshot + the fixed Vietnamese texts) and a text
measure into a ``FormLayout``: pages of A4 in millimetres from the top-left corner, four registration
marks, the QR symbol, and for every item its two answer boxes (each left of its label), the answer row
checked for stray ink, and the "Lý do" writing area; the opinion box on the last page. Nothing that varies
per household (village, serial, code) moves anything: one survey has one layout, and its ``fingerprint``
(printed in every page's QR) lets the reader refuse a sheet printed from a different geometry.

Pure: no Flask, no database, no PDF library (the text measure is passed in).
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass

PAGE_W, PAGE_H = 210.0, 297.0
MARK_SIZE, MARK_INSET = 7.0, 8.0
LEFT, RIGHT, TOP, BOTTOM = 18.0, 192.0, 18.0, 276.0
QR_SIZE, QR_QUIET = 26.0, 4.0  # the symbol without its quiet zone, and the white kept around it
BOX = 7.0  # side of an answer box
BOX_LINE = 0.4  # its border
OPINION_H = 30.0
PT = 25.4 / 72  # millimetres per point
LEADING = 1.3
#: Font sizes tried, largest first; a one-page form is taken only at LARGE_ENOUGH or larger.
SIZES = (14.0, 13.0, 12.0, 11.0, 10.5, 10.0)
LARGE_ENOUGH = 12.0
SMALLEST = 9.5  # no text a household reads is smaller (the footer is for staff)

#: measure(text, size in points, bold) -> width in millimetres.
Measure = Callable[[str, float, bool], float]


@dataclass(frozen=True)
class Rect:
    """A rectangle in millimetres (x, y of the top-left corner)."""

    x: float
    y: float
    w: float
    h: float

    @property
    def right(self) -> float:
        return self.x + self.w

    @property
    def bottom(self) -> float:
        return self.y + self.h

    def grow(self, d: float) -> Rect:
        """The rectangle ``d`` mm larger on every side (smaller for a negative ``d``)."""
        return Rect(self.x - d, self.y - d, self.w + 2 * d, self.h + 2 * d)

    def rounded(self) -> list[float]:
        return [round(v, 2) for v in (self.x, self.y, self.w, self.h)]


@dataclass(frozen=True)
class Line:
    """A line of printed text: its box (text vertically centred in it), size in points, weight."""

    box: Rect
    text: str
    size: float
    bold: bool = False


@dataclass(frozen=True)
class ItemLayout:
    """One item: its question, its two boxes (satisfied, not satisfied) and their labels, its reason line."""

    key: str
    number: int
    page: int
    top: float  # the separator line above the item
    question: tuple[Line, ...]
    boxes: tuple[Rect, Rect]
    labels: tuple[Line, Line]
    #: The answer row: ink found in it off the boxes and labels (a circled label, a mark beside a box) is a doubt.
    answers: Rect
    reason_label: Line
    reason: Rect  # where a reason is written (kept as an image crop, never read by machine)


@dataclass(frozen=True)
class PageLayout:
    """One page: fixed header lines, per-household slots, items and (on the last page) the opinion box."""

    number: int
    header: tuple[Line, ...]
    #: Rectangles filled per household: "household" (serial and code), "place", "footer".
    slots: dict[str, Rect]
    items: tuple[ItemLayout, ...]
    opinion_label: Line | None = None
    opinion: Rect | None = None


@dataclass(frozen=True)
class Wording:
    """Every text whose size moves the geometry (Vietnamese, as printed)."""

    title: str
    purpose: str
    online: str  # how to answer on the web instead
    instruction: str  # "Đánh dấu X hoặc ✓ vào một ô…"
    satisfied: str
    not_satisfied: str
    reason: str
    opinion: str
    continued: str  # the header of pages after the first
    items: tuple[tuple[str, str], ...]  # (key, question)


MARKS = (Rect(MARK_INSET, MARK_INSET, MARK_SIZE, MARK_SIZE),
         Rect(PAGE_W - MARK_INSET - MARK_SIZE, MARK_INSET, MARK_SIZE, MARK_SIZE),
         Rect(PAGE_W - MARK_INSET - MARK_SIZE, PAGE_H - MARK_INSET - MARK_SIZE, MARK_SIZE, MARK_SIZE),
         Rect(MARK_INSET, PAGE_H - MARK_INSET - MARK_SIZE, MARK_SIZE, MARK_SIZE))
QR = Rect(RIGHT - QR_SIZE, TOP, QR_SIZE, QR_SIZE)


@dataclass(frozen=True)
class FormLayout:
    """The whole phiếu: the same marks and QR place on every page."""

    size: float
    pages: tuple[PageLayout, ...]
    fingerprint: str
    marks: tuple[Rect, ...] = MARKS
    qr: Rect = QR

    @property
    def items(self) -> tuple[ItemLayout, ...]:
        return tuple(item for page in self.pages for item in page.items)


def wrap(text: str, width: float, size: float, measure: Measure, bold: bool = False) -> list[str]:
    """Greedy word wrap to ``width`` mm; a word longer than the width is cut between characters."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if measure(candidate, size, bold) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        while measure(word, size, bold) > width and len(word) > 1:
            cut = len(word) - 1
            while cut > 1 and measure(word[:cut], size, bold) > width:
                cut -= 1
            lines.append(word[:cut])
            word = word[cut:]
        current = word
    if current:
        lines.append(current)
    return lines or [""]


def _lines(text: str, x: float, y: float, width: float, size: float, measure: Measure,
           bold: bool = False) -> tuple[list[Line], float]:
    """Wrapped lines from (x, y); return them and the y below the last."""
    height = size * PT * LEADING
    out = []
    for part in wrap(text, width, size, measure, bold):
        out.append(Line(Rect(x, y, width, height), part, size, bold))
        y += height
    return out, y


class _Builder:
    """Lays out items at one font size; ``pages`` is None when they do not fit ``max_pages``."""

    def __init__(self, wording: Wording, size: float, measure: Measure):
        self.w, self.size, self.measure = wording, size, measure
        small = max(size - 2, SMALLEST)
        self.label_w = (measure(wording.satisfied, size, False), measure(wording.not_satisfied, size, False))
        self.answers_w = 2 * BOX + 2 * 2.0 + 6.0 + sum(self.label_w)
        self.ax = RIGHT - self.answers_w
        self.number_w = measure(f"{len(wording.items)}.", size, True) + 1.5
        self.reason_label_w = measure(wording.reason, small, False) + 1.0
        self.reason_h = small * PT * 1.8

    def header(self) -> tuple[list[Line], dict[str, Rect], float]:
        """The first page's header; return its lines, the per-household slots and the y below it."""
        size, m = self.size, self.measure
        beside = QR.x - QR_QUIET - LEFT
        lines, y = _lines(self.w.title, LEFT, TOP, beside, size + 1, m, bold=True)
        line_h = size * PT * LEADING
        slots = {"place": Rect(LEFT, y + 1, beside, line_h), "household": Rect(LEFT, y + 1 + line_h, beside, line_h)}
        y = max(y + 1 + 2 * line_h, QR.bottom) + 2
        small = max(size - 3, SMALLEST)
        for text, text_size, bold in ((self.w.purpose, small, False), (self.w.online, small, False),
                                      (self.w.instruction, size, True)):
            more, y = _lines(text, LEFT, y, RIGHT - LEFT, text_size, m, bold)
            lines += more
            y += 1
        return lines, slots, y + 1

    def continued(self) -> tuple[list[Line], dict[str, Rect], float]:
        """A later page's header: the household slot, "continued", the instruction, beside the QR."""
        size, m = self.size, self.measure
        beside = QR.x - QR_QUIET - LEFT
        line_h = size * PT * LEADING
        slots = {"household": Rect(LEFT, TOP, beside, line_h)}
        lines, y = _lines(self.w.continued, LEFT, TOP + line_h + 1, beside, max(size - 2, SMALLEST), m)
        more, y = _lines(self.w.instruction, LEFT, y + 1, beside, size, m, bold=True)
        return lines + more, slots, max(y, QR.bottom) + 3

    def item(self, index: int, key: str, question: str, page: int, top: float) -> tuple[ItemLayout, float]:
        """One item from ``top``; return it and the y below it."""
        size, m = self.size, self.measure
        pad = 2.0
        x = LEFT + self.number_w
        lines, q_bottom = _lines(question, x, top + pad, self.ax - 5.0 - x, size, m)
        number = Line(Rect(LEFT, top + pad, self.number_w, lines[0].box.h), f"{index}.", size, True)
        by = top + pad + 0.5
        first = Rect(self.ax, by, BOX, BOX)
        label1 = Line(Rect(first.right + 2.0, by, self.label_w[0], BOX), self.w.satisfied, size)
        second = Rect(label1.box.right + 6.0, by, BOX, BOX)
        label2 = Line(Rect(second.right + 2.0, by, self.label_w[1], BOX), self.w.not_satisfied, size)
        ry = by + BOX + 1.5
        reason_label = Line(Rect(self.ax, ry, self.reason_label_w, self.reason_h), self.w.reason,
                            max(size - 2, SMALLEST))
        reason = Rect(self.ax + self.reason_label_w, ry, RIGHT - self.ax - self.reason_label_w, self.reason_h)
        answers = Rect(self.ax - 4.0, top + 1.0, RIGHT - self.ax + 4.0, ry - 0.3 - (top + 1.0))
        bottom = max(q_bottom + 1.0, reason.bottom + 1.0)
        return ItemLayout(key, index, page, top, (number, *lines), (first, second), (label1, label2), answers,
                          reason_label, reason), bottom

    def opinion_height(self) -> float:
        return self.size * PT * LEADING + 1.0 + OPINION_H + 2.0

    def pages(self, max_pages: int) -> list[PageLayout] | None:
        header, slots, y = self.header()
        pages: list[PageLayout] = []
        items: list[ItemLayout] = []
        for index, (key, question) in enumerate(self.w.items, 1):
            item, bottom = self.item(index, key, question, len(pages) + 1, y)
            if bottom > BOTTOM and items:
                pages.append(PageLayout(len(pages) + 1, tuple(header), slots, tuple(items)))
                header, slots, y = self.continued()
                items = []
                item, bottom = self.item(index, key, question, len(pages) + 1, y)
            if bottom > BOTTOM:
                return None
            items.append(item)
            y = bottom
        if y + self.opinion_height() > BOTTOM:
            pages.append(PageLayout(len(pages) + 1, tuple(header), slots, tuple(items)))
            header, slots, y = self.continued()
            items = []
        label = Line(Rect(LEFT, y + 1.0, RIGHT - LEFT, self.size * PT * LEADING), self.w.opinion, self.size, True)
        room = BOTTOM - 2.0 - (label.box.bottom + 1.0)  # the box takes the rest of the page, up to twice its least
        opinion = Rect(LEFT, label.box.bottom + 1.0, RIGHT - LEFT, min(max(room, OPINION_H), 2 * OPINION_H))
        pages.append(PageLayout(len(pages) + 1, tuple(header), slots, tuple(items), label, opinion))
        if len(pages) > max_pages:
            return None
        footer = Rect(LEFT, BOTTOM + 1.0, RIGHT - LEFT, 4.5)
        return [PageLayout(p.number, p.header, p.slots | {"footer": footer}, p.items, p.opinion_label, p.opinion)
                for p in pages]


def _attempts(count: int) -> Sequence[tuple[float, int]]:
    """(size, page limit) in order of preference: one page at a large size, else two, else as many as needed."""
    one = [(size, 1) for size in SIZES if size >= LARGE_ENOUGH]
    return [*one, *((size, 2) for size in SIZES), (SIZES[-1], count + 1)]


def fingerprint(size: float, pages: Sequence[PageLayout]) -> str:
    """Eight hex digits of SHA-256 over everything the reader measures."""
    geometry = {
        "size": size,
        "marks": [r.rounded() for r in MARKS],
        "qr": QR.rounded(),
        "pages": [{"items": [[i.key, [b.rounded() for b in i.boxes], i.answers.rounded(), i.reason.rounded()]
                             for i in page.items],
                   "opinion": page.opinion.rounded() if page.opinion else None} for page in pages],
    }
    return hashlib.sha256(json.dumps(geometry, sort_keys=True).encode()).hexdigest()[:8]


def build_layout(wording: Wording, measure: Measure) -> FormLayout:
    """The layout of a phiếu: the largest print that fits one page (or two, or more for a long template)."""
    for size, limit in _attempts(len(wording.items)):
        pages = _Builder(wording, size, measure).pages(limit)
        if pages is not None:
            return FormLayout(size, tuple(pages), fingerprint(size, pages))
    raise ValueError("an item does not fit on a page even at the smallest size")
