"""Pages of published results are rendered once per publication, and never served stale (issue 14, speed).

The results page's main part and the public notice's sheet are kept per process (results/fragments.py);
what they depend on besides the publication (language, a correction under way, a new version, the
commune shown, the public minimum) gives another page, never the kept one.
"""
from __future__ import annotations

from contextlib import contextmanager

from flask import template_rendered

from survey_app.extensions import db
from survey_app.models import Survey
from survey_app.services.surveys import transition

from .factories import build_hand_counted

BODY, SHEET = "results/_survey_body.html", "results/_notice_sheet.html"
REASON = "Phiếu giấy số 5 nhập nhầm, theo biên bản"


@contextmanager
def renders(app):
    """The names of the templates rendered meanwhile."""
    seen: list[str] = []

    def note(_sender, template, **_extra):
        seen.append(template.name)

    template_rendered.connect(note, app)
    try:
        yield seen
    finally:
        template_rendered.disconnect(note, app)


def _page(client, path: str, **headers) -> str:
    response = client.get(path, headers=headers)
    assert response.status_code == 200, (path, response.status_code)
    return response.get_data(as_text=True)


def test_a_published_page_and_notice_are_rendered_once_and_served_the_same(app, auditor_client):
    survey_id = build_hand_counted(app, status="published").survey_id
    results, notice = f"/results/{survey_id}", f"/results/{survey_id}/niem-yet"
    with renders(app) as seen:
        pages = [_page(auditor_client, results) for _ in range(3)]
        sheets = [_page(auditor_client, notice) for _ in range(3)]
    assert seen.count(BODY) == 1 and seen.count(SHEET) == 1
    assert pages[0] == pages[1] == pages[2] and sheets[0] == sheets[1] == sheets[2]
    assert "Múi giờ của các thời điểm trên trang" in pages[2]  # the footer still names the zone of its times


def test_live_results_are_rendered_at_every_view(app, auditor_client):
    survey_id = build_hand_counted(app, status="closed").survey_id
    with renders(app) as seen:
        for _ in range(2):
            _page(auditor_client, f"/results/{survey_id}")
    assert seen.count(BODY) == 2


def test_each_language_has_its_own_page(app, auditor_client):
    survey_id = build_hand_counted(app, status="published").survey_id
    for path in (f"/results/{survey_id}", f"/results/{survey_id}/niem-yet"):
        vietnamese = _page(auditor_client, path, **{"Accept-Language": "vi"})
        english = _page(auditor_client, path, **{"Accept-Language": "en"})
        assert "Kết luận" in vietnamese and "Kết luận" not in english, path
        assert _page(auditor_client, path, **{"Accept-Language": "vi"}) == vietnamese


def test_a_correction_and_a_new_version_show_at_once(app, runner, auditor_client):
    survey_id = build_hand_counted(app, status="published").survey_id
    results, notice = f"/results/{survey_id}", f"/results/{survey_id}/niem-yet"
    assert "đang được đính chính" not in _page(auditor_client, results)
    assert "đang được đính chính" not in _page(auditor_client, notice)
    assert runner.invoke(args=["survey", "reopen", str(survey_id), "--reason", REASON]).exit_code == 0
    assert "đang được đính chính" in _page(auditor_client, results)
    assert "đang được đính chính" in _page(auditor_client, notice)
    with app.app_context():
        transition(db.session.get(Survey, survey_id), "publish", actor_name="test", reason=REASON)
        db.session.commit()
    page, sheet = _page(auditor_client, results), _page(auditor_client, notice)
    assert "phiên bản 2" in page and "đang được đính chính" not in page
    assert "công bố lần 2" in sheet and REASON in sheet
    first = _page(auditor_client, notice + "?phien-ban=1")
    assert "Kết quả công bố lần 1" in first and "thay thế bằng kết quả công bố lần 2" in first


def test_the_public_minimum_is_part_of_the_notice(app):
    survey_id = build_hand_counted(app, status="published").survey_id
    client = app.test_client()
    shown = _page(client, f"/results/{survey_id}/niem-yet")
    app.config["SURVEY_PUBLIC_MIN_RESPONDENTS"] = 50
    withheld = _page(client, f"/results/{survey_id}/niem-yet")
    assert withheld != shown and "Chưa công bố kết quả theo từng nội dung" in withheld


def test_the_cache_can_be_turned_off(app, auditor_client):
    app.config["SURVEY_PUBLISHED_PAGE_CACHE"] = 0
    survey_id = build_hand_counted(app, status="published").survey_id
    with renders(app) as seen:
        for _ in range(2):
            _page(auditor_client, f"/results/{survey_id}")
    assert seen.count(BODY) == 2


def test_the_published_json_is_read_and_hashed_once_and_audited_as_served(app, auditor_client, monkeypatch):
    import hashlib

    from sqlalchemy import select

    from survey_app.models import AuditEntry
    from survey_app.services import snapshots

    survey_id = build_hand_counted(app, status="published").survey_id
    reads = []
    stored = snapshots._stored_bytes
    monkeypatch.setattr(snapshots, "_stored_bytes", lambda pid: reads.append(pid) or stored(pid))
    bodies = {auditor_client.get(f"/results/{survey_id}/tai-ve/json").get_data() for _ in range(3)}
    assert len(bodies) == 1 and len(reads) == 2  # once parsed for the page's tables, once as the download
    with app.app_context():
        audited = db.session.execute(select(AuditEntry.details).where(AuditEntry.action == "results.export")
                                     ).scalars().all()
    assert [d["sha256"] for d in audited] == [hashlib.sha256(bodies.pop()).hexdigest()] * 3
