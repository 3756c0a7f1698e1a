"""`flask paper scan`: print, render, mark, scan; sure sheets stored as paper phiếu, doubtful ones queued."""
from __future__ import annotations

import cv2
import numpy as np
import pytest
from PIL import Image

from bench.paper import marks
from bench.paper.raster import pdf_pages
from survey_app.extensions import db
from survey_app.models import (
    AnswerValue,
    AuditEntry,
    Channel,
    KeyedEntry,
    Response,
    ScanPage,
    ScanStatus,
    Survey,
)

from ..factories import make_survey
from .test_print import _answer_online, _layout

DPI = 200


def _printed(app, runner, tmp_path, households: int = 4):
    survey_id, issued = make_survey(app, villages=(("T01", "Thôn Một", households),))
    out = tmp_path / "phieu.pdf"
    assert runner.invoke(args=["paper", "print", str(survey_id), "--out", str(out)]).exit_code == 0
    layout = _layout(app, survey_id)
    images = pdf_pages(out.read_bytes(), DPI)
    per = len(layout.pages)
    return survey_id, issued, layout, [images[i:i + per] for i in range(0, len(images), per)]


def _mark(layout, sheet, answers: list[int], doubt: int | None = None):
    """Mark each item's box for 1 (satisfied) or 2 (not satisfied), 0 left blank; ``doubt``: both boxes."""
    items = layout.items
    for item, value in zip(items, answers, strict=True):
        image = sheet[item.page - 1]
        if value:
            marks.cross(image, item.boxes[value - 1], DPI)
        if item.number == doubt:
            marks.cross(image, item.boxes[2 - value if value else 0], DPI)
    return sheet


def _save(folder, name, image):
    folder.mkdir(exist_ok=True)
    cv2.imwrite(str(folder / name), image)


def _pdf(path, images):
    pages = [Image.fromarray(image) for image in images]
    pages[0].save(path, save_all=True, append_images=pages[1:], resolution=DPI)


def test_scan_stores_sure_sheets_queues_doubts_and_never_counts_twice(app, runner, tmp_path):
    survey_id, issued, layout, sheets = _printed(app, runner, tmp_path)
    n = len(layout.items)
    assert len(layout.pages) == 2
    a_answers = [1, 2, 0] + [1] * (n - 3)
    a = _mark(layout, sheets[0], a_answers)
    b = _mark(layout, sheets[1], [1] * n, doubt=n)  # the last item (page 2) has both boxes marked
    c = _mark(layout, sheets[2], [2] * n)
    _answer_online(app, survey_id, issued[3])  # household D answered online first
    folder = tmp_path / "scans"
    folder.mkdir()
    _pdf(folder / "to-1.pdf", [a[1], marks.rotate(a[0], 180)])  # pages out of order, one upside down
    _save(folder, "b1.png", b[0])
    _save(folder, "b2.jpg", marks.rotate(b[1], 3))
    _save(folder, "c1.png", c[0])  # its page 2 comes later
    _save(folder, "d1.png", sheets[3][0])
    _save(folder, "trang-trang.png", np.full((800, 600), 255, np.uint8))
    result = runner.invoke(args=["paper", "scan", str(survey_id), str(folder)])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert lines[-1] == "stored 1, review 2, rejected 2", result.output
    assert any("qua mạng" in line and line.startswith("d1.png") for line in lines)
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        keys = [item["key"] for item in survey.template["items"]]
        responses = db.session.query(Response).all()
        assert len(responses) == 2  # D's web answer and A's scanned phiếu
        paper_response = next(r for r in responses if r.channel is Channel.PAPER)
        entry = db.session.query(KeyedEntry).one()
        assert entry.provenance == "scan" and entry.response_id == paper_response.id
        assert entry.answers == dict(zip(keys, a_answers, strict=True))
        assert len(entry.scan_images) == 2 and all(len(x.split("#")[0]) == 64 for x in entry.scan_images)
        current = {a.item_key: a.value for a in paper_response.versions[0].answers}
        assert current == {k: AnswerValue(v) for k, v in zip(keys, a_answers, strict=True)}
        review = db.session.query(ScanPage).filter_by(status=ScanStatus.REVIEW).all()
        assert sorted((row.source, row.problem) for row in review) == [("b1.png#1", ""), ("b2.jpg#1", "unsure")]
        doubtful = next(row for row in review if row.page == 2)
        assert doubtful.decisions[keys[-1]]["decision"] == "unsure" and doubtful.image[:4] == b"\x89PNG"
        assert doubtful.crops[keys[-1]]["answers"] and doubtful.crops["opinion"]
        waiting = db.session.query(ScanPage).filter_by(status=ScanStatus.WAITING).one()
        assert waiting.source == "c1.png#1"
        assert db.session.query(AuditEntry).filter_by(action="paper.scan").count() == 1

    again = runner.invoke(args=["paper", "scan", str(survey_id), str(folder)])
    assert again.output.strip().splitlines()[-2:] == ["skipped 7 pages read before", "stored 0, review 0, rejected 0"]

    later = tmp_path / "later"
    _save(later, "c2.png", c[1])  # C's missing page completes its sheet
    _save(later, "a-lan-hai.png", marks.rotate(a[0], -2))  # A scanned again: already counted
    result = runner.invoke(args=["paper", "scan", str(survey_id), str(later)])
    assert result.output.strip().splitlines()[-1] == "stored 1, review 0, rejected 1", result.output
    assert "đã có phiếu giấy" in result.output
    with app.app_context():
        assert db.session.query(Response).filter_by(channel=Channel.PAPER).count() == 2


