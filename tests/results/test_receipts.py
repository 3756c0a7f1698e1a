"""A household checks its receipt (issue 14, item 3): the receipt page says from the publication snapshot
whether the phiếu is counted, never what it answered; a check box on the home page and the public notice;
unknown receipts are a 404 counted like unknown codes; receipt fingerprints as CSV on the notice; paper
phiếu's receipts listed per batch for the village team to hand back."""
from __future__ import annotations

import re
from urllib.parse import quote

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select, update

from survey_app.extensions import db
from survey_app.models import Channel, FrameVillage, Response, Survey
from survey_app.services import snapshots
from survey_app.services.responses import Submission, find_code, submit
from survey_app.services.surveys import transition

from ..factories import make_survey
from .factories import N, S, build_hand_counted

REASON = "Phiếu giấy số 5 nhập nhầm, theo biên bản ngày 3/12"
COUNTED = "được tính trong kết quả công bố lần"
NOT_COUNTED = "Phiếu không có trong kết quả công bố"
UNKNOWN = "Không tìm thấy biên nhận này"
FORM = re.compile(r'<form method="get" action="/bien-nhan"[^>]*>.*?name="so".*?</form>', re.S)


def _page(client, receipt: str):
    response = client.get(f"/bien-nhan/{receipt}")
    return response.status_code, response.get_data(as_text=True)


def _receipts(app, survey_id: int) -> dict[str, tuple[str, str]]:
    """Receipt -> (commune code, village code) of every stored phiếu of the survey, from the live tables."""
    from survey_app.models import Village

    with app.app_context():
        rows = db.session.execute(
            select(Response.receipt, Village.commune_code, Village.code)
            .join(FrameVillage, FrameVillage.id == Response.frame_village_id)
            .join(Village, Village.id == FrameVillage.village_id).where(Response.survey_id == survey_id))
        return {receipt: (commune, code) for receipt, commune, code in rows}


def _published(app, survey_id: int):
    with app.app_context():
        return snapshots.current(db.session.get(Survey, survey_id))


def _answered(app, villages=(("T01", "Thôn Một", 4), ("T02", "Thôn Hai", 3)), answered=2):
    """An open survey with ``answered`` web phiếu per village; return (survey id, unanswered codes)."""
    survey_id, issued = make_survey(app, villages=villages)
    spare = []
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        keys = [item["key"] for item in survey.template["items"]]
        for village, *_rest in villages:
            codes = [c for c in issued if c.village_code == village]
            for code in codes[:answered]:
                submit(survey, find_code(code.code), Submission({key: S for key in keys}))
            spare += codes[answered:]
        db.session.commit()
    return survey_id, spare


def _publish(app, survey_id: int, *, close: bool = True, reason: str = "") -> None:
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        if close:
            transition(survey, "close", actor_name="test")
        transition(survey, "publish", actor_name="test", reason=reason)
        db.session.commit()


def _key_paper(app, survey_id: int, code) -> str:
    """Store a paper phiếu for a slip (allowed while the survey is closed); return its receipt."""
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        keys = [item["key"] for item in survey.template["items"]]
        recorded = submit(survey, find_code(code.code), Submission({key: N for key in keys}, channel=Channel.PAPER))
        db.session.commit()
        return recorded.receipt


def test_before_publication_the_page_says_received_and_checked_when_published(app, client):
    survey_id, _spare = _answered(app)
    receipt = next(iter(_receipts(app, survey_id)))
    status, html = _page(client, receipt)
    assert status == 200
    assert "Cảm ơn! Phiếu của hộ gia đình đã được ghi nhận." in html and receipt in html
    assert "Khi kết quả được công bố" in html and ("Thôn Một" in html or "Thôn Hai" in html)
    assert COUNTED not in html and NOT_COUNTED not in html and "Mã kiểm tra" not in html


def test_after_publication_a_counted_phieu_names_the_publication_date_village_and_hash(app, client):
    survey_id = build_hand_counted(app, status="published").survey_id
    publication = _published(app, survey_id)
    names = {"T01": "Thôn Một", "T02": "@Thôn Hai"}
    for receipt, (_commune, village) in _receipts(app, survey_id).items():
        status, html = _page(client, receipt)
        assert status == 200 and COUNTED + " 1 " in html, html
        assert names[village] in html and publication.sha256[:12] in html and publication.sha256 not in html
        assert publication.at.strftime("%Y") in html and snapshots.fingerprint(receipt) in html
        assert NOT_COUNTED not in html


