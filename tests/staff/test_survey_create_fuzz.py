"""Property test of the new-survey form: whatever a browser (or a forger) posts, including attached files and the
carried file of a preview, the answer is a page or a redirect, never a 500, and only a whole survey is stored."""
from __future__ import annotations

import io
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import FrameVillage, Survey
from survey_app.services.units import MAX_HOUSEHOLDS_PER_VILLAGE, upsert_village
from survey_app.staff._frame import pack
from tests.production.test_fuzz_imports import INSERTS, _damaged, office_files
from tests.production.test_fuzz_resident import HUGE_TEXT, ODD_TEXT

from .accounts import token

FUZZ = settings(max_examples=50)


@pytest.fixture
def console(app, as_user, monkeypatch):
    """A commune's staff on the form, with three villages in the commune's list; today is 1 February 2026."""
    from survey_app.services import surveys

    monkeypatch.setattr(surveys, "vietnam_today", lambda: date(2026, 2, 1))
    with app.app_context():
        ids = [upsert_village("21040", f"T0{n}", f"Thôn {n}", 10 * n).id for n in (1, 2, 3)]
        db.session.commit()
    client = as_user("staff_commune")
    return client, token(client), ids


TEXT = st.one_of(ODD_TEXT, HUGE_TEXT)
FILES = st.one_of(
    office_files().map(lambda office: office[0]),
    st.builds(_damaged, office_files().map(lambda office: office[0]),
              st.lists(st.tuples(st.integers(0, 400), INSERTS), min_size=1, max_size=3)),
    st.binary(max_size=300),
)


def _any(valid: list[str]):
    """One of the valid values, or anything."""
    return st.one_of(st.sampled_from(valid), TEXT)


@st.composite
def new_survey_posts(draw, ids: list[int]):
    """The fields of one POST of the form: any button, villages real, repeated or made up, files of any kind.

    Half the posts are otherwise clean (so that they get as far as creating the survey) and differ only in
    the villages of the table; the others may have anything anywhere.
    """
    clean = draw(st.booleans())
    pick = st.sampled_from if clean else _any
    data = {"unit_code": draw(pick(["21040"] if clean else ["21040", "51", ""])),
            "template": draw(pick(["xa-ntm-2026"] if clean else ["xa-ntm-2026", "tinh-2021"])),
            "start": draw(pick(["2026-03-02", "2026-02-01"] if clean else ["2026-03-02", "2020-01-01", "9999-12-31"])),
            "margin": draw(pick(["0.05", "0.03"] if clean else ["0.05", "0.5"]))}
    village_ids = pick([*map(str, ids), *([] if clean else ["", "0", "-1", "99999999999999999999"])])
    households = st.integers(1, 500).map(str) if clean else st.one_of(
        st.integers(-5, MAX_HOUSEHOLDS_PER_VILLAGE + 5).map(str), st.integers(0, 10**30).map(str), TEXT)
    for n in range(draw(st.integers(0, 4))):
        data[f"villages-{n}-village_id"] = draw(village_ids)
        if clean or draw(st.booleans()):
            data[f"villages-{n}-include"] = draw(pick(["y"]))
        data[f"villages-{n}-households"] = draw(households)
    if not clean and draw(st.booleans()):
        data["frame"] = (io.BytesIO(draw(FILES)), draw(st.sampled_from(["f.csv", "../../x.csv", "", "ệ.csv"])))
    if not clean and draw(st.booleans()):
        data["frame_name"] = draw(_any(["f.csv", ""]))
        data["frame_data"] = draw(st.one_of(FILES.map(pack), st.sampled_from(["", "QUJD", "!!"]), TEXT))
    button = "create" if clean else draw(st.sampled_from(["create", "preview", "drop_frame", None]))
    if button:
        data[button] = draw(pick(["1"]))
    return data


@FUZZ
@given(data=st.data())
def test_no_new_survey_post_fails_or_stores_half(app, console, data):
    client, csrf, ids = console
    form = data.draw(new_survey_posts(ids)) | {"csrf_token": csrf}
    with app.app_context():
        before = db.session.execute(select(func.count()).select_from(Survey)).scalar_one()
    answer = client.post("/staff/surveys/new?unit=21040", data=form, content_type="multipart/form-data")
    assert answer.status_code in (200, 302, 400, 403, 413, 422), answer.status_code
    with app.app_context():
        surveys = db.session.execute(select(Survey).order_by(Survey.id)).scalars().all()
        assert len(surveys) == before + (answer.status_code == 302)
        for survey in surveys:
            frame = db.session.execute(select(FrameVillage).where(FrameVillage.survey_id == survey.id)).scalars().all()
            assert frame and all(1 <= f.households <= MAX_HOUSEHOLDS_PER_VILLAGE for f in frame)
