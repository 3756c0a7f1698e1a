"""The results as an XLSX workbook: summary, items, villages (and communes), opinions, rules.

Numbers are stored as numbers; rates as fractions truncated to 4 decimals with a percent format, so
Excel shows 93.19 % and never rounds 89.996 % up to 90.00 %. Text a user typed is neutralised, on one
line and cut to what a cell takes (the raw responses keep it whole).
"""
from __future__ import annotations

import io
from collections.abc import Iterable, Mapping, Sequence

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from ..i18n import _
from ..services.opinions import OPINION
from . import labels
from .safe import sheet_text
from .tables import (
    Rate,
    item_headers,
    item_names,
    item_rows,
    rule_headers,
    rule_rows,
    summary_rows,
    unit_headers,
    unit_rows,
)
from .text import one_line

PERCENT = "0.00%"
COUNT = "#,##0"
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="F4F4F2")
WRAP = Alignment(wrap_text=True, vertical="top")
MIN_WIDTH, MAX_WIDTH = 6, 60


def _width(value: object) -> int:
    if isinstance(value, Rate):
        return 9
    if isinstance(value, int | float):
        return len(f"{value:,}") + 2
    return max((len(line) for line in str(value or "").splitlines()), default=0) + 2


def _cell(sheet, value: object, *, header: bool = False) -> WriteOnlyCell:
    if isinstance(value, Rate):
        cut = value.truncated(4)
        cell = WriteOnlyCell(sheet, value=None if cut is None else float(cut))
        cell.number_format = PERCENT
        return cell
    if isinstance(value, str):
        cell = WriteOnlyCell(sheet, value=sheet_text(value))
        if header:
            cell.font, cell.fill, cell.alignment = HEADER_FONT, HEADER_FILL, WRAP
        elif len(cell.value) > MAX_WIDTH:  # a long opinion wraps within its column
            cell.alignment = WRAP
        return cell
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, int) and not isinstance(value, bool):
        cell.number_format = COUNT
    return cell


def _sheet(book: Workbook, title: str, headers: Sequence[str], rows: Iterable[Sequence[object]], *,
           freeze: str = "A2", widths: Sequence[int] | None = None) -> None:
    """Add a sheet: a frozen bold header row, then the rows; column widths fit the content."""
    sheet = book.create_sheet(title)
    rows = rows if widths else list(rows)
    if widths is None:
        widths = [max([_width(h) for h in headers[i:i + 1]] + [_width(r[i]) for r in rows if i < len(r)])
                  for i in range(len(headers))]
    for index, width in enumerate(widths, 1):
        sheet.column_dimensions[get_column_letter(index)].width = max(MIN_WIDTH, min(MAX_WIDTH, width))
    sheet.freeze_panes = freeze
    sheet.print_title_rows = "1:1"
    sheet.append([_cell(sheet, h, header=True) for h in headers])
    for row in rows:
        sheet.append([_cell(sheet, value) for value in row])


def _opinion_sheet_rows(opinions: Iterable[Sequence[str]], names: Mapping[str, str]):
    for number, (commune, code, name, kind, item, text) in enumerate(opinions, 1):
        what = _("Ý kiến khác") if kind == OPINION else _("Lý do chưa hài lòng")
        yield [number, commune, code, name, what, names.get(item, item), text]


def render_xlsx(document: Mapping, opinions: Iterable[Sequence[str]]) -> bytes:
    """Build the workbook and return its bytes. ``opinions``: the rows (commune code, village code, village
    name, kind, item key, text) of ``services.opinions.opinion_rows``, read once, as they come."""
    book = Workbook(write_only=True)
    book.properties.creator = _("Ủy ban Mặt trận Tổ quốc Việt Nam")
    book.properties.title = one_line(document["survey"]["title"], 255)
    _sheet(book, _("Tổng hợp"), [_("Chỉ tiêu"), _("Giá trị")], summary_rows(document))
    _sheet(book, _("Theo nội dung"), item_headers(), item_rows(document), freeze="C2")
    _sheet(book, _("Theo thôn"), unit_headers(document, "villages"), unit_rows(document, "villages"),
           freeze="D2")
    if len(document.get("communes", [])) > 1:
        _sheet(book, _("Theo xã"), unit_headers(document, "communes"), unit_rows(document, "communes"),
               freeze="C2")
    _sheet(book, _("Ý kiến"), [_("STT"), _("Mã xã"), _("Mã thôn"), _("Tên thôn"), _("Loại"), _("Nội dung"),
                               _("Ý kiến của người dân")],
           _opinion_sheet_rows(opinions, item_names(document)), widths=[7, 8, 10, 24, 20, 30, 80])
    _sheet(book, _("Quy định"), rule_headers(), rule_rows(document), freeze="B2")
    notes = [[_("Tỷ lệ được cắt bớt sau hai chữ số thập phân, không làm tròn lên; kết luận dựa trên số đếm "
                "chính xác.")],
             [labels.counts_note()],
             [_("Kết luận: %(verdict)s", verdict=labels.verdict_label(document["verdict"]))]]
    _sheet(book, _("Ghi chú"), [_("Ghi chú")], notes)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
