"""The printable, machine-readable paper phiếu: one A4 form (one or two pages) per household code.

Everything is drawn where ``paper_scan.layout`` says, so the reader measures the very boxes printed here:
four solid registration marks, the page's QR (household link + page + layout fingerprint), for every item
its two boxes each left of its label and a "Lý do" line, and the opinion box on the last page. Takes data,
returns PDF bytes (fpdf2, DejaVu for the Vietnamese diacritics, segno for the QR).
"""
from __future__ import annotations

import functools
import io
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import segno
from fpdf import FPDF

from ..paper_scan import payload
from ..paper_scan.layout import BOX_LINE, FormLayout, Line, Measure, PageLayout, Rect, Wording, build_layout
from .text import drawable

FAMILY = "DejaVu"


@dataclass(frozen=True)
class Household:
    """What is printed for one household: its slip's serial, code and link, and where it lives."""

    serial: int
    code: str  # as displayed, e.g. K7PX-3MQD-9T
    url: str
    village: str
    commune: str


@dataclass(frozen=True)
class SlotTexts:
    """Per-household lines, as %-format strings (Vietnamese)."""

    household: str  # %(serial)s %(code)s
    place: str  # %(village)s %(commune)s
    footer: str  # %(page)s %(pages)s %(serial)s
    title: str  # the PDF's title


def _pdf(fonts: tuple[str, str]) -> FPDF:
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0)
    pdf.add_font(FAMILY, "", fonts[0])
    pdf.add_font(FAMILY, "B", fonts[1])
    return pdf


@contextmanager
def text_measure(fonts: tuple[str, str]) -> Iterator[Measure]:
    """The width of a text in mm as fpdf2 draws it with these fonts (regular, bold); the fonts are closed after."""
    pdf = _pdf(fonts)

    def measure(text: str, size: float, bold: bool) -> float:
        pdf.set_font(FAMILY, "B" if bold else "", size)
        return pdf.get_string_width(text)

    try:
        yield measure
    finally:
        for font in pdf.fonts.values():
            font.close()


@functools.lru_cache(maxsize=64)
def form_layout(wording: Wording, fonts: tuple[str, str]) -> FormLayout:
    """The layout of a survey's phiếu with the texts measured in these fonts. Pure, so kept: loading the
    fonts to measure costs about 200 ms, and the scan pages ask for the layout on every view."""
    clean = Wording(**{name: drawable(getattr(wording, name)) for name in
                       ("title", "purpose", "online", "instruction", "satisfied", "not_satisfied", "reason",
                        "opinion", "continued")},
                    items=tuple((key, drawable(question)) for key, question in wording.items))
    with text_measure(fonts) as measure:
        return build_layout(clean, measure)


def _qr_png(text: str) -> io.BytesIO:
    """The QR symbol alone (no quiet zone: the layout keeps white paper around it)."""
    buffer = io.BytesIO()
    segno.make(text, error="m", micro=False).save(buffer, kind="png", scale=10, border=0)
    buffer.seek(0)
    return buffer


def _text(pdf: FPDF, line: Line, text: str | None = None) -> None:
    pdf.set_font(FAMILY, "B" if line.bold else "", line.size)
    pdf.set_xy(line.box.x, line.box.y)
    pdf.cell(line.box.w, line.box.h, line.text if text is None else text)


def _fit(pdf: FPDF, box: Rect, text: str, size: float, bold: bool = False) -> None:
    """One line in ``box``, at ``size`` or smaller so that it fits (never wrapping, never moving anything)."""
    style = "B" if bold else ""
    pdf.set_font(FAMILY, style, size)
    while size > 6 and pdf.get_string_width(text) > box.w:
        size -= 0.5
        pdf.set_font(FAMILY, style, size)
    while len(text) > 1 and pdf.get_string_width(text) > box.w:
        text = text[:-2] + "…"
    pdf.set_xy(box.x, box.y)
    pdf.cell(box.w, box.h, text)


def _page(pdf: FPDF, layout: FormLayout, page: PageLayout, home: Household, texts: SlotTexts) -> None:
    pdf.add_page()
    pdf.set_fill_color(0, 0, 0)
    for mark in layout.marks:
        pdf.rect(mark.x, mark.y, mark.w, mark.h, style="F")
    code = payload.encode(home.url, page.number, len(layout.pages), layout.fingerprint)
    pdf.image(_qr_png(code), x=layout.qr.x, y=layout.qr.y, w=layout.qr.w, h=layout.qr.h)
    for line in page.header:
        _text(pdf, line)
    values = {"serial": home.serial, "code": home.code, "village": drawable(home.village, 200),
              "commune": drawable(home.commune, 200), "page": page.number, "pages": len(layout.pages)}
    size = layout.size
    for name, text_size, bold in (("household", size, True), ("place", size, False), ("footer", 9.0, False)):
        if name in page.slots:
            _fit(pdf, page.slots[name], getattr(texts, name) % values, text_size, bold)
    pdf.set_line_width(BOX_LINE)
    pdf.set_draw_color(0, 0, 0)
    for item in page.items:
        _item(pdf, item)
    if page.opinion is not None and page.opinion_label is not None:
        _text(pdf, page.opinion_label)
        pdf.set_line_width(0.3)
        pdf.rect(page.opinion.x, page.opinion.y, page.opinion.w, page.opinion.h)


def _item(pdf: FPDF, item) -> None:
    if item.number > 1 or item.page > 1:
        pdf.set_draw_color(150, 150, 150)
        pdf.set_line_width(0.2)
        pdf.line(item.question[0].box.x, item.top, item.answers.right, item.top)
        pdf.set_draw_color(0, 0, 0)
    for line in item.question:
        _text(pdf, line)
    pdf.set_line_width(BOX_LINE)
    for box, label in zip(item.boxes, item.labels, strict=True):
        pdf.rect(box.x, box.y, box.w, box.h)
        _text(pdf, label)
    _text(pdf, item.reason_label)
    pdf.set_draw_color(120, 120, 120)
    with pdf.local_context():
        pdf.set_line_width(0.2)
        pdf.set_dash_pattern(dash=0.6, gap=0.8)
        pdf.line(item.reason.x, item.reason.bottom - 0.8, item.reason.right, item.reason.bottom - 0.8)
    pdf.set_draw_color(0, 0, 0)


def render_paper_forms(layout: FormLayout, households: Sequence[Household], texts: SlotTexts,
                       fonts: tuple[str, str], empty: str) -> bytes:
    """Every household's phiếu in the order given (all its pages together); ``empty`` when there is none."""
    pdf = _pdf(fonts)
    pdf.set_title(texts.title)
    pdf.set_creator("survey_app")
    if not households:
        pdf.add_page()
        pdf.set_font(FAMILY, "", 12)
        pdf.set_xy(20, 20)
        pdf.cell(0, 10, empty)
    for home in households:
        for page in layout.pages:
            _page(pdf, layout, page, home, texts)
    return bytes(pdf.output())
