"""Import administrative units (the format of shared/data/vn-units) and village frames."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from ..errors import InputError
from ..extensions import db
from ..formatting import number as format_number
from ..i18n import _
from ..models import Commune, Province, Village
from .csv_reading import parse_count, read_rows

PROVINCE_COLUMNS = ("code", "name", "full_name", "type")
COMMUNE_COLUMNS = ("code", "name", "full_name", "type", "province_code")
FRAME_COLUMNS = ("village_code", "village_name", "households")
#: Other names an office writes the frame's columns as (compared without case, diacritics or extra spaces).
FRAME_ALIASES = {
    "village_code": ("Mã thôn", "Mã số thôn", "Mã thôn, tổ dân phố", "Mã thôn/tổ dân phố"),
    "village_name": ("Tên thôn", "Tên thôn, tổ dân phố", "Tên thôn/tổ dân phố"),
    "households": ("Số hộ", "Số hộ gia đình", "Tổng số hộ"),
    "commune_code": ("Mã xã", "Mã số xã", "Mã xã, phường", "Mã xã/phường"),
}
#: The most households one village of a frame may have, wherever the frame comes from (a file, the console
#: form, ``flask survey create``): far above any real village, low enough that issuing its codes is bounded.
MAX_HOUSEHOLDS_PER_VILLAGE = 100_000


def households_problem(households: int) -> str | None:
    """Why a village's household count cannot be used in a frame, or None."""
    if households < 1 or households > MAX_HOUSEHOLDS_PER_VILLAGE:
        return _("số hộ phải từ 1 đến %(max)s", max=format_number(MAX_HOUSEHOLDS_PER_VILLAGE))
    return None


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _too_long(model, row: dict[str, str], columns: tuple[str, ...]) -> tuple[str, int] | None:
    """The first column whose value is longer than the database column holds, with that length."""
    for name in columns:
        limit = getattr(model.__table__.c[name].type, "length", None)
        if limit and len(row[name]) > limit:
            return name, limit
    return None


def import_unit_files(paths: list[Path]) -> dict[str, int]:
    """Import provinces and communes from CSV files, all or nothing; return counts per kind.

    A file is recognised by its header (communes have a province_code column). Raises InputError
    with every faulty line of every file; nothing is written then.
    """
    errors: list[tuple[int, int, str]] = []  # (file number, line, message naming file:line), sorted at the end
    found: dict[bool, dict[str, dict]] = {False: {}, True: {}}  # is_commune -> code -> row
    for number, path in enumerate(paths):
        data = Path(path).read_bytes()
        first = data.decode("utf-8-sig", errors="replace").split("\n", 1)[0].lower()
        is_commune = "province_code" in first
        try:
            _read_unit_file(data, Path(path).name, number, is_commune, found[is_commune], errors)
        except InputError as exc:
            errors.extend((number, line, f"{Path(path).name}:{line}: {message}" if line else message)
                          for line, message in (exc.errors or [(0, exc.message)]))
    provinces, communes = found[False], found[True]
    known = set(provinces) | set(db.session.execute(select(Province.code)).scalars())
    for row in communes.values():
        if row["province_code"] not in known:
            number, line, where = row["at"]
            errors.append((number, line, _("%(w)s: tỉnh %(p)s không có trong dữ liệu", w=where,
                                           p=row["province_code"])))
    if errors:
        raise InputError(_("Không nhập được đơn vị hành chính; chưa có gì được ghi."),
                         [(0, message) for _n, _l, message in sorted(errors)])
    for row in provinces.values():
        db.session.merge(Province(**{k: row[k] for k in PROVINCE_COLUMNS}))
    db.session.flush()
    for row in communes.values():
        db.session.merge(Commune(**{k: row[k] for k in COMMUNE_COLUMNS}))
    db.session.flush()
    return {"provinces": len(provinces), "communes": len(communes)}


def _read_unit_file(data: bytes, name: str, number: int, is_commune: bool, target: dict[str, dict],
                    errors: list[tuple[int, int, str]]) -> None:
    """Add the good rows of one provinces or communes file to ``target`` (by code), the faulty ones to
    ``errors``; InputError for a file that cannot be read at all."""
    columns = COMMUNE_COLUMNS if is_commune else PROVINCE_COLUMNS
    for line, row in read_rows(data, columns, source=name):
        where = f"{name}:{line}"
        problem = row.get("__error__") and f"{where}: {row['__error__']}"
        problem = problem or _unit_row_problem(row, where, is_commune, target)
        if problem:
            errors.append((number, line, problem))
        else:
            target[row["code"]] = {k: _nfc(row[k]) for k in columns} | {"at": (number, line, where)}


