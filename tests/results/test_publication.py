"""Published results are frozen, served from their snapshot, verifiable by recount; corrections are new
versions (issue 14)."""
from __future__ import annotations

import hashlib
import json

import pytest
from sqlalchemy import select, update

from survey_app.extensions import db
from survey_app.models import Answer, AuditEntry, Publication, Response, Survey
from survey_app.services import snapshots

from .factories import build_hand_counted

JSON_URL = "/results/{id}/tai-ve/json"


def _json(client, survey_id: int, **query) -> bytes:
    response = client.get(JSON_URL.format(id=survey_id), query_string=query)
    assert response.status_code == 200, response.status_code
    return response.get_data()


def test_publishing_stores_the_document_and_every_download_is_the_same_bytes(app, auditor_client):
    survey_id = build_hand_counted(app, status="published").survey_id
    first = _json(auditor_client, survey_id)
    assert _json(auditor_client, survey_id) == first
    document = json.loads(first)
    published = document.pop("published")
    assert published["version"] == 1 and set(published) >= {"version", "sha256", "at"}
    with app.app_context():
        stored = db.session.execute(select(Publication)).scalar_one()
        assert hashlib.sha256(stored.document).hexdigest() == stored.sha256 == published["sha256"]
        assert snapshots.canonical(document) == stored.document
        receipts = db.session.execute(select(Response.receipt)).scalars().all()
        audited = db.session.execute(select(AuditEntry).where(AuditEntry.action == "results.publish")).scalar_one()
        assert audited.details["sha256"] == stored.sha256
    listed = [fp for village in document["villages"] for fp in village["receipt_fingerprints"]]
    assert sorted(listed) == sorted(snapshots.fingerprint(r) for r in receipts)
    for village in document["villages"]:
        assert village["receipt_fingerprints"] == sorted(village["receipt_fingerprints"])
        assert len(village["receipt_fingerprints"]) == village["respondents"]
    assert all(len(fp) == 16 and fp == fp.upper() for fp in listed)


def test_nothing_done_after_publication_changes_the_published_bytes(app, auditor_client):
    survey_id = build_hand_counted(app, status="published").survey_id
    before = _json(auditor_client, survey_id)
    page_before = auditor_client.get(f"/results/{survey_id}").get_data(as_text=True)
    with app.app_context():  # a template, rules and a phiếu changed behind the application's back
        survey = db.session.get(Survey, survey_id)
        template = dict(survey.template)
        template["items"] = [dict(item, criterion="ĐÃ ĐỔI") for item in template["items"]]
        survey.template = template
        survey.rules = [dict(rule, threshold="0.01") for rule in survey.rules]
        db.session.execute(update(Answer).values(value=2))
        db.session.commit()
    snapshots.published_document.cache_clear()  # as after a restart with new code
    assert _json(auditor_client, survey_id) == before
    page = auditor_client.get(f"/results/{survey_id}").get_data(as_text=True)
    assert "ĐÃ ĐỔI" not in page and page.count("Không hài lòng") == page_before.count("Không hài lòng")


def test_verify_recounts_and_names_what_differs(app, runner):
    survey_id = build_hand_counted(app, status="published").survey_id
    agreed = runner.invoke(args=["results", str(survey_id), "--verify"])
    assert agreed.exit_code == 0 and "matches a recount" in agreed.output
    with app.app_context():
        answer = db.session.execute(select(Answer).where(Answer.is_current.is_(True), Answer.value == 1)
                                    .order_by(Answer.id)).scalars().first()
        answer.value, key = 2, answer.item_key
        db.session.commit()
    altered = runner.invoke(args=["results", str(survey_id), "--verify"])
    assert altered.exit_code == 1 and "does NOT match" in altered.output
    lines = [line.strip() for line in altered.output.splitlines()[1:]]
    assert lines and all(line.startswith(("items ", "village ")) and f" {key}: published (" in line
                         for line in lines), altered.output  # the changed item only, overall and in its village
    unpublished = build_hand_counted(app, status="closed").survey_id
    assert runner.invoke(args=["results", str(unpublished), "--verify"]).exit_code == 1


