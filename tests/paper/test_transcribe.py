"""Handwriting on a scanned phiếu stored without review reaches a person (issue 17, item 3): the queue lists a
stored sheet with writing, the typed text becomes a new version of the phiếu (answers and tally unchanged, who
typed it in the version and the audit), a second click stores nothing more, hostile text never gives a 500,
and nothing changes after publication."""
from __future__ import annotations

import re

import cv2
import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bench.paper import marks
from survey_app.extensions import db
from survey_app.models import AuditEntry, Response, ScanPage, ScanStatus, Survey, User
from survey_app.services import paper, scan_queue, scan_transcribe, scans
from survey_app.services.responses import Submission
from survey_app.services.surveys import transition

from ..factories import make_survey
from ..production.helpers import together
from ..staff.accounts import token
from .scanning import DPI, _mark, _printed, client_of, png_bytes, send, statuses, survey_keys

QUEUE = "/staff/surveys/{sid}/scans/transcribe"


def _form(client, survey_id):
    html = client.get(QUEUE.format(sid=survey_id)).get_data(as_text=True)
    action = re.search(r'action="([^"]+/scans/transcribe/\d+)"', html).group(1)
    seen = re.search(r'name="seen" value="([^"]*)"', html).group(1)
    return html, action, seen


def _current(app, survey_id):
    """The survey's one phiếu: (current version number, its answers, reasons, opinion)."""
    with app.app_context():
        response = db.session.query(Response).filter_by(survey_id=survey_id).one()
        stored = paper.current_submissions([response.id])[response.id]
        return response.current_version, dict(stored.answers), dict(stored.reasons), stored.opinion


def test_a_sure_sheet_with_handwriting_is_listed_and_its_text_stored_once_as_a_new_version(app, runner, tmp_path):
    app.config["SURVEY_SCAN_WORKER"] = "none"
    survey_id, _issued, layout, sheets = _printed(app, runner, tmp_path, households=2)
    answers = [1] * len(layout.items)
    answers[1] = 2
    sheet = _mark(layout, sheets[0], answers)
    second = layout.items[1]
    marks.scribble(sheet[second.page - 1], second.reason, DPI)  # a reason written on item 2's line
    marks.scribble(sheet[-1], layout.pages[-1].opinion.grow(-3.0), DPI)  # and an opinion
    client = client_of(app, "canbo")
    send(client, survey_id, [(f"p{n}.png", png_bytes(page)) for n, page in enumerate(sheet, 1)])
    with app.app_context():
        scan_queue.drain()
    assert statuses(app, survey_id) == {"stored": len(sheet)}  # sure: stored without anybody looking
    before = _current(app, survey_id)
    assert before[0] == 1 and not before[2] and before[3] == ""
    assert 'data-count="transcribe">1' in client.get(f"/staff/surveys/{survey_id}/scans").get_data(
        as_text=True)
    html, action, seen = _form(client, survey_id)
    keys = survey_keys(app, survey_id)
    for part in (f"reason-{keys[1]}", "opinion"):
        crop = re.search(rf'src="([^"]+/{part})"', html).group(1)
        image = client.get(crop)
        assert image.status_code == 200 and image.data[:4] == b"\x89PNG", part
    assert f'name="reason-{keys[0]}"' not in html  # nothing written there: nothing to type
    typed = {"csrf_token": token(client), "seen": seen, "action": "save", f"reason-{keys[1]}": "  Đường lầy lội ",
             "opinion": "=Cần sửa cầu thôn"}
    assert client.post(action, data=typed).status_code == 303
    assert client.post(action, data=typed).status_code == 303  # a second click: said so, stores nothing more
    version, stored_answers, reasons, opinion = _current(app, survey_id)
    assert version == 2 and stored_answers == before[1]  # the answers, hence the tally, are unchanged
    assert reasons == {keys[1]: "Đường lầy lội"} and opinion == "=Cần sửa cầu thôn"
    with app.app_context():
        typist = db.session.query(User).filter_by(username="canbo").one()
        response = db.session.query(Response).one()
        assert response.versions[-1].created_by_id == typist.id and len(response.versions) == 2
        correct = db.session.query(AuditEntry).filter_by(action="paper.correct").one()
        done = db.session.query(AuditEntry).filter_by(action="paper.scan_transcribe").one()
        assert correct.actor_id == done.actor_id == typist.id and done.details["version"] == 2
        assert all(row.crops["transcribed"]["by"] == typist.id for row in db.session.query(ScanPage))
        assert scan_transcribe.queue(db.session.get(Survey, survey_id)) == []
    assert "Không còn phiếu nào có chữ viết tay chờ chép lại" in client.get(QUEUE.format(sid=survey_id)).get_data(
        as_text=True)
    assert 'data-count="transcribe">0<' in client.get(f"/staff/surveys/{survey_id}/scans").get_data(
        as_text=True)


def _stored_sheet(survey: Survey, serial: int, *, written=("opinion",)) -> int:
    """A household's sheet stored as a sure scan (the scan write path) with ink in ``written``; its code id."""
    code = paper.find_slip(survey, str(serial))
    keys = [item.key for item in survey.form.items]
    image = cv2.imencode(".png", np.full((1200, 900), 230, np.uint8))[1].tobytes()
    crops = {key: {"answers": [10, 10, 20, 8], "reason": [10, 20, 120, 8]} for key in keys}
    crops |= {"opinion": [10, 40, 150, 40], "writing": {key: 40.0 for key in written} | {keys[0]: 0.4}}
    row = ScanPage(survey_id=survey.id, household_code_id=code.id, page=1, pages=1, source=f"s{serial}.png#1",
                   file_sha256=f"{serial:064d}", file_page=1, status=ScanStatus.WAITING, crops=crops, image=image,
                   image_type="image/png")
    db.session.add(row)
    db.session.flush()
    scans.store_sheet(survey, code, [row], Submission({key: 1 for key in keys}), upload=None)
    return code.id