def test_a_fingerprint_is_in_its_villages_list_iff_the_page_says_counted(app, client):
    survey_id, spare = _answered(app)
    _publish(app, survey_id)
    with app.app_context():
        snapshots.reopen(db.session.get(Survey, survey_id), REASON, actor_name="test")
        db.session.commit()
    late = _key_paper(app, survey_id, spare[0])  # keyed during the correction: not in publication 1
    for version in (1, 2):
        publication = _published(app, survey_id)
        assert publication.version == version
        with app.app_context():
            listed = snapshots.fingerprints(publication)
        for receipt, village in _receipts(app, survey_id).items():
            _status, html = _page(client, receipt)
            counted = snapshots.fingerprint(receipt) in listed[village]
            assert (COUNTED + f" {version} " in html) == counted and (NOT_COUNTED in html) == (not counted)
            assert counted == (receipt != late or version == 2)
            if not counted:
                assert "Ban Thường trực Ủy ban Mặt trận Tổ quốc xã" in html  # what to do about it
                assert "đang được đính chính" in html  # and that a corrected publication is coming
        if version == 1:
            _publish(app, survey_id, close=False, reason=REASON)


def test_the_live_tables_alone_never_make_a_phieu_counted(app, client):
    """A phiếu moved to another village, or a response row added behind the application's back after
    publication, is not in the snapshot's list for its village: the page says not counted."""
    survey_id, spare = _answered(app)
    _publish(app, survey_id)
    receipts_now = _receipts(app, survey_id)
    moved = next(r for r, (_c, village) in receipts_now.items() if village == "T01")
    with app.app_context():
        other = db.session.execute(select(FrameVillage.id).where(FrameVillage.survey_id == survey_id)
                                   .order_by(FrameVillage.id.desc())).scalars().first()
        db.session.execute(update(Response).where(Response.receipt == moved).values(frame_village_id=other))
        forged = db.session.execute(select(Response).where(Response.survey_id == survey_id)).scalars().first()
        code = find_code(spare[0].code)
        db.session.add(Response(survey_id=survey_id, household_code_id=code.id, frame_village_id=code.frame_village_id,
                                channel=Channel.WEB, receipt="ZZZZ-ZZZZ", submission_digest=forged.submission_digest))
        db.session.commit()
    for receipt in (moved, "ZZZZ-ZZZZ"):
        status, html = _page(client, receipt)
        assert status == 200 and NOT_COUNTED in html and COUNTED not in html


TEXT = st.text(alphabet="abcdeghiklmnopqrstuvxyăâđêôơưàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệ<>&\"' ", min_size=8, max_size=40)\
    .map(str.strip).filter(lambda text: len(text) >= 8 and len(set(text)) > 4)


@settings(max_examples=6)
@given(reasons=st.lists(TEXT, min_size=4, max_size=4), opinions=st.lists(TEXT, min_size=4, max_size=4),
       values=st.lists(st.sampled_from([S, N]), min_size=4, max_size=4))
def test_the_receipt_page_never_shows_an_answer_in_any_state(app, reasons, opinions, values):
    """Answers, reasons, opinions, the items' wording and the choice labels appear on no receipt page, before
    publication, counted, not counted and during a correction, whatever the household wrote."""
    client = app.test_client()
    survey_id, issued = make_survey(app, villages=(("T01", "Thôn Một", 4),))
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        items = survey.template["items"]
        keys = [item["key"] for item in items]

        def send(n: int, channel=Channel.WEB) -> str:
            answers = {key: values[n] if i % 2 else (N if values[n] == S else S) for i, key in enumerate(keys)}
            return submit(db.session.get(Survey, survey_id), find_code(issued[n].code),
                          Submission(answers, reasons={key: reasons[n] for key in keys}, opinion=opinions[n],
                                     channel=channel)).receipt

        sent = [send(n) for n in range(3)]
        db.session.commit()
    forbidden = {text for text in reasons + opinions} | {"Hài lòng", "Không hài lòng", "satisfied"}
    forbidden |= {item["question"] for item in items} | {item["criterion"] for item in items}
    pages = [_page(client, receipt)[1] for receipt in sent]
    _publish(app, survey_id)
    pages += [_page(client, receipt)[1] for receipt in sent]
    with app.app_context():
        snapshots.reopen(db.session.get(Survey, survey_id), REASON, actor_name="test")
        sent.append(send(3, Channel.PAPER))
        db.session.commit()
    pages += [_page(client, receipt)[1] for receipt in sent]
    assert sum(NOT_COUNTED in page for page in pages) == 1 and sum(COUNTED in page for page in pages) == 6
    for page in pages:
        for text in forbidden:
            assert text not in page and str(escape(text)) not in page, text


