"""Property tests of the CSV imports: any file is either imported whole or refused with InputError."""
from __future__ import annotations

import csv
import io
import uuid

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from survey_app.errors import InputError
from survey_app.extensions import db
from survey_app.services.units import (
    COMMUNE_COLUMNS,
    FRAME_COLUMNS,
    PROVINCE_COLUMNS,
    import_unit_files,
    read_frame,
)
from tests.production.conftest import row_counts

FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
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
            return
    assert rows and all(row.households > 0 and row.village_code and row.village_name for row in rows)
