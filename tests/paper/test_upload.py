"""Console upload of scans: files kept and pages queued at once, read by a worker, counted on the progress page."""
from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from survey_app.extensions import db
from survey_app.models import AuditEntry, Channel, Response, ScanFile, ScanPage, Survey
from survey_app.services import scan_queue

from .scanning import _mark, _printed, client_of, pdf_bytes, png_bytes, send, statuses, tiff_bytes


def _drain(app) -> int:
    with app.app_context():
        return scan_queue.drain()


def test_upload_returns_at_once_and_a_worker_reads_what_was_sent(app, runner, tmp_path):
    app.config["SURVEY_SCAN_WORKER"] = "none"
    survey_id, _issued, layout, sheets = _printed(app, runner, tmp_path, households=2)
    n = len(layout.items)
    a = _mark(layout, sheets[0], [1] * (n - 1) + [2])
    b = _mark(layout, sheets[1], [2] * n, doubt=1)
    client = client_of(app, "canbo")
    files = [("to-1.pdf", pdf_bytes([a[1], a[0]])), ("b.tif", tiff_bytes(b)),
             ("trang.png", png_bytes(np.full((900, 640), 255, np.uint8))), ("ghi-chu.pdf", b"not a pdf at all")]
    sent = send(client, survey_id, files)
    assert sent.status_code == 303
    assert statuses(app, survey_id) == {"queued": 5}  # nothing read within the request
    page = client.get(f"/staff/surveys/{survey_id}/scans").get_data(as_text=True)
    assert 'http-equiv="refresh"' in page and 'data-count="unread">5<' in page
    assert "Đã nhận 5 trang" in page and "“ghi-chu.pdf” không phải tệp PDF, JPEG, PNG hay TIFF" in page

    assert _drain(app) == 5
    assert statuses(app, survey_id) == {"stored": 2, "review": 2, "rejected": 1}
    page = client.get(f"/staff/surveys/{survey_id}/scans").get_data(as_text=True)
    assert 'http-equiv="refresh"' not in page
    assert 'data-count="review">1' in page and "trang.png#1" in page and "không thấy mã QR" in page
    with app.app_context():
        response = db.session.query(Response).one()
        assert response.channel is Channel.PAPER
        assert all(f.data is None for f in db.session.query(ScanFile))  # read: the pages keep their own images
        assert db.session.query(AuditEntry).filter_by(action="paper.upload").one().details["pages"] == 5
        stored = db.session.query(ScanPage).filter_by(status="stored").all()
        assert {row.upload_id for row in stored} == {db.session.query(ScanFile).first().upload_id}

    again = send(client, survey_id, files[:1])
    assert again.status_code == 303
    assert "đã được gửi trước đó" in client.get(f"/staff/surveys/{survey_id}/scans").get_data(as_text=True)
    assert sum(statuses(app, survey_id).values()) == 5


def test_too_large_a_sending_is_refused_with_a_clear_message(app, runner, tmp_path):
    survey_id, *_rest = _printed(app, runner, tmp_path, households=1)
    client = client_of(app, "canbo")
    app.config["MAX_CONTENT_LENGTH"] = 256 * 1024  # small: the test client keeps the body in memory
    refused = send(client, survey_id, [("lon.pdf", b"%PDF-" + b"0" * (300 * 1024))])
    assert refused.status_code == 413
    assert "vượt quá 0.25 MB" in refused.get_data(as_text=True)
    assert statuses(app, survey_id) == {}


def test_a_sending_without_files_or_after_publication_queues_nothing(app, runner, tmp_path):
    survey_id, _issued, layout, sheets = _printed(app, runner, tmp_path, households=1)
    client = client_of(app, "canbo")
    assert send(client, survey_id, []).status_code == 303
    assert "Hãy chọn ít nhất một tệp" in client.get(f"/staff/surveys/{survey_id}/scans").get_data(as_text=True)
    for action in ("close", "publish"):
        assert runner.invoke(args=["survey", action, str(survey_id)]).exit_code == 0
    send(client, survey_id, [("a.png", png_bytes(sheets[0][0]))])
    assert "công bố" in client.get(f"/staff/surveys/{survey_id}/scans").get_data(as_text=True)
    assert statuses(app, survey_id) == {}


def test_unread_pages_hold_back_publication(app, runner, tmp_path):
    app.config["SURVEY_SCAN_WORKER"] = "none"
    survey_id, _issued, layout, sheets = _printed(app, runner, tmp_path, households=1)
    send(client_of(app, "canbo"), survey_id, [("a.png", png_bytes(sheets[0][0]))])
    assert runner.invoke(args=["survey", "close", str(survey_id)]).exit_code == 0
    refused = runner.invoke(args=["survey", "publish", str(survey_id)])
    assert refused.exit_code == 1 and "1 trang quét máy chưa đọc xong" in refused.output


@settings(max_examples=40)
@given(name=st.text(max_size=300), content=st.one_of(
    st.binary(max_size=400), *(st.binary(max_size=400).map(lambda b, m=magic: m + b)
                               for magic in (b"%PDF-", b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n"))))
def test_any_file_is_queued_or_refused_and_a_worker_never_stops_on_it(app, name, content):
    from survey_app.services.scan_queue import file_name, receive

    from ..factories import make_survey

    with app.app_context():
        exists = db.session.query(Survey).count()
    if not exists:
        make_survey(app, villages=(("T01", "Thôn Một", 1),))
    with app.app_context():
        survey = db.session.query(Survey).first()
        received = receive(survey, [(name, content)])
        db.session.commit()
        (item,) = received
        assert item.name == file_name(name) and 0 < len(item.name) <= 200
        assert not any(ord(ch) < 32 or ch in "/\\" for ch in item.name)
        assert bool(item.pages) != bool(item.problem)
        scan_queue.drain()
        assert db.session.query(ScanPage).filter(ScanPage.status.in_(["queued", "reading"])).count() == 0
