"""Property tests of the CSV imports: any file is either imported whole or refused with InputError."""
from __future__ import annotations

import csv
import io
import unicodedata
import uuid

from hypothesis import given, settings
from hypothesis import strategies as st

from survey_app.errors import InputError
from survey_app.extensions import db
from survey_app.services.units import (
    COMMUNE_COLUMNS,
    FRAME_ALIASES,
    FRAME_COLUMNS,
    MAX_HOUSEHOLDS_PER_VILLAGE,
    PROVINCE_COLUMNS,
    import_unit_files,
    read_frame,
)
from tests.production.helpers import row_counts

FUZZ = settings(max_examples=40)
CELL = st.one_of(
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30),
    st.text(alphabet="0123456789", min_size=1, max_size=6),
    st.sampled_from(["", " ", "01", "51", "21040", "1.269", "1,269", "-3", "0", "Xã", "\x00", '"', "\ufeff"]),
    st.builds(lambda ch, n: ch * n, st.sampled_from(["a", "ệ"]), st.integers(100, 400)),
)


def _csv(header: list[str], rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


NAME = st.one_of(st.sampled_from(["Quảng Ngãi", "Bình Sơn", "Thôn 1"]),
                 st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zs")), min_size=1,
                         max_size=30),
                 st.builds(lambda ch, n: ch * n, st.sampled_from(["a", "ệ"]), st.integers(30, 300)),
                 st.sampled_from(["A\x00B", "\u202eX"]))
#: Rows that pass the first checks, so that fuzzed values reach the database too.
PLAUSIBLE = {
    PROVINCE_COLUMNS: st.tuples(st.text(alphabet="0123456789", min_size=2, max_size=2), NAME, NAME, NAME),
    COMMUNE_COLUMNS: st.tuples(st.text(alphabet="0123456789", min_size=5, max_size=5), NAME, NAME, NAME,
                               st.sampled_from(["51", "01"])),
    FRAME_COLUMNS: st.tuples(st.text(alphabet="T0123456789", min_size=1, max_size=25), NAME,
                             st.integers(0, 5000).map(str)),
}


def _table(columns: tuple[str, ...]):
    well_formed = st.builds(_csv, st.just(list(columns)),
                            st.lists(PLAUSIBLE[columns].map(list), max_size=5, unique_by=lambda r: r[0]))
    header = st.one_of(st.permutations(list(columns)), st.lists(st.sampled_from([*columns, "extra", ""]),
                                                                max_size=6))
    odd = st.builds(_csv, header, st.lists(st.lists(CELL, min_size=len(columns) - 1,
                                                    max_size=len(columns) + 1), max_size=6))
    return st.one_of(well_formed, well_formed, odd)


RAW = st.one_of(st.binary(max_size=300), st.binary(max_size=40).map(lambda b: b"code,name\n" + b))


@FUZZ
@given(files=st.lists(st.one_of(_table(PROVINCE_COLUMNS), _table(PROVINCE_COLUMNS),
                                _table(COMMUNE_COLUMNS), RAW), min_size=1, max_size=3))
def test_unit_import_is_all_or_nothing(app, tmp_path, files):
    before = row_counts(app)
    paths = []
    for data in files:
        path = tmp_path / f"{uuid.uuid4().hex}.csv"
        path.write_bytes(data)
        paths.append(path)
    with app.app_context():
        try:
            counts = import_unit_files(paths)
        except InputError:
            db.session.rollback()
            assert row_counts(app) == before
            return
        db.session.commit()
    after = row_counts(app)
    assert after["province"] >= before["province"] and after["commune"] >= before["commune"]
    assert counts["provinces"] + counts["communes"] >= 0


@FUZZ
@given(data=st.one_of(_table(FRAME_COLUMNS), RAW))
def test_frame_reading_gives_rows_or_input_error(app, data):
    with app.app_context():
        try:
            rows = read_frame(data)
        except InputError as exc:
            assert str(exc)
            _assert_lines(data, exc)
            return
    assert rows and all(row.households > 0 and row.village_code and row.village_name for row in rows)