def _unit_row_problem(row: dict[str, str], where: str, is_commune: bool, seen: dict[str, dict]) -> str | None:
    """Why a row of a provinces or communes file cannot be imported (``where`` is its file:line), or None."""
    code, width = row["code"], 5 if is_commune else 2
    if not (code.isdigit() and len(code) == width):
        return _("%(w)s: mã “%(c)s” phải gồm %(n)s chữ số", w=where, c=code, n=width)
    if code in seen:
        return _("%(w)s: mã %(c)s bị trùng", w=where, c=code)
    if not row["name"]:
        return _("%(w)s: thiếu tên", w=where)
    columns = COMMUNE_COLUMNS if is_commune else PROVINCE_COLUMNS
    if too_long := _too_long(Commune if is_commune else Province, row, columns):
        return _("%(w)s: cột %(c)s dài quá %(n)s ký tự", w=where, c=too_long[0], n=too_long[1])
    return None


@dataclass(frozen=True)
class FrameRow:
    """One village of a survey frame as read from a CSV file."""

    line: int
    village_code: str
    village_name: str
    households: int
    commune_code: str | None = None


def read_frame(data: bytes | str, source: str = "frame.csv") -> list[FrameRow]:
    """Parse a frame CSV (village_code, village_name, households[, commune_code], or their Vietnamese names in
    ``FRAME_ALIASES``); all rows, or an InputError listing every faulty line."""
    rows, errors, seen = [], [], {}
    for line, row in read_rows(data, FRAME_COLUMNS, optional=("commune_code",), source=source,
                               aliases=FRAME_ALIASES):
        if "__error__" in row:
            errors.append((line, row["__error__"]))
            continue
        households = parse_count(row["households"])
        if households is None and re.fullmatch(r"[0-9]{10,100}", row["households"].strip()):
            households = int(row["households"].strip())  # a whole number, too large: said so, as a count
        key = (row.get("commune_code") or "", row["village_code"])
        if not row["village_code"] or len(row["village_code"]) > 20:
            errors.append((line, _("mã thôn trống hoặc dài quá 20 ký tự")))
        elif not row["village_name"]:
            errors.append((line, _("thiếu tên thôn")))
        elif len(row["village_name"]) > (limit := Village.__table__.c["name"].type.length):
            errors.append((line, _("tên thôn dài quá %(n)s ký tự", n=limit)))
        elif households is None or households == 0:
            errors.append((line, _("số hộ “%(v)s” phải là số nguyên dương", v=row["households"])))
        elif problem := households_problem(households):
            errors.append((line, _("%(problem)s (tệp ghi %(v)s)", problem=problem, v=row["households"])))
        elif key in seen:
            errors.append((line, _("thôn %(c)s bị lặp: đã có ở dòng %(first)s", c=row["village_code"],
                                   first=seen[key]) if not key[0] else
                           _("thôn %(c)s của xã %(commune)s bị lặp: đã có ở dòng %(first)s",
                             c=row["village_code"], commune=key[0], first=seen[key])))
        else:
            seen[key] = line
            rows.append(FrameRow(line, row["village_code"], _nfc(row["village_name"]), households,
                                 row.get("commune_code") or None))
    if errors:
        raise InputError(_("Danh sách thôn có lỗi; chưa có gì được ghi."), errors)
    if not rows:
        raise InputError(_("Danh sách thôn không có dòng nào."))
    return rows


def frame_problems(frame: list[FrameRow], unit_code: str, level: str) -> list[tuple[int, str]]:
    """(line, message) for each village of a new survey's frame that cannot be used: no commune (a province's
    frame), a bad household count, a village listed twice, a commune unknown or outside the surveyed unit."""
    errors, seen = [], {}
    for row in frame:
        commune_code = row.commune_code or (unit_code if level == "commune" else None)
        if commune_code is None:
            errors.append((row.line, _("khảo sát cấp tỉnh cần cột commune_code")))
            continue
        if (problem := households_problem(row.households)) is not None:
            errors.append((row.line, _("%(village)s: %(problem)s", village=row.village_name, problem=problem)))
        if (first := seen.setdefault((commune_code, row.village_code), row)) is not row:
            errors.append((row.line, _("thôn %(code)s · %(name)s có hai lần trong danh sách (lần đầu ở dòng "
                                       "%(first)s)", code=row.village_code, name=row.village_name,
                                       first=first.line)))
        elif problem := _commune_problem(commune_code, unit_code, level):
            errors.append((row.line, problem))
    return errors


def _commune_problem(commune_code: str, unit_code: str, level: str) -> str | None:
    commune = db.session.get(Commune, commune_code)
    if commune is None:
        return _("không có xã mã %(c)s trong danh mục đơn vị hành chính", c=commune_code)
    if (commune_code if level == "commune" else commune.province_code) != unit_code:
        return _("xã %(c)s không thuộc đơn vị được khảo sát", c=commune_code)
    return None


def upsert_village(commune_code: str, code: str, name: str, households: int) -> Village:
    """Create or update a village of a commune (flushes)."""
    village = db.session.execute(
        select(Village).where(Village.commune_code == commune_code, Village.code == code)
    ).scalar_one_or_none()
    if village is None:
        village = Village(commune_code=commune_code, code=code, name=name, households=households)
        db.session.add(village)
    else:
        village.name, village.households = name, households
    db.session.flush()
    return village
