"""Read CSV files strictly: a known header, errors with line numbers.

What spreadsheet programs write is accepted as it is: UTF-8 with or without Excel's byte order mark (and
Excel's UTF-16 "Unicode text"), a comma, semicolon (Excel on a PC with Vietnamese regional settings) or tab
between cells, column names in any case, with or without Vietnamese diacritics, and empty columns at the
right edge of the sheet.
"""
from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterator, Mapping

from ..errors import InputError
from ..i18n import _

#: Cell separators recognised from the header line; the most frequent one wins, a comma on a tie.
DELIMITERS = (",", ";", "\t")


def header_key(text: str) -> str:
    """A column name as compared: no diacritics (đ as d), lower case, ``_``/``-``/spaces as one space."""
    text = unicodedata.normalize("NFKD", text.replace("\ufeff", "")).replace("đ", "d").replace("Đ", "d")
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    return " ".join(re.split(r"[\s_\-]+", text)).strip()


def _text(data: bytes | str, source: str) -> str:
    """The file as text: UTF-8 (BOM or not), or UTF-16 with its BOM; refuse anything else and NUL."""
    if isinstance(data, bytes):
        encoding = "utf-16" if data.startswith((b"\xff\xfe", b"\xfe\xff")) else "utf-8-sig"
        try:
            data = data.decode(encoding)
        except UnicodeDecodeError as exc:
            raise InputError(_("Tệp %(name)s không phải UTF-8 (byte %(pos)s). Hãy lưu lại dưới dạng CSV UTF-8.",
                               name=source, pos=exc.start)) from exc
    data = data.removeprefix("\ufeff")
    if "\x00" in data:  # never text; PostgreSQL could not store it either
        raise InputError(_("Tệp %(name)s chứa ký tự NUL, không phải tệp CSV văn bản.", name=source))
    return data


def _delimiter(text: str, names: Mapping[str, str]) -> str:
    """The separator under which the header line names the most known columns; then the most frequent one."""
    first = next((line for line in io.StringIO(text, newline="") if line.strip()), "").rstrip("\r\n")

    def fit(delimiter: str) -> tuple[int, int]:
        try:
            cells = next(csv.reader([first], delimiter=delimiter), [])
        except csv.Error:
            cells = []
        return sum(header_key(cell) in names for cell in cells), first.count(delimiter)

    return max(DELIMITERS, key=fit)


def _columns(cells: list[str], required: tuple[str, ...], optional: tuple[str, ...],
             aliases: Mapping[str, tuple[str, ...]], names: Mapping[str, str], source: str,
             line: int) -> list[str]:
    """The column each header cell names (empty cells at the right edge dropped); InputError if unusable."""
    while cells and not cells[-1].strip():
        cells = cells[:-1]
    columns = [names.get(header_key(cell)) for cell in cells]
    missing = [c for c in required if c not in columns]
    unknown = [cell.strip() or "“”" for cell, column in zip(cells, columns, strict=True) if column is None]
    twice = sorted({c for c in columns if c is not None and columns.count(c) > 1})
    if missing or unknown or twice:
        spelled = ", ".join(f"{c} ({aliases[c][0]})" if aliases.get(c) else c for c in required + optional)
        detail = _("thiếu cột: %(m)s; cột lạ: %(u)s", m=", ".join(missing) or "–", u=", ".join(unknown) or "–")
        if twice:
            detail += "; " + _("cột có hai lần: %(t)s", t=", ".join(twice))
        raise InputError(_("Dòng tiêu đề của %(name)s phải có các cột %(columns)s.", name=source,
                           columns=spelled), [(line, detail)])
    return columns


def read_rows(data: bytes | str, required: tuple[str, ...], optional: tuple[str, ...] = (),
              source: str = "", aliases: Mapping[str, tuple[str, ...]] | None = None,
              ) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (line number, row) for each data row; raise InputError on an unusable file or header.

    ``aliases`` maps a column to other names it may be written as (compared like ``header_key``). A row
    with a wrong number of cells is yielded as ``{"__error__": message}`` so that callers list every line.
    """
    text = _text(data, source)
    aliases = aliases or {}
    names = {header_key(name): name for name in required + optional}
    names |= {header_key(alias): name for name, spelled in aliases.items() for alias in spelled}
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text, names))
    try:
        header = _header(reader, source)
        columns = _columns(header, required, optional, aliases, names, source, reader.line_num)
        line = reader.line_num + 1  # where the next record starts (a quoted cell may span lines)
        for row in reader:
            line, start = reader.line_num + 1, line
            if any(cell.strip() for cell in row):
                yield start, _cells(row, columns)
    except csv.Error as exc:
        too_long = "field larger" in str(exc)  # the one error a non-strict reader of NUL-free text raises
        raise InputError(_("Tệp %(name)s sai định dạng CSV.", name=source), [(reader.line_num, _(
            "ô dài quá %(n)s ký tự", n=csv.field_size_limit()) if too_long else _("dòng sai định dạng CSV"))],
        ) from exc


def _header(reader, source: str) -> list[str]:
    """The first non-blank record (blank lines above the header skipped); InputError for an empty file."""
    header = next(reader, None)
    while header is not None and not any(cell.strip() for cell in header):
        header = next(reader, None)
    if header is None:
        raise InputError(_("Tệp %(name)s trống.", name=source))
    return header


def _cells(row: list[str], columns: list[str]) -> dict[str, str]:
    """A record as {column: stripped cell}, or ``{"__error__": message}`` when its cells do not fit."""
    if len(row) > len(columns) and not any(cell.strip() for cell in row[len(columns):]):
        row = row[:len(columns)]  # empty cells at the right edge, as spreadsheets write them
    if len(row) != len(columns):
        unclosed = len(row) < len(columns) and any("\n" in cell or "\r" in cell for cell in row)
        return {"__error__": _("dấu ngoặc kép mở ở dòng này không được đóng") if unclosed
                else _("có %(n)s cột, cần %(m)s", n=len(row), m=len(columns))}
    return {column: cell.strip() for column, cell in zip(columns, row, strict=True)}


def parse_count(text: str) -> int | None:
    """A non-negative whole number, allowing thousands separators (``1.269``), or None."""
    text = text.replace(" ", "").replace("\u00a0", "")
    if not re.fullmatch(r"\d{1,9}|\d{1,3}([.,]\d{3}){1,2}", text):
        return None
    return int(re.sub(r"[.,]", "", text))