def escape(text: str) -> str:
    from markupsafe import escape as markup_escape

    return str(markup_escape(text))


@settings(max_examples=40)
@given(data=st.data())
def test_a_receipt_is_found_typed_in_any_case_with_or_without_the_dash(app, data):
    client = app.test_client()
    if not hasattr(app, "_receipt"):
        survey_id, _spare = _answered(app, villages=(("T01", "Thôn Một", 2),), answered=1)
        app._receipt = next(iter(_receipts(app, survey_id)))
    receipt = app._receipt
    plain = receipt.replace("-", "")
    typed = "".join(data.draw(st.sampled_from([ch.lower(), ch.upper()]))
                    + data.draw(st.sampled_from(["", "", " ", "-"])) for ch in plain)
    typed = data.draw(st.sampled_from(["", " "])) + typed
    found = client.get("/bien-nhan", query_string={"so": typed})
    assert found.status_code == 302 and found.headers["Location"].endswith(f"/bien-nhan/{receipt}")
    status, html = _page(client, quote(typed.strip(), safe=""))
    assert status == 200 and receipt in html


@settings(max_examples=60)
@given(typed=st.text(max_size=60))
def test_hostile_receipt_input_is_never_a_server_error(app, typed):
    client = app.test_client()
    app.config["SURVEY_CODE_FAILURE_LIMIT"] = "100000 per minute"
    asked = client.get("/bien-nhan", query_string={"so": typed})
    assert asked.status_code in ((400,) if "\x00" in typed else (302, 404)), asked.status_code  # NUL: ops/inputs
    if asked.status_code == 404:
        assert UNKNOWN in asked.get_data(as_text=True)
    direct = client.get("/bien-nhan/" + quote(typed, safe=""))
    assert direct.status_code in (200, 308, 404, 405), direct.status_code


def test_unknown_receipts_are_a_404_in_vietnamese_counted_like_unknown_codes(app, client):
    survey_id, _spare = _answered(app, villages=(("T01", "Thôn Một", 2),), answered=1)
    receipt = next(iter(_receipts(app, survey_id)))
    pages = [client.get("/bien-nhan/AAAA-AAAA") for _ in range(15)]
    pages += [client.get("/bien-nhan", query_string={"so": "khong phai"}) for _ in range(5)]
    assert [page.status_code for page in pages] == [404] * 20
    html = pages[0].get_data(as_text=True)
    assert UNKNOWN in html and 'lang="vi"' in html and FORM.search(html) and "AAAA-AAAA" in html
    spent = client.get("/bien-nhan/AAAA-AAAB")
    assert spent.status_code == 429 and int(spent.headers["Retry-After"]) > 0
    assert "quá nhiều lần nhập số biên nhận không đúng" in spent.get_data(as_text=True)
    assert _page(client, receipt)[0] == 200  # a real receipt still works from the spent address
    assert client.get("/?code=AAAA-BBBB-CC").status_code == 404  # the household-code budget is its own


def test_the_check_box_is_a_get_form_on_the_home_page_the_check_page_and_the_notice(app, client):
    survey_id = build_hand_counted(app, status="published").survey_id
    for path in ("/", "/bien-nhan", f"/results/{survey_id}/niem-yet"):
        page = client.get(path)
        html = page.get_data(as_text=True)
        assert page.status_code == 200 and "Kiểm tra biên nhận" in html and FORM.search(html), path
        assert "<script" not in html
