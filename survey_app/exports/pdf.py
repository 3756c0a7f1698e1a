"""The PDF report, shaped like the Front's written report ("báo cáo kết quả lấy ý kiến").

I. process and dates; II. households, phiếu handed out, collected, missing, and results per item;
III. rules and verdict; IV. opinions and recommendations; V. integrity indicators. A Unicode font
(DejaVu) is embedded so every Vietnamese diacritic renders and can be searched and copied. Whatever residents
typed is shown on one line and a table cell holds a bounded text (cut with "…"), so that no answer can make
the report fail: the spreadsheet and the raw responses keep every text whole.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from flask import current_app
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from ..formatting import date as format_date
from ..formatting import datetime as format_datetime
from ..formatting import number, percent, zone_name
from ..formatting import threshold as format_threshold
from ..i18n import _, translate_text
from . import explain, labels
from .tables import item_names, not_answered, unit_names
from .text import ELLIPSIS, drawable, shorten
from .uncertainty import uncertainty

if TYPE_CHECKING:
    from ..services.opinions import OpinionSummary

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FAMILY = "DejaVu"
#: Above this many villages the report lists communes only; every village is in the spreadsheet.
MAX_VILLAGE_ROWS = 200
#: A table cell shows at most this many lines of text: even wrapped word by word, a row then stays far
#: shorter than a page (fpdf2 cannot split a row across pages).
MAX_CELL_LINES = 8
#: Characters of a cell measured at most (a longer text is cut before it is measured).
MAX_CELL_CHARS = 1000
#: How much of the survey's title the footer of each page shows.
FOOTER_TITLE = 90
CELL_PADDING = 0.8


def _day(iso: str | None) -> str:
    return format_date(date.fromisoformat(iso[:10])) if iso else "…"


def _moment(iso: str | None) -> str:
    return format_datetime(datetime.fromisoformat(iso)) if iso else "…"


class Report(FPDF):
    """An A4 report with the Front's heading, numbered pages and Vietnamese text."""

    def __init__(self, footer_text: str):
        super().__init__(orientation="P", unit="mm", format="A4")
        self.footer_text = footer_text
        config = current_app.config
        regular = (config.get("SURVEY_REPORT_FONT") or config.get("SURVEY_SLIP_FONT")
                   or FONT_DIR / "DejaVuSans.ttf")
        bold = (config.get("SURVEY_REPORT_FONT_BOLD") or config.get("SURVEY_SLIP_FONT_BOLD")
                or FONT_DIR / "DejaVuSans-Bold.ttf")
        self.add_font(FAMILY, "", str(regular))
        self.add_font(FAMILY, "B", str(bold))
        self.set_margins(18, 15, 15)
        self.set_auto_page_break(True, margin=15)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FAMILY, "", 7.5)
        self.cell(0, 5, drawable(self.footer_text), align="L")
        self.cell(0, 5, _("Trang %(page)s/{nb}", page=self.page_no()), align="R")

    def paragraph(self, content: str, *, size: float = 10.5, bold: bool = False, align: str = "J",
             height: float = 5.2) -> None:
        """A paragraph across the page."""
        self.set_font(FAMILY, "B" if bold else "", size)
        self.multi_cell(0, height, drawable(content), align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def heading(self, content: str) -> None:
        """A section heading (I., II., …)."""
        self.ln(2)
        self.paragraph(content, size=11.5, bold=True, align="L")
        self.ln(1)

    def grid(self, headers: Sequence[str], rows: Sequence[Sequence[object]], widths: Sequence[float],
             *, size: float = 8.5, align: Sequence[str] | None = None) -> bool:
        """A bordered table whose heading row repeats on each page; return whether a cell's text was cut."""
        self.set_font(FAMILY, "", size)
        align = align or ["L"] + ["R"] * (len(headers) - 1)
        room = [MAX_CELL_LINES * max(self.epw * w / sum(widths) - 2 * CELL_PADDING, 1.0) for w in widths]
        cut = False
        with self.table(col_widths=widths, text_align=align, line_height=size * 0.5, padding=CELL_PADDING,
                        headings_style=_heading_style(), repeat_headings=1) as table:
            head = table.row()
            for header in headers:
                head.cell(drawable(header))
            for values in rows:
                row = table.row()
                for value, space in zip(values, room, strict=False):
                    text, shortened = self.fitted(value, space)
                    row.cell(text)
                    cut = cut or shortened
        self.ln(2)
        return cut

    def fitted(self, value: object, space: float) -> tuple[str, bool]:
        """The cell's text, cut with "…" to the longest start that is at most ``space`` mm wide in the
        current font (the lines of the cell laid end to end); and whether it was cut."""
        whole = drawable(value)
        text = shorten(whole, MAX_CELL_CHARS)
        if self.get_string_width(text) > space:
            low, high = 0, len(text)
            while low < high:  # the longest cut that fits
                middle = (low + high + 1) // 2
                if self.get_string_width(shorten(text, middle)) <= space:
                    low = middle
                else:
                    high = middle - 1
            text = shorten(text, low) if low > len(ELLIPSIS) else ELLIPSIS
        return text, text != whole


def _heading_style():
    from fpdf.fonts import FontFace

    return FontFace(family=FAMILY, emphasis="BOLD", fill_color=(244, 244, 242))


def _front_heading(pdf: Report, document: Mapping) -> None:
    survey = document["survey"]
    pdf.set_font(FAMILY, "B", 9.5)
    top = pdf.get_y()
    pdf.multi_cell(80, 5, _("ỦY BAN MẶT TRẬN TỔ QUỐC VIỆT NAM") + "\n" + drawable(survey["unit_name"]).upper(),
                   align="C", new_x=XPos.RIGHT, new_y=YPos.TOP)
    pdf.set_xy(pdf.l_margin + 82, top)
    pdf.multi_cell(0, 5, _("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM") + "\n" + _("Độc lập – Tự do – Hạnh phúc"),
                   align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(6)
    pdf.paragraph(_("BÁO CÁO"), size=14, bold=True, align="C", height=7)
    pdf.paragraph(_("Kết quả lấy ý kiến sự hài lòng của người dân về kết quả xây dựng nông thôn mới"),
                  size=11.5, bold=True, align="C", height=6)
    pdf.paragraph(survey["title"], size=10.5, align="C")
    pdf.ln(3)


def _process(pdf: Report, document: Mapping) -> None:
    survey, coverage = document["survey"], document["coverage"]
    pdf.heading(_("I. QUÁ TRÌNH TỔ CHỨC LẤY Ý KIẾN"))
    pdf.paragraph(_("Mẫu phiếu: %(title)s (%(key)s, phiên bản %(version)s).",
                    title=translate_text(survey["template_title"]),
               key=survey["template_key"], version=survey["template_version"]))
    if survey.get("legal_basis"):
        pdf.paragraph(_("Căn cứ: %(basis)s", basis=translate_text(survey["legal_basis"])))
    pdf.paragraph(_("Thời gian lấy ý kiến: từ ngày %(start)s đến ngày %(end)s (không tính thứ Bảy, "
                    "Chủ nhật).", start=_day(survey["start_date"]), end=_day(survey["end_date"])))
    pdf.paragraph(_("Mở lấy ý kiến lúc %(opened)s; kết thúc lúc %(closed)s; công bố lúc %(published)s.",
               opened=_moment(survey.get("opened_at")), closed=_moment(survey.get("closed_at")),
               published=_moment(survey.get("published_at"))))
    pdf.paragraph(_("Múi giờ của các thời điểm trong báo cáo: %(zone)s.", zone=zone_name()), size=9)
    channels = ", ".join(_("%(channel)s: %(n)s phiếu", channel=labels.channel_label(c), n=number(n))
                         for c, n in coverage.get("channels", {}).items())
    pdf.paragraph(_("Hình thức: %(channels)s.", channels=channels or "–"))


def _unit_tables(pdf: Report, document: Mapping) -> None:
    """Phiếu per commune (when several) and per village (unless there are too many for a report)."""
    overall_key = (document.get("overall") or {}).get("item")
    tables = []
    if len(document["communes"]) > 1:
        tables.append((_("Xã"), document["communes"]))
    if len(document["villages"]) <= MAX_VILLAGE_ROWS:
        tables.append((_("Thôn"), document["villages"]))
    else:
        pdf.paragraph(_("Có %(n)s thôn: số liệu từng thôn có trong bảng tính (XLSX) kèm theo.",
                        n=number(len(document["villages"]))))
    for first, units in tables:
        rows = []
        for unit in units:
            overall = next((i for i in unit["items"] if i["key"] == overall_key), None)
            rows.append([unit["name"], number(unit["households"]), number(unit["handed_out"]),
                         number(unit["respondents"]), number(unit["missing"]), percent(unit["coverage"]),
                         percent(overall["rate"]) if overall else "–"])
        pdf.grid([first, *(labels.count_label(field, short=True) for field in
                           ("households", "handed_out", "respondents", "missing", "coverage")),
                  _("Hài lòng chung")], rows, (34, 11, 11, 11, 10, 12, 12))


def _collection(pdf: Report, document: Mapping) -> None:
    coverage = document["coverage"]
    pdf.heading(_("II. KẾT QUẢ LẤY Ý KIẾN"))
    pdf.paragraph(_("1. Số hộ và số phiếu"), bold=True)
    pdf.paragraph(_("Số hộ trong danh sách: %(households)s; số phiếu thu về: %(back)s; số hộ chưa trả lời: "
                    "%(not_answered)s; tỷ lệ hộ tham gia: %(rate)s. Số phiếu phát ra: %(out)s; số phiếu phát ra "
                    "chưa thu về: %(missing)s.",
                    households=number(coverage["households"]), back=number(coverage["respondents"]),
                    not_answered=number(not_answered(coverage)), rate=percent(coverage["rate"]),
                    out=number(coverage["handed_out"]), missing=number(coverage["missing"])))
    pdf.paragraph(labels.counts_note(), size=9)
    _unit_tables(pdf, document)
    pdf.paragraph(_("2. Kết quả theo từng nội dung"), bold=True)
    names = item_names(document)
    rows = [[names[item["key"]], number(item["satisfied"]),
             number(item["not_satisfied"]), number(item["blank"]), percent(item["rate"])]
            for item in document["items"]]
    pdf.grid([_("Nội dung"), _("Hài lòng"), _("Không hài lòng"), _("Không xác định"), _("Tỷ lệ")],
             rows, (52, 12, 12, 12, 12), align=["L", "R", "R", "R", "R"])
    statistics = uncertainty(document.get("overall"), coverage["households"], coverage["respondents"])
    if statistics:
        pdf.paragraph(_("3. Độ tin cậy của kết quả (thông tin bổ sung, không thay thế kết luận)"), bold=True)
        pdf.paragraph(statistics.bounds, bold=True)
        if statistics.assumption:
            pdf.paragraph(statistics.assumption)
        for sentence in statistics.model:
            pdf.paragraph("– " + sentence)


def _rules(pdf: Report, document: Mapping) -> None:
    pdf.heading(_("III. ĐỐI CHIẾU QUY ĐỊNH VÀ KẾT LUẬN"))
    units, items = unit_names(document), item_names(document)
    rows = [[labels.rule_label(r["kind"], r.get("subunit")), format_threshold(r["threshold"]),
             explain.deciding_numbers(r, units, items), labels.met_label(r["met"]),
             translate_text(r["source"]),
             labels.verified_label(r["verified"])] for r in document["rules"]]
    pdf.grid([_("Quy định"), _("Ngưỡng"), _("Số liệu quyết định"), _("Kết quả"), _("Căn cứ"),
              _("Tình trạng ngưỡng")], rows, (20, 9, 27, 10, 24, 10), align=["L", "R", "L", "C", "L", "L"])
    pdf.paragraph(_("Kết luận: %(verdict)s.", verdict=labels.verdict_label(document["verdict"])), size=11.5,
                  bold=True)
    pdf.paragraph(labels.verdict_sentence(document["verdict"], document.get("collecting_finished", True),
                                     document.get("quorum_met", True)))


def _opinions(pdf: Report, document: Mapping, summary: OpinionSummary) -> None:
    pdf.heading(_("IV. Ý KIẾN, KIẾN NGHỊ CỦA NGƯỜI DÂN"))
    pdf.paragraph(_("Có %(n)s phiếu ghi ý kiến khác.", n=number(summary.with_opinion)))
    names = item_names(document)
    reasons = [[name, number(summary.reasons_per_item[key])] for key, name in names.items()
               if summary.reasons_per_item.get(key)]
    if reasons:
        pdf.paragraph(_("Số lý do chưa hài lòng được ghi, theo nội dung:"))
        pdf.grid([_("Nội dung"), _("Số lý do")], reasons, (70, 15))
    if summary.frequent:
        pdf.paragraph(_("Các ý kiến được nêu nhiều nhất:"))
        if pdf.grid([_("Ý kiến"), _("Số phiếu")], [[text, number(n)] for text, n in summary.frequent], (75, 10)):
            pdf.paragraph(_("Ý kiến dài được rút ngắn, đánh dấu “…”; toàn văn có trong bảng tính và tệp phiếu trả "
                            "lời kèm theo."), size=9)


def _indicators(pdf: Report, document: Mapping, indicators: Sequence) -> None:
    pdf.heading(_("V. DẤU HIỆU CẦN KIỂM TRA"))
    if not indicators:
        pdf.paragraph(_("Không phát hiện dấu hiệu bất thường theo các chỉ báo tự động."))
        return
    units = unit_names(document)
    for indicator in indicators:
        title = labels.severity_label(indicator.severity) + ": " + explain.indicator_title(indicator.kind)
        sentence = explain.indicator_sentence(indicator.kind, indicator.subject, indicator.evidence, units)
        pdf.paragraph(f"– {title}. {sentence}")


def render_pdf(document: Mapping, opinions: OpinionSummary, indicators: Sequence = ()) -> bytes:
    """Build the report and return the PDF's bytes; ``opinions``: the residents' opinions counted
    (``services.opinions.summarise``)."""
    footer = _("%(title)s · lập lúc %(time)s", title=drawable(document["survey"]["title"], FOOTER_TITLE),
               time=_moment(document["generated_at"]))
    pdf = Report(footer)
    pdf.set_title(drawable(document["survey"]["title"]))
    pdf.set_author(_("Ủy ban Mặt trận Tổ quốc Việt Nam"))
    pdf.set_creation_date(datetime.fromisoformat(document["generated_at"]))
    pdf.add_page()
    _front_heading(pdf, document)
    _process(pdf, document)
    _collection(pdf, document)
    _rules(pdf, document)
    _opinions(pdf, document, opinions)
    _indicators(pdf, document, indicators)
    pdf.ln(6)
    pdf.set_x(pdf.l_margin + 95)
    pdf.multi_cell(0, 5, _("TM. BAN THƯỜNG TRỰC") + "\n\n\n\n", align="C", new_x=XPos.LMARGIN,
                   new_y=YPos.NEXT)
    return bytes(pdf.output())
