"""Small-number suppression on public outputs: the public notice shows how many phiếu a village returned but
no rate or satisfied count below SURVEY_PUBLIC_MIN_RESPONDENTS (default 5), nor for a village whose figures
could be worked out from the others; auditors and staff in scope keep every figure."""
from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from survey_app.extensions import db
from survey_app.models import Survey
from survey_app.services import api_tokens
from survey_app.services.responses import Submission, find_code, submit
from survey_app.services.surveys import transition

from ..factories import make_survey
from .factories import OVERALL, N, S, add_user, log_in

ROW = re.compile(r'<tr><th scope="row">([^<]+)</th>(.*?)</tr>', re.S)
NOTE = "Không công bố tỷ lệ hài lòng của thôn có dưới"


def _published(app, answered: dict[str, list[bool]]) -> int:
    """A published survey whose villages returned one phiếu per listed answer (True: satisfied overall)."""
    villages = tuple((f"T{n:02}", name, len(marks) + 1) for n, (name, marks) in enumerate(answered.items(), 1))
    survey_id, issued = make_survey(app, villages=villages)
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        items = [item["key"] for item in survey.template["items"]]
        for (code, _name, _households), marks in zip(villages, answered.values(), strict=True):
            slips = [c.code for c in issued if c.village_code == code]
            for slip, satisfied in zip(slips, marks, strict=False):
                answers = {key: S for key in items} | {OVERALL: S if satisfied else N}
                submit(survey, find_code(slip), Submission(answers))
        transition(survey, "close", actor_name="test")
        transition(survey, "publish", actor_name="test")
        db.session.commit()
    return survey_id


def _rows(html: str) -> dict[str, str]:
    """Each village row of the notice's village table: name -> the row's cells as text."""
    table = html.split('id="notice-villages"', 1)[1]
    return {name: re.sub(r"<[^>]+>", "|", cells) for name, cells in ROW.findall(table)}


def _cells(row: str) -> list[str]:
    return [c.strip() for c in row.split("|") if c.strip()]


def test_villages_of_one_four_and_five_phieu_on_the_public_notice(app, client):
    survey_id = _published(app, {"Thôn Một": [True], "Thôn Bốn": [True, True, False, True],
                                 "Thôn Năm": [True, True, True, True, False]})
    page = client.get(f"/results/{survey_id}/niem-yet")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    rows = _rows(html)
    # households, returned, participation, overall rate
    assert _cells(rows["Thôn Một"]) == ["2", "1", "50,00\u00a0%", "*"]
    assert _cells(rows["Thôn Bốn"]) == ["5", "4", "80,00\u00a0%", "*"]
    assert _cells(rows["Thôn Năm"]) == ["6", "5", "83,33\u00a0%", "80,00\u00a0%"]
    assert NOTE in html and "dưới 5 phiếu" in html
    # the whole survey's ten phiếu are enough: the items table keeps its figures
    items = html.split('id="notice-items"', 1)[1].split('id="notice-villages"', 1)[0]
    assert "80,00\u00a0%" in items and "Chưa công bố" not in items


def test_a_village_whose_rate_could_be_worked_out_from_the_total_is_withheld_too(app, client):
    """One village of 1 phiếu and one of 5: the commune's figure minus the larger village's would give the
    single household's answer, so the larger village's rate is withheld as well."""
    survey_id = _published(app, {"Thôn Một": [False], "Thôn Năm": [True] * 5})
    html = client.get(f"/results/{survey_id}/niem-yet").get_data(as_text=True)
    rows = _rows(html)
    assert _cells(rows["Thôn Một"])[-1] == "*" and _cells(rows["Thôn Năm"])[-1] == "*"
    assert "suy ra" in html


def test_a_survey_of_fewer_phieu_than_the_minimum_shows_only_counts(app, client):
    survey_id = _published(app, {"Thôn Một": [True], "Thôn Hai": [False, True]})
    html = client.get(f"/results/{survey_id}/niem-yet").get_data(as_text=True)
    items = html.split('id="notice-items"', 1)[1].split('id="notice-villages"', 1)[0]
    assert "Chưa công bố kết quả theo từng nội dung" in items and "3 phiếu" in items
    assert "%" not in items
    assert all(_cells(row)[-1] == "*" for row in _rows(html).values())


def test_the_minimum_is_configurable(app, client):
    app.config["SURVEY_PUBLIC_MIN_RESPONDENTS"] = 1
    survey_id = _published(app, {"Thôn Một": [True], "Thôn Bốn": [True, True, False, True]})
    html = client.get(f"/results/{survey_id}/niem-yet").get_data(as_text=True)
    rows = _rows(html)
    assert _cells(rows["Thôn Một"])[-1] == "100,00\u00a0%" and _cells(rows["Thôn Bốn"])[-1] == "75,00\u00a0%"
    assert NOTE not in html
    app.config["SURVEY_PUBLIC_MIN_RESPONDENTS"] = "không phải số"  # unusable: the default applies, never a 500
    html = client.get(f"/results/{survey_id}/niem-yet").get_data(as_text=True)
    assert _cells(_rows(html)["Thôn Một"])[-1] == "*"


