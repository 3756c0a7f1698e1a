"""The survey templates of surveys/ and their loader/validator (survey_app.survey_templates)."""
from __future__ import annotations

import json
import re
import unicodedata
from decimal import Decimal
from pathlib import Path

import pytest
from flask import Flask

from analysis import rules as analysis_rules
from survey_app.i18n_extract import iter_messages
from survey_app.survey_templates import (
    AVERAGE_KINDS,
    DEFAULT_DIR,
    ITEM_SELECTIONS,
    RULE_KINDS,
    SurveyTemplate,
    TemplateError,
    check_all,
    load_all,
    load_template,
    templates_dir,
    to_confirm_of,
)

ROOT = Path(__file__).resolve().parent.parent
UNVERIFIED_SOURCE = "Chưa tìm thấy văn bản quy định – cần xác nhận"

#: Keys fixed by docs (product.md), with the item count of each (overall item included).
ITEM_COUNTS = {
    "xa-ntm-2021": 20,
    "xa-ntm-nang-cao-2021": 20,
    "xa-ntm-kieu-mau-2021": 20,
    "huyen-ntm-2021": 9,
    "huyen-ntm-nang-cao-2021": 10,
    "thi-xa-thanh-pho-2021": 9,
    "tinh-2021": 9,
    "xa-ntm-2026": 11,
}
COMMUNE_2021 = ["xa-ntm-2021", "xa-ntm-nang-cao-2021", "xa-ntm-kieu-mau-2021"]
CRITERIA_318 = [
    "Quy hoạch", "Giao thông", "Thủy lợi và phòng chống thiên tai", "Điện", "Trường học",
    "Cơ sở vật chất văn hóa", "Cơ sở hạ tầng thương mại nông thôn", "Thông tin và truyền thông",
    "Nhà ở dân cư", "Thu nhập", "Nghèo đa chiều", "Lao động",
    "Tổ chức sản xuất và phát triển kinh tế nông thôn", "Giáo dục và đào tạo", "Y tế", "Văn hóa",
    "Môi trường và an toàn thực phẩm",
    "Hệ thống chính trị và tiếp cận pháp luật", "Quốc phòng và an ninh",
]
CRITERIA_51 = [
    "Quy hoạch", "Hạ tầng kinh tế – xã hội", "Phát triển kinh tế nông thôn",
    "Đào tạo nguồn nhân lực nông thôn",
    "Văn hóa, giáo dục, y tế", "Giảm nghèo và an sinh xã hội", "Khoa học công nghệ và chuyển đổi số",
    "Môi trường và cảnh quan nông thôn", "Xây dựng hệ thống chính trị và hành chính công",
    "Tiếp cận pháp luật và an ninh, quốc phòng",
]


@pytest.fixture(scope="module")
def templates() -> dict[str, SurveyTemplate]:
    return load_all()


def rule_table(template: SurveyTemplate) -> set[tuple]:
    return {(r.kind, r.threshold, r.subunit, r.verified) for r in template.rules}


# --- the shipped templates -------------------------------------------------------------------------------

def test_shipped_templates_pass_check():
    assert check_all() == []


def test_default_directory_is_the_repository_surveys_folder():
    assert templates_dir() == DEFAULT_DIR == ROOT / "surveys"


def test_keys_are_those_of_the_product(templates):
    assert set(templates) == set(ITEM_COUNTS)


@pytest.mark.parametrize(("key", "count"), ITEM_COUNTS.items())
def test_item_count(templates, key, count):
    assert len(templates[key].items) == count


@pytest.mark.parametrize("key", ITEM_COUNTS)
def test_questions_are_polite_yes_no_questions_ending_with_the_overall_item(templates, key):
    template = templates[key]
    assert template.items[-1].key == template.overall_item
    assert template.items[-1].question.startswith("Nhìn chung, Ông/Bà có hài lòng với kết quả")
    for item in template.items[:-1]:
        assert item.question.startswith("Ông/Bà có hài lòng với "), item.key
        assert item.question.endswith(" không?"), item.key
    assert dict(template.answer_options) == {"satisfied": "Hài lòng", "not_satisfied": "Không hài lòng"}
    assert "đối chiếu với mẫu phiếu chính thức" in template.wording_note


@pytest.mark.parametrize("key", ITEM_COUNTS)
def test_every_rule_names_its_source_and_unverified_ones_say_so(templates, key):
    assert templates[key].rules
    for rule in templates[key].rules:
        assert rule.source and rule.note
        if not rule.verified:
            assert "cần xác nhận" in rule.note or rule.source == UNVERIFIED_SOURCE, rule


