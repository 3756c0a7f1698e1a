"""Read CSV files strictly: UTF-8 (with or without BOM), a known header, errors with line numbers."""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator

from ..errors import InputError
from ..i18n import _


def read_rows(data: bytes | str, required: tuple[str, ...], optional: tuple[str, ...] = (),
              source: str = "") -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (line number, row) for each data row; raise InputError on an unusable file or header."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InputError(_("Tệp %(name)s không phải UTF-8 (byte %(pos)s). Hãy lưu lại dưới dạng CSV UTF-8.",
                               name=source, pos=exc.start)) from exc
    data = data.removeprefix("\ufeff")
    if "\x00" in data:  # never text; PostgreSQL could not store it either
        raise InputError(_("Tệp %(name)s chứa ký tự NUL, không phải tệp CSV văn bản.", name=source))
    reader = csv.reader(io.StringIO(data, newline=""))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise InputError(_("Tệp %(name)s trống.", name=source)) from None
    missing = [c for c in required if c not in header]
    unknown = [c for c in header if c not in required and c not in optional]
    if missing or unknown:
        raise InputError(
            _("Dòng tiêu đề của %(name)s phải có các cột %(columns)s.", name=source,
              columns=", ".join(required + optional)),
            [(1, _("thiếu cột: %(m)s; cột lạ: %(u)s", m=", ".join(missing) or "–", u=", ".join(unknown) or "–"))],
        )
    try:
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            line = reader.line_num
            if len(row) != len(header):
                yield line, {"__error__": _("có %(n)s cột, cần %(m)s", n=len(row), m=len(header))}
                continue
            yield line, {h: cell.strip() for h, cell in zip(header, row, strict=True)}
    except csv.Error as exc:
        raise InputError(_("Tệp %(name)s sai định dạng CSV.", name=source), [(reader.line_num, str(exc))]) from exc


def parse_count(text: str) -> int | None:
    """A non-negative whole number, allowing thousands separators (``1.269``), or None."""
    text = text.replace(" ", "").replace("\u00a0", "")
    if not re.fullmatch(r"\d{1,9}|\d{1,3}([.,]\d{3}){1,2}", text):
        return None
    return int(re.sub(r"[.,]", "", text))
