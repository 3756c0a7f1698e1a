"""What a survey template leaves to confirm against the official form (``to_confirm``) is a visible warning in the
new-survey preview and on the survey's page."""
from __future__ import annotations

import re
import shutil

import pytest

from survey_app.extensions import db
from survey_app.models import Survey
from survey_app.services.surveys import create_survey
from survey_app.services.units import FrameRow
from survey_app.survey_templates import DEFAULT_DIR, load_all

from .accounts import token

pytestmark = pytest.mark.usefixtures("planning_day")

ITEM_COUNT = "Số nội dung cần xác nhận: phiếu này có {n} nội dung"
WORDING = "Lời văn các nội dung cần xác nhận"
TEMPLATES = load_all()


def _notice(html: str) -> str:
    """The to-confirm warning of a page ("" when there is none)."""
    match = re.search(r'<div class="notice notice-warn" role="note" id="to-confirm">(.*?)</div>', html, re.S)
    return match.group(1) if match else ""


def _preview(client, unit: str, template: str) -> str:
    data = {"csrf_token": token(client), "unit_code": unit, "template": template, "start": "2026-03-02",
            "margin": "0.05", "preview": "1"}
    page = client.post(f"/staff/surveys/new?unit={unit}", data=data)
    assert page.status_code in (200, 422)
    return page.get_data(as_text=True)


@pytest.mark.parametrize("key", sorted(TEMPLATES))
def test_the_preview_warns_of_what_the_chosen_template_leaves_to_confirm(as_user, key):
    template = TEMPLATES[key]
    unit = "21040" if template.level == "commune" else "51"
    notice = _notice(_preview(as_user("staff_province"), unit, key))
    assert (ITEM_COUNT.format(n=len(template.items)) in notice) == ("item_count" in template.to_confirm)
    assert (WORDING in notice) == ("wording" in template.to_confirm)
    assert bool(notice) == bool(template.to_confirm)


def test_the_province_template_leaves_only_its_wording_to_confirm(as_user):
    notice = _notice(_preview(as_user("staff_province"), "51", "tinh-2021"))
    assert WORDING in notice and "Số nội dung cần xác nhận" not in notice


def test_the_first_page_warns_for_the_template_offered_first(as_user):
    html = as_user("staff_commune").get("/staff/surveys/new").get_data(as_text=True)
    first = re.search(r'<option[^>]*value="([a-z0-9-]+)"', html).group(1)
    assert ITEM_COUNT.format(n=len(TEMPLATES[first].items)) in _notice(html)


def test_a_template_that_follows_a_published_form_gets_no_warning(app, as_user, tmp_path):
    for path in DEFAULT_DIR.glob("*.yaml"):
        shutil.copy(path, tmp_path)
    path = tmp_path / "xa-ntm-2026.yaml"
    path.write_text(re.sub(r"\nto_confirm: .*", "\nto_confirm: []", path.read_text(encoding="utf-8")),
                    encoding="utf-8")
    app.config["SURVEY_TEMPLATES_DIR"] = str(tmp_path)
    assert _notice(_preview(as_user("staff_commune"), "21040", "xa-ntm-2026")) == ""
    assert _notice(_preview(as_user("staff_commune"), "21040", "xa-ntm-2021")) != ""


def _survey(app, key: str, unit: str, drop_flag: bool = False) -> int:
    with app.app_context():
        frame = [FrameRow(1, "T01", "Thôn Một", 40, "21040" if unit == "51" else None)]
        survey = create_survey(key, unit, frame, actor_name="test")
        if drop_flag:  # a survey created before templates said what is to confirm
            survey.template = {k: v for k, v in survey.template.items() if k != "to_confirm"}
        db.session.commit()
        return survey.id


@pytest.mark.parametrize(("key", "unit", "drop_flag", "count", "wording"), [
    ("xa-ntm-2021", "21040", False, True, True),
    ("tinh-2021", "51", False, False, True),
    ("tinh-2021", "51", True, True, True),
])
def test_the_survey_page_shows_what_its_snapshot_leaves_to_confirm(app, as_user, key, unit, drop_flag, count,
                                                                   wording):
    survey_id = _survey(app, key, unit, drop_flag)
    html = as_user("staff_province").get(f"/staff/surveys/{survey_id}").get_data(as_text=True)
    notice = _notice(html)
    assert (ITEM_COUNT.format(n=len(TEMPLATES[key].items)) in notice) == count
    assert (WORDING in notice) == wording
    with app.app_context():
        assert ("to_confirm" in db.session.get(Survey, survey_id).template) == (not drop_flag)


def test_an_average_rule_is_named_on_the_survey_and_rules_pages_and_a_change_keeps_its_items(app, as_user):
    survey_id = _survey(app, "tinh-2021", "51")
    client = as_user("staff_province")
    label = "Bình quân các nội dung, ở từng xã, tối thiểu (mọi nội dung)"
    assert label in client.get(f"/staff/surveys/{survey_id}").get_data(as_text=True)
    assert label in client.get(f"/staff/surveys/{survey_id}/rules").get_data(as_text=True)
    with app.app_context():
        old = db.session.get(Survey, survey_id).rules
    assert [rule.get("items") for rule in old] == [None, "all"]
    data = {"csrf_token": token(client), "justification": "Theo công văn số 12/MTTQ-BTT của Ban Thường trực tỉnh"}
    for n, rule in enumerate(old):
        data |= {f"rules-{n}-threshold": rule["threshold"], f"rules-{n}-source": rule["source"],
                 f"rules-{n}-note": rule["note"]} | ({f"rules-{n}-verified": "y"} if rule["verified"] else {})
    data["rules-1-threshold"] = "92 %"
    assert client.post(f"/staff/surveys/{survey_id}/rules", data=data).status_code == 302
    with app.app_context():
        rules = db.session.get(Survey, survey_id).rules
    assert rules[1] == old[1] | {"threshold": "0.92"} and rules[0] == old[0]