def test_every_user_visible_string_is_nfc(templates):
    for template in templates.values():
        for _line, text, _comment in iter_messages(template):
            assert unicodedata.is_normalized("NFC", text), text


@pytest.mark.parametrize("key", COMMUNE_2021)
def test_commune_2021_items_follow_the_19_criteria_of_qd_318(templates, key):
    criteria = [item.criterion for item in templates[key].items[:-1]]
    assert criteria == [f"Tiêu chí {n}: {name}" for n, name in enumerate(CRITERIA_318, 1)]


def test_xa_ntm_2026_items_are_the_10_criteria_of_qd_51(templates):
    criteria = [item.criterion for item in templates["xa-ntm-2026"].items[:-1]]
    assert criteria == [f"Tiêu chí {n}: {name}" for n, name in enumerate(CRITERIA_51, 1)]


def test_huyen_ntm_2021_rules_are_the_verified_ones_of_qd_320(templates):
    template = templates["huyen-ntm-2021"]
    assert rule_table(template) == {
        ("overall_min", Decimal("0.90"), None, True),
        ("subunit_item_min", Decimal("0.80"), "commune", True),
        ("coverage_min", Decimal("0.70"), None, True),
    }
    assert all("320/QĐ-TTg" in rule.source for rule in template.rules if rule.kind != "coverage_min")


@pytest.mark.parametrize("key", [*COMMUNE_2021, "xa-ntm-2026"])
def test_commune_thresholds_are_not_verified(templates, key):
    assert rule_table(templates[key]) == {
        ("item_min", Decimal("0.80"), None, False),
        ("overall_min", Decimal("0.90"), None, False),
        ("coverage_min", Decimal("0.60"), None, False),
    }


def test_xa_ntm_2026_thresholds_are_configurable_defaults_without_a_source(templates):
    assert {rule.source for rule in templates["xa-ntm-2026"].rules} == {UNVERIFIED_SOURCE}


@pytest.mark.parametrize("key", ["huyen-ntm-nang-cao-2021", "thi-xa-thanh-pho-2021"])
def test_district_kinds_without_a_source_are_not_verified(templates, key):
    assert not any(rule.verified for rule in templates[key].rules)


def test_province_rules_are_the_practice_of_tien_giang_2024(templates):
    template = templates["tinh-2021"]
    assert rule_table(template) == {
        ("subunit_item_min", Decimal("0.90"), "commune", True),
        ("subunit_average_min", Decimal("0.90"), "commune", True),
    }
    average = next(rule for rule in template.rules if rule.kind == "subunit_average_min")
    assert average.items == "all" and "Tiền Giang, 2024" in average.source and "bình quân" in average.source


#: The published Tiền Giang 2024 province form: 9 questions; 1 planning information, 2 roads with roadside
#: trees, 6 contributions of money, workdays and land; 9 the overall question.
TINH_KEYS = ["thong-tin-quy-hoach", "giao-thong-cay-xanh", "dien-nuoc-thuy-loi", "y-te-giao-duc-van-hoa",
             "san-xuat-thu-nhap", "huy-dong-dong-gop", "moi-truong", "an-ninh-chinh-quyen", "hai-long-chung"]


def test_province_template_follows_the_published_tien_giang_form(templates):
    template = templates["tinh-2021"]
    assert template.version >= 2 and [item.key for item in template.items] == TINH_KEYS
    questions = [item.question for item in template.items]
    assert "được thông tin về quy hoạch của xã, huyện và tỉnh" in questions[0]
    assert "cứng hóa" in questions[1] and "cây xanh dọc các tuyến đường" in questions[1]
    assert "(tiền, ngày công, hiến đất)" in questions[5]
    stand_ins = [n for n, item in enumerate(template.items, 1) if "(nội dung tạm đặt)" in item.criterion]
    assert stand_ins == [3, 4, 5, 7, 8]
    assert "Tiền Giang năm 2024" in template.legal_basis and "Tiền Giang năm 2024" in template.wording_note
    assert template.to_confirm == ("wording",)


def test_district_coverage_cites_tan_phuoc_and_is_verified_as_the_domain_says(templates):
    rule = next(rule for rule in templates["huyen-ntm-2021"].rules if rule.kind == "coverage_min")
    assert rule.verified and "Tân Phước" in rule.source and "huyện nông thôn mới là 70%" in rule.source


