"""Findings of the hostile review of issues 13 and 14 (write paths, publication snapshots, disclosure).

Each test reproduced one confirmed hole (it failed on the code of the review) and passes since its fix.
Races run for real on PostgreSQL (threads, each with its own session); a
sleep wrapped around one step only widens the window that production has anyway.
"""
from __future__ import annotations

import hashlib
import io
import json
import threading
import time
import zipfile

import pytest
from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import (
    AuditEntry,
    Channel,
    CodeStatus,
    HouseholdCode,
    KeyedEntry,
    Publication,
    Response,
    Role,
    Survey,
)
from survey_app.services import paper, snapshots
from survey_app.services.responses import Submission, find_code, submit
from survey_app.services.surveys import transition

from ..factories import make_survey
from ..results.factories import add_user, build_hand_counted, log_in

REOPEN_REASON = "Phiếu giấy của thôn Một nộp muộn, theo biên bản ngày 3/12"
REPUBLISH_REASON = "Bổ sung phiếu giấy nộp muộn của thôn Một theo biên bản"
LATE_OPINION = "Ý KIẾN NHẬP SAU KHI CÔNG BỐ"


def _auditor(app):
    client = app.test_client()
    log_in(app, client, add_user(app, "kiemtra"))
    return client


def _items(survey: Survey) -> list[str]:
    return [item["key"] for item in survey.template["items"]]


def _reopen_and_key_a_late_phieu(app, runner, survey_id: int, value: int = 1, opinion: str = "") -> None:
    """Reopen the published survey (a correction) and key one more paper phiếu on an unused slip."""
    reopened = runner.invoke(args=["survey", "reopen", str(survey_id), "--reason", REOPEN_REASON])
    assert reopened.exit_code == 0, reopened.output
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        code = db.session.execute(
            select(HouseholdCode).where(HouseholdCode.survey_id == survey_id, HouseholdCode.status == CodeStatus.ISSUED)
            .order_by(HouseholdCode.serial)).scalars().first()
        batch = paper.create_batch(survey, code.frame_village_id, Channel.PAPER)
        paper.enter_first(survey, batch, code, Submission(dict.fromkeys(_items(survey), value), opinion=opinion))
        db.session.commit()


# --- services/snapshots.py: verify ------------------------------------------------------------------------


def test_verify_notices_stored_bytes_that_no_longer_match_their_sha256(app):
    survey_id = build_hand_counted(app, status="published").survey_id
    with app.app_context():
        publication = db.session.execute(select(Publication)).scalar_one()
        document = json.loads(publication.document)
        document["survey"]["title"] = "Kết quả đã bị sửa trong cơ sở dữ liệu"
        document["integrity"] = []
        publication.document = snapshots.canonical(document)  # sha256 column left as it was
        db.session.commit()
        survey = db.session.get(Survey, survey_id)
        assert hashlib.sha256(publication.document).hexdigest() != publication.sha256
        assert snapshots.verify(survey), "verify says the altered publication matches"


def test_verify_notices_a_publication_rewritten_with_a_fresh_sha256(app):
    survey_id = build_hand_counted(app, status="published").survey_id
    with app.app_context():
        publication = db.session.execute(select(Publication)).scalar_one()
        document = json.loads(publication.document)
        # The headline figure changed, the per-item counts that verify recounts left alone.
        document["overall"]["satisfied"] = document["overall"]["respondents"]
        document["overall"]["rate"] = 1.0
        publication.document = snapshots.canonical(document)
        publication.sha256 = hashlib.sha256(publication.document).hexdigest()
        db.session.commit()
        audited = db.session.execute(select(AuditEntry).where(AuditEntry.action == "results.publish")).scalar_one()
        assert audited.details["sha256"] != publication.sha256
        assert snapshots.verify(db.session.get(Survey, survey_id)), "verify says the rewritten publication matches"


# --- results/downloads.py: what a publication's downloads contain ------------------------------------------


