"""The receipt fingerprint lists a publication offers (CSV per village, per version) and paper receipts per batch."""
from __future__ import annotations

import csv
import io

from survey_app.extensions import db
from survey_app.models import Channel, Response, Role, Survey
from survey_app.services import paper, receipts, snapshots
from survey_app.services.responses import Submission, find_code, submit

from ..factories import make_survey
from .factories import HYPERLINK, S, add_user, build_hand_counted, log_in
from .test_receipts import REASON, _answered, _key_paper, _publish, _published, _receipts


def _csv(client, path: str, **query) -> list[list[str]]:
    response = client.get(path, query_string=query)
    assert response.status_code == 200 and response.content_type == "text/csv; charset=utf-8"
    text = response.get_data().decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_the_notice_offers_every_villages_fingerprints_as_csv_also_where_figures_are_withheld(app, client):
    survey_id = build_hand_counted(app, status="published").survey_id  # 3 + 2 phiếu: both villages withheld
    notice = client.get(f"/results/{survey_id}/niem-yet").get_data(as_text=True)
    assert 'id="notice-suppressed"' in notice
    path = f"/results/{survey_id}/niem-yet/dau-bien-nhan.csv"
    assert f'href="{path}"' in notice and f'href="{path}?xa=21040&amp;thon=T02"' in notice
    with app.app_context():
        listed = snapshots.fingerprints(_published(app, survey_id))
    rows = _csv(client, path)
    assert rows[0] == ["commune_code", "village_code", "village_name", "receipt_fingerprint"]
    assert rows[1:] == ([["21040", "T01", "Thôn Một", fp] for fp in listed[("21040", "T01")]]
                        + [["21040", "T02", "'@Thôn Hai", fp] for fp in listed[("21040", "T02")]])
    assert len(rows) - 1 == 5 == len(_receipts(app, survey_id))
    assert _csv(client, path, xa="21040", thon="T02")[1:] == rows[4:]
    assert _csv(client, path, thon="T01")[1:] == rows[1:4]
    assert HYPERLINK not in "".join(map(str, rows))
    assert client.get(path, query_string={"thon": "T99"}).status_code == 404
    assert client.get(path, query_string={"phien-ban": 2}).status_code == 404
    unpublished = build_hand_counted(app, status="closed").survey_id
    assert client.get(f"/results/{unpublished}/niem-yet/dau-bien-nhan.csv").status_code == 404


def test_each_publication_keeps_its_own_fingerprint_list(app, client):
    survey_id, spare = _answered(app)
    _publish(app, survey_id)
    path = f"/results/{survey_id}/niem-yet/dau-bien-nhan.csv"
    first = _csv(client, path)
    with app.app_context():
        snapshots.reopen(db.session.get(Survey, survey_id), REASON, actor_name="test")
        db.session.commit()
    late = _key_paper(app, survey_id, spare[0])
    _publish(app, survey_id, close=False, reason=REASON)
    second = _csv(client, path)
    assert _csv(client, path, **{"phien-ban": 1}) == first and len(second) == len(first) + 1
    assert any(row[3] == snapshots.fingerprint(late) for row in second[1:])
    notice = client.get(f"/results/{survey_id}/niem-yet", query_string={"phien-ban": 1}).get_data(as_text=True)
    assert f"{path}?phien-ban=1" in notice


def test_paper_phieu_receipts_are_listed_per_batch_and_printable(app):
    survey_id, issued = make_survey(app, villages=(("T01", "Thôn Một", 4), ("T02", "Thôn Hai", 2)))
    staff = add_user(app, "canbo_xa", Role.STAFF, "21040")
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        keys = [item["key"] for item in survey.template["items"]]
        t01 = [c for c in issued if c.village_code == "T01"]
        frame = find_code(t01[0].code).frame_village_id
        batch = paper.create_batch(survey, frame, Channel.PAPER)
        other = paper.create_batch(survey, frame, Channel.MEETING)
        stored = {}
        for code in t01[:2]:
            entry, _created = paper.enter_first(survey, batch, find_code(code.code), Submission({k: S for k in keys}))
            stored[code.serial] = db.session.get(Response, entry.response_id).receipt
        entry, _created = paper.enter_first(survey, other, find_code(t01[2].code), Submission({k: S for k in keys}))
        elsewhere = db.session.get(Response, entry.response_id).receipt
        web = submit(survey, find_code(t01[3].code), Submission({k: S for k in keys})).receipt
        batch_id, other_id = batch.id, other.id
        db.session.commit()
    client = app.test_client()
    log_in(app, client, staff)
    base = f"/staff/surveys/{survey_id}/paper/{batch_id}"
    keying = client.get(base).get_data(as_text=True)
    assert f'href="{base}/receipts"' in keying and all(receipt in keying for receipt in stored.values())
    page = client.get(base + "/receipts")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Biên nhận của tập" in html
    for serial, receipt in stored.items():
        assert f"Biên nhận phiếu số {serial}" in html and receipt in html
    assert html.count('src="data:image/png;base64,') == len(stored) and "http://survey.test/bien-nhan" in html
    assert elsewhere not in html and web not in html
    report = client.get(base + "/report").get_data(as_text=True)
    assert all(receipt in report for receipt in stored.values()) and elsewhere not in report
    assert f'href="{base}/receipts"' in report
    assert client.get(f"/staff/surveys/{survey_id}/paper/{other_id}/receipts").get_data(as_text=True).count(
        'src="data:image/png;base64,') == 1
    assert client.get(f"/staff/surveys/{survey_id}/paper/99999/receipts").status_code == 404
    outsider = app.test_client()
    log_in(app, outsider, add_user(app, "kiemtra_tinh_khac", Role.AUDITOR, "79"))
    assert outsider.get(base + "/receipts").status_code in (403, 404)
    assert app.test_client().get(base + "/receipts").status_code in (302, 401)


def test_receipt_numbers_normalise_like_household_codes():
    assert receipts.normalize("7kq4m2xd") == receipts.normalize(" 7KQ4 - M2XD ") == "7KQ4-M2XD"
    assert receipts.normalize("7KQ4-M2X") is None and receipts.normalize("7KQ4-M2XD1") is None
    assert receipts.normalize("7KQ0-M2XD") is None and receipts.normalize(None) is None


def test_impossible_surveys_batches_and_versions_are_a_404(app, client):
    survey_id = build_hand_counted(app, status="published").survey_id
    huge = "99999999999999999999"
    for path in (f"/results/{huge}/niem-yet/dau-bien-nhan.csv", f"/results/{survey_id}/niem-yet?phien-ban={huge}",
                 f"/results/{survey_id}/niem-yet/dau-bien-nhan.csv?phien-ban={huge}",
                 f"/results/{survey_id}/niem-yet/dau-bien-nhan.csv?thon=%00"):
        assert client.get(path).status_code in (400, 404), path
    assert client.get(f"/results/{survey_id}/niem-yet?phien-ban=abc").status_code == 200  # not a number: current
    log_in(app, client, add_user(app, "quantri", Role.ADMIN, None))
    assert client.get(f"/staff/surveys/{survey_id}/paper/{huge}/receipts").status_code == 404