def _assert_lines(data: bytes | str, exc: InputError) -> None:
    """Each faulty line an InputError names is a line of the file."""
    if isinstance(data, bytes):
        data = data.decode("utf-16" if data.startswith((b"\xff\xfe", b"\xfe\xff")) else "utf-8", "replace")
    assert all(1 <= line <= max(1, len(data.splitlines())) for line, _message in exc.errors), exc.errors


def _plain(text: str) -> str:
    """Vietnamese without its diacritics, as typed on a keyboard without them."""
    text = unicodedata.normalize("NFKD", text).replace("đ", "d").replace("Đ", "D")
    return "".join(ch for ch in text if not unicodedata.combining(ch))


#: A column name as an office might type it: any alias, any case, with or without diacritics, odd spacing.
SPELLED = {column: st.builds(
    lambda name, case, plain, pad: pad[0] + case(_plain(name) if plain else name).replace(" ", pad[1]) + pad[2],
    st.sampled_from((column, *FRAME_ALIASES[column])),
    st.sampled_from([str.lower, str.upper, str.title, str]), st.booleans(),
    st.tuples(st.sampled_from(["", " ", "  "]), st.sampled_from([" ", "  ", "_"]), st.sampled_from(["", " "])),
) for column in (*FRAME_COLUMNS, "commune_code")}
VILLAGE = st.tuples(
    st.text(alphabet="TXK0123456789", min_size=1, max_size=20),
    st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zs", "Zl", "Zp")), min_size=1, max_size=40)
    .map(lambda name: unicodedata.normalize("NFC", name)).filter(lambda name: name == name.strip()),
    st.integers(1, MAX_HOUSEHOLDS_PER_VILLAGE),
    st.sampled_from(["21040", "21043"]),
)


@st.composite
def office_files(draw):
    """A well-formed frame as some office's spreadsheet saves it, and the rows it holds."""
    province = draw(st.booleans())
    columns = [*FRAME_COLUMNS, "commune_code"] if province else list(FRAME_COLUMNS)
    order = draw(st.permutations(columns))
    rows = draw(st.lists(VILLAGE, min_size=1, max_size=6,
                         unique_by=lambda v: (v[3], v[0]) if province else v[0]))
    delimiter = draw(st.sampled_from([",", ";", "\t"]))
    dotted = draw(st.booleans())
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=draw(st.sampled_from(["\n", "\r\n"])))
    writer.writerow([draw(SPELLED[column]) for column in order])
    for code, name, households, commune in rows:
        cells = {"village_code": code, "village_name": name, "commune_code": commune,
                 "households": f"{households:,}".replace(",", ".") if dotted else str(households)}
        writer.writerow([cells[column] for column in order])
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]))
    expected = [(code, name, households, commune if province else None) for code, name, households, commune in rows]
    return buffer.getvalue().encode(encoding), expected


@FUZZ
@given(office=office_files())
def test_frames_as_offices_save_them_are_read_exactly(app, office):
    data, expected = office
    with app.app_context():
        rows = read_frame(data)
    assert [(r.village_code, r.village_name, r.households, r.commune_code) for r in rows] == expected


def _damaged(data: bytes, cuts: list[tuple[int, bytes]]) -> bytes:
    for position, insert in cuts:
        position %= len(data) + 1
        data = data[:position] + insert + data[position + 1:]
    return data


INSERTS = st.one_of(st.binary(max_size=3), st.sampled_from([
    b",", b";", b'"', b"\n", b"\r", b"\t", b"0", b"\xef\xbb\xbf", "ệ".encode(), b"100001", b"99999999999", b"\x00"]))


@FUZZ
@given(office=office_files(), cuts=st.lists(st.tuples(st.integers(0, 400), INSERTS), min_size=1, max_size=4))
def test_a_damaged_frame_is_read_whole_or_refused_with_its_lines(app, office, cuts):
    data = _damaged(office[0], cuts)
    with app.app_context():
        try:
            rows = read_frame(data)
        except InputError as exc:
            assert exc.message and all(isinstance(message, str) and message for _line, message in exc.errors)
            _assert_lines(data, exc)
            return
    keys = [(row.commune_code, row.village_code) for row in rows]
    assert len(keys) == len(set(keys))
    assert all(1 <= row.households <= MAX_HOUSEHOLDS_PER_VILLAGE and 0 < len(row.village_code) <= 20
               and row.village_name for row in rows)