def test_a_publications_xlsx_and_pdf_do_not_change_after_it(app, runner):
    from openpyxl import load_workbook
    from pypdf import PdfReader

    def cells(data: bytes) -> list[str]:
        book = load_workbook(io.BytesIO(data))
        return [str(cell) for sheet in book for row in sheet.iter_rows(values_only=True) for cell in row
                if cell is not None]

    def text(data: bytes) -> str:
        return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)

    survey_id = build_hand_counted(app, status="published").survey_id
    client = _auditor(app)
    pdf_before = text(client.get(f"/results/{survey_id}/tai-ve/pdf").get_data())
    _reopen_and_key_a_late_phieu(app, runner, survey_id, opinion=LATE_OPINION)
    version_1 = {"phien-ban": 1}
    xlsx = client.get(f"/results/{survey_id}/tai-ve/xlsx", query_string=version_1).get_data()
    assert not any(LATE_OPINION in cell for cell in cells(xlsx)), "an opinion keyed after v1 is in v1's XLSX"
    assert text(client.get(f"/results/{survey_id}/tai-ve/pdf", query_string=version_1).get_data()) == pdf_before


def test_a_publications_bundle_holds_only_the_phieu_it_counted(app, runner):
    survey_id = build_hand_counted(app, status="published").survey_id
    client = _auditor(app)
    _reopen_and_key_a_late_phieu(app, runner, survey_id)
    archive = zipfile.ZipFile(io.BytesIO(client.get(f"/results/{survey_id}/tai-ve/bundle").get_data()))
    counted = json.loads(archive.read("ket-qua.json"))["coverage"]["respondents"]
    rows = archive.read("phieu-tra-loi.csv").decode("utf-8-sig").strip().splitlines()[1:]
    assert len(rows) == counted, f"{len(rows)} phiếu in the raw file, {counted} in the published results"


# --- services/surveys.transition + services/audit.py: one lock for the whole server ------------------------


