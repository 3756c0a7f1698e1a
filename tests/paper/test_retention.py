"""Scan images are personal data: `flask privacy purge` drops them after the retention period, keeping each
page's file hash, household, readings and the keyed entry that names its images."""
from __future__ import annotations

from datetime import timedelta

from survey_app.extensions import db
from survey_app.models import AuditEntry, KeyedEntry, ScanFile, ScanPage, Survey
from survey_app.models._types import utcnow
from survey_app.services import scan_queue
from survey_app.services.surveys import transition

from .scanning import _mark, _printed, client_of, png_bytes, send, statuses


def _scanned(app, runner, tmp_path, name: str):
    """A survey with one stored scanned sheet; returns its id, a client and a page to send later."""
    survey_id, _issued, layout, sheets = _printed(app, runner, tmp_path / name, households=2)
    done = _mark(layout, sheets[0], [1] * len(layout.items))
    client = client_of(app, name)
    send(client, survey_id, [(f"{name}1.png", png_bytes(done[0])), (f"{name}2.png", png_bytes(done[1]))])
    with app.app_context():
        scan_queue.drain()
    return survey_id, client, (f"{name}3.png", png_bytes(sheets[1][0]))


def _publish(app, survey_id: int, days_ago: float) -> None:
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        transition(survey, "close", actor_name="test")
        transition(survey, "publish", actor_name="test", waiver="Trang quét còn lại là bản thử")
        survey.published_at = utcnow() - timedelta(days=days_ago)
        db.session.commit()


def _kept(app, survey_id: int) -> tuple[int, int]:
    with app.app_context():
        images = db.session.query(ScanPage).filter(ScanPage.survey_id == survey_id, ScanPage.image.is_not(None))
        files = db.session.query(ScanFile).filter(ScanFile.survey_id == survey_id, ScanFile.data.is_not(None))
        return images.count(), files.count()


def test_purge_drops_scan_images_past_retention_and_keeps_hashes_and_readings(app, runner, tmp_path):
    app.config["SURVEY_SCAN_WORKER"] = "none"
    (tmp_path / "old").mkdir()
    (tmp_path / "new").mkdir()
    surveys = [_scanned(app, runner, tmp_path, name) for name in ("old", "new")]
    for (survey_id, client, unread), days_ago in zip(surveys, (45, 5), strict=True):
        send(client, survey_id, [unread])  # a file left unread
        _publish(app, survey_id, days_ago)
    old, recent = (survey_id for survey_id, *_rest in surveys)
    assert _kept(app, old) == (2, 1) and _kept(app, recent) == (2, 1)

    dry = runner.invoke(args=["privacy", "purge", "--dry-run"])
    assert "Would clear 3 scanned images" in dry.output and _kept(app, old) == (2, 1)
    done = runner.invoke(args=["privacy", "purge"])
    assert done.exit_code == 0 and "Cleared 3 scanned images" in done.output
    assert _kept(app, old) == (0, 0) and _kept(app, recent) == (2, 1)
    assert statuses(app, old) == {"stored": 2, "queued": 1}
    with app.app_context():
        pages = db.session.query(ScanPage).filter_by(survey_id=old, status="stored").all()
        assert all(len(p.file_sha256) == 64 and p.decisions and p.household_code_id for p in pages)
        entry = db.session.get(KeyedEntry, pages[0].keyed_entry_id)
        assert sorted(entry.scan_images) == sorted(f"{p.file_sha256}#{p.file_page}" for p in pages)
        audit = db.session.query(AuditEntry).filter_by(action="privacy.purge").one()
        assert audit.details["scan_images"] == 3 and audit.details["surveys"] == [old]
    assert "Cleared 0 scanned images" in runner.invoke(args=["privacy", "purge"]).output
