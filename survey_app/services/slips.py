"""Printable A4 sheets of cut-out household slips: QR of the /s/<code> link, short code, village, serial."""
from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import segno
from flask import current_app
from flask_babel import force_locale
from fpdf import FPDF

from ..errors import SurveyAppError
from ..exports.text import drawable, shorten
from ..formatting import date as format_date
from ..i18n import _
from .issuing import IssuedCode

#: Debian/Ubuntu package fonts-dejavu-core; override with SURVEY_SLIP_FONT / SURVEY_SLIP_FONT_BOLD.
DEFAULT_FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
DEFAULT_FONT_BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
MARGIN = 10.0  # mm around the sheet
COLUMNS, ROWS = 2, 5  # ten slips per A4 page
SLIP_W = (210.0 - 2 * MARGIN) / COLUMNS
SLIP_H = (297.0 - 2 * MARGIN) / ROWS
QR_SIZE = 34.0  # mm: readable by cheap phone cameras at arm's length
PAD = 3.0
#: Characters of a name measured at most: a name is cut to the slip's width anyway.
NAME_CHARS = 200


class SlipError(SurveyAppError):
    """The slips cannot be produced (e.g. the Unicode font is not installed)."""


def _fonts() -> tuple[str, str]:
    config = current_app.config
    regular = config.get("SURVEY_SLIP_FONT", DEFAULT_FONT)
    bold = config.get("SURVEY_SLIP_FONT_BOLD", DEFAULT_FONT_BOLD)
    for path in (regular, bold):
        if not Path(path).is_file():
            raise SlipError(_("Không tìm thấy phông chữ %(path)s để in phiếu có dấu tiếng Việt. Hãy cài "
                              "gói fonts-dejavu-core (apt-get install fonts-dejavu-core) hoặc đặt "
                              "SURVEY_SLIP_FONT.", path=path))
    return regular, bold


def _qr_png(url: str) -> io.BytesIO:
    """A crisp black-and-white PNG of the link (8 px per module, 4-module quiet zone)."""
    buffer = io.BytesIO()
    segno.make(url, error="m", micro=False).save(buffer, kind="png", scale=8, border=4)
    buffer.seek(0)
    return buffer


def _fit(pdf: FPDF, text: str, width: float, size: float, style: str = "", minimum: float = 6.0) -> str:
    """Choose the largest font size ≤ ``size`` at which ``text`` fits ``width``; cut it if even that fails."""
    while size > minimum:
        pdf.set_font("DejaVu", style, size)
        if pdf.get_string_width(text) <= width:
            return text
        size -= 0.5
    pdf.set_font("DejaVu", style, minimum)
    cut = len(text)
    while cut > 1 and pdf.get_string_width(shorten(text, cut)) > width:
        cut -= 1
    return shorten(text, cut)


def _slip(pdf: FPDF, slip: IssuedCode, x: float, y: float, texts: dict[str, str]) -> None:
    pdf.set_draw_color(120, 120, 120)
    with pdf.local_context():
        pdf.set_dash_pattern(dash=2, gap=1.5)
        pdf.rect(x, y, SLIP_W, SLIP_H)
    pdf.image(_qr_png(slip.url), x=x + PAD, y=y + PAD, w=QR_SIZE, h=QR_SIZE)
    left, width = x + QR_SIZE + 2 * PAD, SLIP_W - QR_SIZE - 3 * PAD
    lines = [
        (texts["heading"], 7.5, "", 4.0),
        (drawable(slip.village_name, NAME_CHARS), 11.0, "B", 5.5),
        (drawable(slip.commune_name, NAME_CHARS), 8.0, "", 4.5),
        (texts["code_label"], 7.5, "", 4.0),
        (slip.display, 17.0, "B", 8.0),
        (texts["serial"] % {"serial": slip.serial, "day": texts["deadline"]}, 9.0, "", 5.0),
    ]
    pdf.set_xy(left, y + PAD)
    for text, size, style, height in lines:
        fitted = _fit(pdf, text, width, size, style)
        pdf.set_x(left)
        pdf.cell(width, height, fitted, new_x="LEFT", new_y="NEXT")
    pdf.set_xy(x + PAD, y + QR_SIZE + PAD + 1.5)
    for line in (texts["line1"], texts["line2"]):
        fitted = _fit(pdf, line, SLIP_W - 2 * PAD, 7.5, "")
        pdf.set_x(x + PAD)
        pdf.cell(SLIP_W - 2 * PAD, 4.2, fitted, new_x="LEFT", new_y="NEXT")


def _texts(deadline: date | None) -> dict[str, str]:
    """The slip's wording, always in Vietnamese: it goes to households, whatever the staff's language."""
    host = urlsplit(current_app.config["SURVEY_PUBLIC_URL"]).netloc or current_app.config["SURVEY_PUBLIC_URL"]
    with force_locale("vi"):
        return {
            "heading": _("Ý kiến người dân về nông thôn mới"),
            "code_label": _("Mã hộ gia đình:"),
            # filled per slip below
            "serial": _("Phiếu số: %(serial)s · hạn trả lời %(day)s") if deadline else _("Phiếu số: %(serial)s"),
            "deadline": format_date(deadline) if deadline else "",
            "line1": _("Quét mã QR bằng điện thoại, hoặc vào %(host)s và nhập mã hộ.", host=host),
            "line2": _("Mỗi hộ trả lời một lần. Xin giữ kín mã, không cần ghi tên."),
            "title": _("Phiếu mã hộ gia đình"),
            "empty": _("Không có mã nào để in."),
        }


def render_slips_pdf(issued: Sequence[IssuedCode], deadline: date | None = None) -> bytes:
    """Lay out the slips ten to an A4 page, in the order given; return the PDF bytes.

    ``deadline``, the survey's last day, is printed beside the serial number.
    """
    regular, bold = _fonts()
    texts = _texts(deadline)
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_margins(MARGIN, MARGIN)
    pdf.add_font("DejaVu", "", regular)
    pdf.add_font("DejaVu", "B", bold)
    pdf.set_title(texts["title"])
    pdf.set_creator("survey_app")
    if not issued:
        pdf.add_page()
        pdf.set_font("DejaVu", "", 12)
        pdf.cell(0, 10, texts["empty"])
    for index, slip in enumerate(issued):
        position = index % (COLUMNS * ROWS)
        if position == 0:
            pdf.add_page()
        row, column = divmod(position, COLUMNS)
        _slip(pdf, slip, MARGIN + column * SLIP_W, MARGIN + row * SLIP_H, texts)
    return bytes(pdf.output())