@pytest.mark.postgres
def test_publishing_does_not_hold_the_audit_lock_while_the_snapshot_is_computed(app, postgres_only, monkeypatch):
    from survey_app.services import audit

    survey_id, _issued = make_survey(app, status="closed")
    computing = threading.Event()
    original = snapshots.snapshot_document

    def large_survey(survey):  # a province survey's tally and integrity checks take seconds (issue 14)
        computing.set()
        time.sleep(2)
        return original(survey)

    monkeypatch.setattr(snapshots, "snapshot_document", large_survey)
    waited: list[float] = []

    def publish():
        with app.app_context():
            transition(db.session.get(Survey, survey_id), "publish", actor_name="test")
            db.session.commit()
            db.session.remove()

    def someone_logs_in_elsewhere():
        assert computing.wait(10)
        with app.app_context():
            started = time.monotonic()
            audit.record("user.login", actor_name="can-bo-tinh-khac")
            db.session.commit()
            waited.append(time.monotonic() - started)
            db.session.remove()

    threads = [threading.Thread(target=publish), threading.Thread(target=someone_logs_in_elsewhere)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert waited and waited[0] < 1, f"an unrelated login waited {waited} s for another survey's publication"


# --- services/double_entry.resolve: a race that answers 500 ---------------------------------------------


@pytest.mark.postgres
def test_resolving_while_the_household_answers_online_is_refused_not_a_server_error(app, postgres_only):
    from survey_app.services import double_entry

    from ..staff.accounts import token

    survey_id, issued = make_survey(app, villages=(("T01", "Thôn Một", 3),))
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        items = _items(survey)
        batch = paper.create_batch(survey, survey.frame[0].id, Channel.PAPER)
        lone = double_entry.enter_second(survey, batch, paper.find_slip(survey, "1"),
                                         Submission(dict.fromkeys(items, 2)))  # no first keying of slip 1
        db.session.commit()
        entry_id, batch_id = lone.id, batch.id
    resolver = app.test_client()
    log_in(app, resolver, add_user(app, "doi_chieu", Role.STAFF, "21040"))
    csrf = token(resolver)
    claimed = threading.Event()

    def resident():  # the resident's request holds the slip's row between its claim and its commit
        with app.app_context():
            submit(db.session.get(Survey, survey_id), find_code(issued[0].code), Submission(dict.fromkeys(items, 1)),
                   alone=True)
            claimed.set()
            time.sleep(3)
            db.session.commit()
            db.session.remove()

    thread = threading.Thread(target=resident)
    thread.start()
    try:
        assert claimed.wait(10)
        page = resolver.post(f"/staff/surveys/{survey_id}/paper/{batch_id}/resolve/{entry_id}",
                             data={"csrf_token": csrf, "use": "second"})
    finally:
        thread.join(30)
    assert page.status_code == 302
    with app.app_context():
        assert db.session.execute(select(func.count()).select_from(Response)).scalar_one() == 1
        assert db.session.get(KeyedEntry, entry_id).resolution is None  # refused, not resolved over the answer


# --- services/disclosure.py: two public versions of one survey ---------------------------------------------


def test_two_public_versions_do_not_reveal_the_answers_of_a_phieu_added_between_them(app, runner):
    from survey_app.services.disclosure import public_minimum, public_version

    survey_id, issued = make_survey(app, villages=(("T01", "Thôn Một", 8), ("T02", "Thôn Hai", 8)))
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        items = _items(survey)
        answered = [slip for village in ("T01", "T02") for slip in
                    [c for c in issued if c.village_code == village][:6]]
        for slip in answered:
            submit(survey, find_code(slip.code), Submission(dict.fromkeys(items, 1)))
        transition(survey, "close", actor_name="test")
        transition(survey, "publish", actor_name="test")
        db.session.commit()
    _reopen_and_key_a_late_phieu(app, runner, survey_id, value=2)  # the late household: not satisfied with anything
    republished = runner.invoke(args=["survey", "publish", str(survey_id), "--reason", REPUBLISH_REASON])
    assert republished.exit_code == 0, republished.output
    anyone = app.test_client()
    fingerprints = {}
    for version in (1, 2):
        assert anyone.get(f"/results/{survey_id}/niem-yet", query_string={"phien-ban": version}).status_code == 200
        listed = anyone.get(f"/results/{survey_id}/niem-yet/dau-bien-nhan.csv",
                            query_string={"phien-ban": version, "xa": "21040", "thon": "T01"})
        fingerprints[version] = set(listed.get_data(as_text=True).strip().splitlines()[1:])
    assert len(fingerprints[2] - fingerprints[1]) == 1  # the late phiếu's receipt, singled out
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        minimum = public_minimum()
        versions = snapshots.versions(survey)
        v2, v1 = (public_version(p, versions) for p in versions)
    shown_in_both = not v1["items_suppressed"] and not v2["items_suppressed"]
    differences = {
        row2["key"]: (row2["satisfied"] - row1["satisfied"], row2["not_satisfied"] - row1["not_satisfied"])
        for row1, row2 in zip(v1["items"], v2["items"], strict=True)} if shown_in_both else {}
    added = v2["coverage"]["respondents"] - v1["coverage"]["respondents"]
    assert not (shown_in_both and 0 < added < minimum), (
        f"{added} phiếu added between two public versions; their answers per item: {differences}")


# --- results/notice.py: the public fingerprint CSV ---------------------------------------------------------


def test_the_public_fingerprint_csv_does_not_reparse_the_whole_publication_per_request(app, monkeypatch):
    survey_id = build_hand_counted(app, status="published").survey_id
    anyone = app.test_client()
    url = f"/results/{survey_id}/niem-yet/dau-bien-nhan.csv"
    one_village = {"xa": "21040", "thon": "T01"}
    assert anyone.get(url, query_string=one_village).status_code == 200  # warms what may be cached
    reads = []
    stored = snapshots._stored_bytes

    def counted(publication_id: int) -> bytes:
        reads.append(publication_id)
        return stored(publication_id)

    monkeypatch.setattr(snapshots, "_stored_bytes", counted)
    for _request in range(3):
        assert anyone.get(url, query_string=one_village).status_code == 200
    assert not reads, f"the whole stored document was read {len(reads)} times for 3 requests of one village"