def test_only_sheets_with_writing_and_no_stored_text_wait(app):
    survey_id, _issued = make_survey(app, villages=(("T01", "Thôn Một", 4),))
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        keys = [item.key for item in survey.form.items]
        written = _stored_sheet(survey, 1)
        _stored_sheet(survey, 2, written=())  # faint ink only: nothing to type
        both = _stored_sheet(survey, 3, written=("opinion", keys[2]))
        db.session.commit()
        assert scan_transcribe.queue(survey) == [written, both]
        current = scan_transcribe.sheet(survey, both)
        assert [field.name for field in current.fields] == [f"reason-{keys[2]}", "opinion"]
        scan_transcribe.save(survey, both, current.row_ids, {}, actor=None, unreadable=True)
        db.session.commit()
        assert scan_transcribe.queue(survey) == [written]
        response = db.session.query(Response).filter_by(household_code_id=both).one()
        assert response.current_version == 1  # nothing could be read: no version, the sheet is closed
        assert db.session.query(AuditEntry).filter_by(action="paper.scan_transcribe").one().details["unreadable"]


def test_a_published_survey_refuses_in_words(app):
    survey_id, _issued = make_survey(app, villages=(("T01", "Thôn Một", 2),))
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        code_id = _stored_sheet(survey, 1)
        transition(survey, "close", actor_name="test")
        transition(survey, "publish", actor_name="test", waiver="Bản công bố của phép thử chép lại")
        db.session.commit()
    client = client_of(app, "canbo")
    html, action, seen = _form(client, survey_id)
    assert "số liệu đã công bố không thay đổi được nữa" in html and 'value="save"' not in html
    refused = client.post(action, data={"csrf_token": token(client), "seen": seen, "action": "save",
                                        "opinion": "Ý kiến"})
    assert refused.status_code == 422
    assert "Đợt khảo sát đã công bố kết quả" in refused.get_data(as_text=True)
    assert client.post(action, data={"csrf_token": token(client), "seen": seen,
                                     "action": "unreadable"}).status_code == 422
    assert _current(app, survey_id)[0] == 1
    with app.app_context():
        assert scan_transcribe.queue(db.session.get(Survey, survey_id)) == [code_id]


HOSTILE = st.one_of(
    st.text(max_size=60),
    st.builds(lambda prefix, rest: prefix + rest, st.sampled_from(["=", "+", "-", "@", "\t", "\r", "=cmd|'/c'!"]),
              st.text(max_size=40)),
    st.builds(lambda n, char: char * n, st.integers(1990, 10_000), st.sampled_from(["ý", "a", " ", "\u202e"])),
)


def test_hostile_text_never_gives_a_500_and_is_length_limited(app):
    survey_id, _issued = make_survey(app, villages=(("T01", "Thôn Một", 45),))
    client, serials = client_of(app, "canbo"), iter(range(1, 46))
    csrf = token(client)

    @settings(max_examples=35)
    @given(opinion=HOSTILE, reason=HOSTILE)
    @example(opinion="ý" * 2000, reason="=HYPERLINK(\"http://x\")" + "a" * 480)  # at the limits: stored
    @example(opinion="=" + "a" * 9999, reason="@SUM(A1)")  # 10,000 characters: refused in words
    def check(opinion, reason):
        with app.app_context():
            survey = db.session.get(Survey, survey_id)
            key = survey.form.items[1].key
            code_id = _stored_sheet(survey, next(serials), written=("opinion", key))
            db.session.commit()
            seen = scan_transcribe.sheet(survey, code_id).row_ids
        answer = client.post(QUEUE.format(sid=survey_id) + f"/{code_id}", data={
            "csrf_token": csrf, "seen": seen, "action": "save", "opinion": opinion, f"reason-{key}": reason})
        assert answer.status_code in (303, 400, 422), answer.status_code
        with app.app_context():
            response = db.session.query(Response).filter_by(household_code_id=code_id).one()
            stored = paper.current_submissions([response.id])[response.id]
        too_long = len(opinion.strip()) > 2000 or len(reason.strip()) > 500
        if answer.status_code == 303:
            assert not too_long and len(stored.opinion) <= 2000 and len(stored.reasons.get(key, "")) <= 500
            assert stored.opinion == (opinion.strip() or "") or not opinion.strip()
        else:
            assert response.current_version == 1
            if answer.status_code == 422 and too_long:
                assert "dài quá" in answer.get_data(as_text=True)

    check()


@pytest.mark.postgres
def test_simultaneous_saves_of_one_sheet_store_one_version(app):
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("PostgreSQL only: SQLite lets one writer at a time")
    survey_id, _issued = make_survey(app, villages=(("T01", "Thôn Một", 2),))
    with app.app_context():
        code_id = _stored_sheet(db.session.get(Survey, survey_id), 1)
        db.session.commit()
        seen = scan_transcribe.sheet(db.session.get(Survey, survey_id), code_id).row_ids
    count = 4

    def saving(index: int):
        return lambda: scan_transcribe.save(db.session.get(Survey, survey_id), code_id, seen,
                                            {"opinion": f"Ý kiến {index}"}, actor=None)

    raw = together(app, *map(saving, range(count)))
    outcomes = ["stored" if kind == "ok" else kind for kind, *_rest in raw]
    assert sorted(outcomes) == ["refused"] * (count - 1) + ["stored"], raw
    assert _current(app, survey_id)[0] == 2
    with app.app_context():
        assert db.session.query(AuditEntry).filter_by(action="paper.correct").count() == 1