def test_auditors_and_staff_in_scope_keep_every_figure(app, client):
    survey_id = _published(app, {"Thôn Một": [True], "Thôn Bốn": [True, True, False, True]})
    auditor = add_user(app, "kiemtra")
    log_in(app, client, auditor)
    html = client.get(f"/results/{survey_id}").get_data(as_text=True)
    assert "100,00\u00a0%" in html and "75,00\u00a0%" in html and NOTE not in html
    with app.app_context():
        from survey_app.models import User

        _row, clear = api_tokens.create_token(db.session.get(User, auditor), "đối chiếu")
        db.session.commit()
    body = app.test_client().get(f"/api/v1/surveys/{survey_id}/results",
                                 headers={"Authorization": f"Bearer {clear}"}).get_json()
    one = next(v for v in body["villages"] if v["name"] == "Thôn Một")
    overall = next(i for i in one["items"] if i["key"] == OVERALL)
    assert overall["satisfied"] == 1 and overall["rate"] == 1.0


# The rule itself, over generated units: counts of phiếu per village, grouped in communes.
units = st.lists(st.tuples(st.sampled_from(["00001", "00002", "00003"]), st.integers(0, 12)), min_size=1,
                 max_size=12)


def _document(villages: list[tuple[str, int]]) -> dict:
    def items(n: int) -> list[dict]:
        return [{"key": OVERALL, "criterion": "", "satisfied": n // 2, "not_satisfied": n - n // 2, "blank": 0,
                 "rate": (n // 2) / n if n else None}]

    communes: dict[str, int] = {}
    for commune, n in villages:
        communes[commune] = communes.get(commune, 0) + n
    total = sum(communes.values())
    return {
        "format": 1, "survey": {"id": 1}, "generated_at": "", "verdict": "met", "collecting_finished": True,
        "quorum_met": True,
        "coverage": {"households": 99, "respondents": total, "rate": 0.5, "handed_out": 99, "missing": 0,
                     "channels": {"web": total}, "invalid": 0},
        "overall": {"item": OVERALL, "satisfied": total // 2, "respondents": total, "rate": 0.5,
                    "intervals": {}, "stratified": None},
        "items": items(total),
        "villages": [{"code": f"T{i}", "name": f"Thôn {i}", "commune_code": c, "households": 20, "respondents": n,
                      "coverage": n / 20, "handed_out": 20, "missing": 20 - n, "channels": {}, "invalid": 0,
                      "items": items(n)} for i, (c, n) in enumerate(villages)],
        "communes": [{"code": c, "name": c, "villages": 1, "households": 20, "respondents": n, "coverage": 0.1,
                      "handed_out": 20, "missing": 0, "items": items(n)} for c, n in communes.items()],
        "rules": [{"kind": "overall_min", "threshold": 0.7, "threshold_text": "0.7", "subunit": None, "met": True,
                   "observed": 0.5, "successes": 1, "trials": 2, "shortfalls": [], "failing_units": ["T1"],
                   "source": "", "verified": True, "note": ""}],
    }


def _hidden_sum(rows: list[dict]) -> int:
    return sum(r["respondents"] for r in rows if r["suppressed"])


@settings(max_examples=300)
@given(units, st.integers(1, 8))
def test_no_published_figure_comes_from_fewer_phieu_than_the_minimum(villages, minimum):
    from survey_app.services.disclosure import public_document

    document = _document(villages)
    public = public_document(document, minimum)
    total = document["coverage"]["respondents"]
    assert public["items_suppressed"] == (0 < total < minimum)
    for row in public["villages"] + public["communes"]:
        figures = [(i["satisfied"], i["rate"]) for i in row["items"]]
        if row["suppressed"]:
            assert figures == [(None, None)] * len(figures)
        else:
            assert row["respondents"] == 0 or row["respondents"] >= minimum
    if public["items_suppressed"]:
        assert all(i["satisfied"] is None and i["rate"] is None for i in public["items"])
        assert all(r["suppressed"] or r["respondents"] == 0 for r in public["villages"] + public["communes"])
    else:
        # What subtraction reveals, a published parent minus its published children, covers 0 or >= minimum
        for level, parents in (("communes", [None]), ("villages", [c["code"] for c in public["communes"]
                                                                   if not c["suppressed"]])):
            for parent in parents:
                rows = [r for r in public[level] if parent is None or r["commune_code"] == parent]
                assert _hidden_sum(rows) == 0 or _hidden_sum(rows) >= minimum
    # the public copy carries none of the detail that points at units or households
    assert set(public["rules"][0]) == {"kind", "threshold", "threshold_text", "subunit", "met", "source",
                                       "verified"}
    assert "channels" not in public["coverage"] and all("channels" not in v for v in public["villages"])
    assert document["villages"] == _document(villages)["villages"]  # the original is left as it was


@given(st.lists(st.integers(0, 30), max_size=20), st.integers(1, 10))
def test_withheld_units_add_up_to_zero_or_the_minimum(counts, minimum):
    from survey_app.services.disclosure import withheld

    hidden = withheld(counts, minimum)
    assert {i for i, n in enumerate(counts) if 0 < n < minimum} <= hidden
    assert all(counts[i] > 0 for i in hidden)
    total = sum(counts[i] for i in hidden)
    assert total == 0 or total >= minimum or len(hidden) == sum(1 for n in counts if n)


@pytest.mark.parametrize(("value", "fatal", "warned"), [
    (5, False, False), (12, False, False), ("5", False, False), (1, False, True), (0, True, False),
    ("x", True, False), (2.5, True, False), (True, True, False), (None, True, False),
])
def test_a_production_worker_checks_the_minimum(value, fatal, warned):
    from survey_app.ops.checks import production_problems

    problems, warnings = production_problems({"SECRET_KEY": "k" * 64, "SURVEY_PUBLIC_MIN_RESPONDENTS": value})
    assert any("SURVEY_PUBLIC_MIN_RESPONDENTS" in p for p in problems) == fatal
    assert any("SURVEY_PUBLIC_MIN_RESPONDENTS" in w for w in warnings) == warned