def test_district_nang_cao_follows_the_trieu_son_plan_all_to_confirm(templates):
    template = templates["huyen-ntm-nang-cao-2021"]
    assert rule_table(template) == {
        ("overall_min", Decimal("0.98"), None, False),
        ("items_average_min", Decimal("0.95"), None, False),
        ("coverage_min", Decimal("0.92"), None, False),
    }
    assert all("Triệu Sơn" in rule.source for rule in template.rules)
    average = next(rule for rule in template.rules if rule.kind == "items_average_min")
    assert average.items == "all_except_overall" and len(template.items) == 10  # questions 1-9


TO_CONFIRM = {"huyen-ntm-2021": ("wording",), "huyen-ntm-nang-cao-2021": ("wording",), "tinh-2021": ("wording",),
              **dict.fromkeys([*COMMUNE_2021, "thi-xa-thanh-pho-2021", "xa-ntm-2026"], ("item_count", "wording"))}


@pytest.mark.parametrize(("key", "flags"), TO_CONFIRM.items())
def test_what_is_still_to_confirm_against_the_official_form(templates, key, flags):
    assert templates[key].to_confirm == flags
    assert templates[key].to_snapshot()["to_confirm"] == list(flags)


def test_a_template_or_snapshot_without_to_confirm_needs_everything_confirmed(templates, tmp_path):
    snapshot = templates["tinh-2021"].to_snapshot()
    del snapshot["to_confirm"]
    assert SurveyTemplate.from_snapshot(snapshot).to_confirm == ("item_count", "wording")
    assert to_confirm_of(snapshot) == ("item_count", "wording")
    assert to_confirm_of(templates["tinh-2021"].to_snapshot()) == ("wording",)
    text = (DEFAULT_DIR / "tinh-2021.yaml").read_text(encoding="utf-8")
    (tmp_path / "tinh-2021.yaml").write_text(re.sub(r"\nto_confirm: .*", "", text), encoding="utf-8")
    assert load_template("tinh-2021", tmp_path).to_confirm == ("item_count", "wording")


def test_the_loader_knows_the_rule_kinds_of_the_rules_engine():
    assert RULE_KINDS == analysis_rules.RULE_KINDS and AVERAGE_KINDS == analysis_rules.AVERAGE_KINDS
    assert ITEM_SELECTIONS == analysis_rules.ITEM_SELECTIONS


def test_only_average_rules_keep_items_in_the_snapshot(templates):
    rules = templates["huyen-ntm-nang-cao-2021"].to_snapshot()["rules"]
    assert [rule.get("items") for rule in rules] == [None, "all_except_overall", None]
    assert ["items" in rule for rule in rules] == [False, True, False]


# --- snapshots and messages ------------------------------------------------------------------------------

@pytest.mark.parametrize("key", ITEM_COUNTS)
def test_snapshot_round_trips_through_json(templates, key):
    snapshot = templates[key].to_snapshot()
    assert (snapshot["format"], snapshot["key"], snapshot["version"]) == (1, key, templates[key].version)
    assert all(isinstance(rule["threshold"], str) for rule in snapshot["rules"])
    restored = json.loads(json.dumps(snapshot, ensure_ascii=False))
    assert restored == snapshot
    assert SurveyTemplate.from_snapshot(restored) == templates[key]


def test_from_snapshot_validates(templates):
    snapshot = templates["xa-ntm-2026"].to_snapshot()
    snapshot["rules"][0]["threshold"] = "1.5"
    with pytest.raises(TemplateError) as caught:
        SurveyTemplate.from_snapshot(snapshot)
    assert str(caught.value) == "<snapshot>: threshold '1.5' is not in (0, 1]"


# --- loading and directories -----------------------------------------------------------------------------

@pytest.mark.parametrize("key", ["no-such-template", "../surveys/xa-ntm-2021", "Xa"])
def test_load_template_rejects_unknown_keys(key):
    with pytest.raises(TemplateError, match="no survey template"):
        load_template(key)


def test_flask_config_overrides_the_templates_directory(tmp_path):
    app = Flask(__name__)
    app.config["SURVEY_TEMPLATES_DIR"] = str(tmp_path)
    with app.app_context():
        assert templates_dir() == tmp_path
        assert [e.message for e in check_all()] == ["no survey templates (*.yaml) found"]
    assert templates_dir() == DEFAULT_DIR


# --- broken files: message and line ----------------------------------------------------------------------