def test_a_correction_is_a_second_version_and_the_first_stays_as_it_was(app, runner, auditor_client):
    survey_id = build_hand_counted(app, status="published").survey_id
    version_1 = _json(auditor_client, survey_id)
    refused = runner.invoke(args=["survey", "reopen", str(survey_id), "--reason", "sai"])
    assert refused.exit_code == 1
    assert runner.invoke(args=["survey", "reopen", str(survey_id), "--reason",
                               "Phiếu giấy số 5 nhập nhầm, theo biên bản ngày 3/12"]).exit_code == 0
    assert _json(auditor_client, survey_id) == version_1  # still served until the next publication
    no_reason = runner.invoke(args=["survey", "publish", str(survey_id)])
    assert no_reason.exit_code == 1 and "lý do" in no_reason.output
    republished = runner.invoke(args=["survey", "publish", str(survey_id), "--reason",
                                      "Đính chính phiếu số 5 theo biên bản ngày 3/12"])
    assert republished.exit_code == 0, republished.output
    current = json.loads(_json(auditor_client, survey_id))
    assert current["published"]["version"] == 2 and current["published"]["reason"].startswith("Đính chính")
    assert _json(auditor_client, survey_id, **{"phien-ban": 1}) == version_1
    page = auditor_client.get(f"/results/{survey_id}").get_data(as_text=True)
    assert "phiên bản 2" in page and "Phiên bản 1" in page
    assert auditor_client.get(JSON_URL.format(id=survey_id), query_string={"phien-ban": 3}).status_code == 404


def test_the_api_and_the_command_line_serve_the_published_bytes(app, runner, auditor_client, tmp_path):
    from survey_app.models import Role, User
    from survey_app.services.api_tokens import create_token

    from .factories import add_user

    survey_id = build_hand_counted(app, status="published").survey_id
    download = _json(auditor_client, survey_id)
    out = tmp_path / "r.json"
    assert runner.invoke(args=["results", str(survey_id), "--format", "json", "--out", str(out)]).exit_code == 0
    assert out.read_bytes() == download
    reader = add_user(app, "api_reader", Role.AUDITOR, "51")
    with app.app_context():
        _row, token = create_token(db.session.get(User, reader), "test")
        db.session.commit()
    api = app.test_client().get(f"/api/v1/surveys/{survey_id}/results",
                                headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 200 and api.get_data() == download


def test_the_notice_shows_the_publication_also_while_a_correction_is_under_way(app, runner):
    survey_id = build_hand_counted(app, status="published").survey_id
    client = app.test_client()
    assert client.get(f"/results/{survey_id}/niem-yet").status_code == 200
    runner.invoke(args=["survey", "reopen", str(survey_id), "--reason", "Phiếu giấy số 5 nhập nhầm, theo biên bản"])
    with app.app_context():
        assert db.session.get(Survey, survey_id).status.value == "closed"
    assert client.get(f"/results/{survey_id}/niem-yet").status_code == 200
    never = build_hand_counted(app, status="closed").survey_id
    assert client.get(f"/results/{never}/niem-yet").status_code == 404


def test_the_bundle_carries_the_published_bytes_and_names_the_publication(app, auditor_client):
    import io
    import zipfile

    survey_id = build_hand_counted(app, status="published").survey_id
    download = _json(auditor_client, survey_id)
    bundle = auditor_client.get(f"/results/{survey_id}/tai-ve/bundle").get_data()
    with zipfile.ZipFile(io.BytesIO(bundle)) as archive:
        assert archive.read("ket-qua.json") == download
        manifest = json.loads(archive.read("manifest.json"))
    assert manifest["published"]["sha256"] == json.loads(download)["published"]["sha256"]


def test_a_reopened_survey_corrects_phieu_not_rules(app, runner):
    from survey_app.errors import StateError
    from survey_app.services.surveys import change_rules

    survey_id = build_hand_counted(app, status="published").survey_id
    runner.invoke(args=["survey", "reopen", str(survey_id), "--reason", "Phiếu giấy số 5 nhập nhầm, theo biên bản"])
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        rules = [dict(rule, threshold="0.01") for rule in survey.rules]
        with pytest.raises(StateError):
            change_rules(survey, rules, "Hạ ngưỡng cho kịp công nhận xã", actor_name="test")


def test_more_answers_than_households_in_the_frame_is_counted_not_a_crash(app, auditor_client):
    from survey_app.services.responses import Submission, find_code, submit
    from survey_app.services.surveys import transition

    from ..factories import make_survey

    survey_id, issued = make_survey(app, villages=(("T01", "Thôn Một", 2),), spare=1.0)  # 2 households, 4 slips
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        for slip in issued[:3]:
            submit(survey, find_code(slip.code), Submission({}))
        transition(survey, "close", actor_name="test")
        transition(survey, "publish", actor_name="test")
        db.session.commit()
    document = json.loads(_json(auditor_client, survey_id))
    assert document["coverage"]["respondents"] == 3 and document["coverage"]["households"] == 3
    assert auditor_client.get(f"/results/{survey_id}").status_code == 200