def test_scan_is_refused_once_the_survey_is_published(app, runner, tmp_path):
    survey_id, _issued, layout, sheets = _printed(app, runner, tmp_path, households=1)
    _save(tmp_path / "s", "a.png", _mark(layout, sheets[0], [1] * len(layout.items))[0])
    assert runner.invoke(args=["survey", "close", str(survey_id)]).exit_code == 0
    assert runner.invoke(args=["survey", "publish", str(survey_id)]).exit_code == 0
    result = runner.invoke(args=["paper", "scan", str(survey_id), str(tmp_path / "s")])
    assert result.exit_code == 1 and "công bố" in result.output
    with app.app_context():
        assert db.session.query(ScanPage).count() == 0


def test_a_page_of_another_survey_is_rejected(app, runner, tmp_path):
    first, _issued, layout, sheets = _printed(app, runner, tmp_path, households=1)
    other, _ = make_survey(app, villages=(("T09", "Thôn Chín", 1),))
    folder = tmp_path / "s"
    ok, png = cv2.imencode(".png", sheets[0][0])
    folder.mkdir()
    (folder / "a.png").write_bytes(png.tobytes())
    result = runner.invoke(args=["paper", "scan", str(other), str(folder)])
    assert result.output.strip().splitlines()[-1] == "stored 0, review 0, rejected 1"
    assert "không phải phiếu của đợt khảo sát này" in result.output
    del first


def test_a_sheet_left_for_review_holds_back_publication(app, runner, tmp_path):
    survey_id, _issued, layout, sheets = _printed(app, runner, tmp_path, households=1)
    _save(tmp_path / "s", "a.png", _mark(layout, sheets[0], [1] * len(layout.items), doubt=1)[0])
    assert runner.invoke(args=["paper", "scan", str(survey_id), str(tmp_path / "s")]).output.strip().endswith(
        "stored 0, review 1, rejected 0")
    assert runner.invoke(args=["survey", "close", str(survey_id)]).exit_code == 0
    refused = runner.invoke(args=["survey", "publish", str(survey_id)])
    assert refused.exit_code == 1 and "1 phiếu quét chờ người xem" in refused.output


def test_a_sheet_answered_meanwhile_leaves_no_empty_batch_behind(app, runner, tmp_path):
    """The household answered online between reading and storing: the sheet is refused and the batch made
    for it is not left empty (an empty batch would hold back publication as unsettled paper work)."""
    from survey_app.errors import InputError
    from survey_app.models import KeyingBatch
    from survey_app.services.pending_work import pending_work
    from survey_app.services.responses import Submission, find_code
    from survey_app.services.scans import store_sheet

    survey_id, issued = make_survey(app, villages=(("T01", "Thôn Một", 2),))
    _answer_online(app, survey_id, issued[0])
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        keys = [item["key"] for item in survey.template["items"]]
        code = find_code(issued[0].display)
        with pytest.raises(InputError):
            store_sheet(survey, code, [], Submission(dict.fromkeys(keys, AnswerValue.SATISFIED),
                                                    channel=Channel.PAPER), upload=None, actor_name="test")
        db.session.commit()  # as the scan run does after refusing the sheet
        assert db.session.query(KeyingBatch).count() == 0
        assert not pending_work(survey)
