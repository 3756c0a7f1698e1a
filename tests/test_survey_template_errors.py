"""Survey templates that are broken: each error with its file and line, on the command line too (format 1)."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from flask import Flask
from hypothesis import given, settings
from hypothesis import strategies as st

from survey_app.cli.templates import surveys
from survey_app.survey_templates import (
    SurveyTemplate,
    TemplateError,
    check_all,
    load_template,
)

from .test_survey_templates import ITEM_COUNTS

ROOT = Path(__file__).resolve().parent.parent
BROKEN = Path(__file__).resolve().parent / "data" / "templates"

BROKEN_CASES = [
    ("bad-yaml", 19, "invalid YAML: expected <block end>, but found '<block mapping start>'"),
    ("duplicate-field", 9, "invalid YAML: duplicate field 'title'"),
    ("missing-field", 18, "missing field 'question' in item 1"),
    ("unknown-field", 13, "unknown field 'colour' in template"),
    ("wrong-type", 4, "field 'version' in template must be an integer"),
    ("duplicate-item-key", 21, "duplicate item key 'quy-hoach'"),
    ("bad-slug", 18, "item key 'Quy Hoach' is not a lowercase slug"),
    ("threshold-too-big", 26, "threshold '1.5' is not in (0, 1]"),
    ("threshold-not-decimal", 26, "threshold 'abc' is not a decimal string"),
    ("threshold-unquoted", 26, 'threshold 0.9 must be a quoted decimal string, e.g. "0.90"'),
    ("unknown-rule-kind", 25, "unknown rule kind 'max_rate' (overall_min, item_min, subunit_item_min, "
                              "coverage_min, items_average_min, subunit_average_min)"),
    ("average-items-missing", 25,
     "rule 1: items_average_min needs items (a list of item keys, all or all_except_overall)"),
    ("average-items-unknown", 27, "rule 1: items names 'giao-thong', which is not an item key"),
    ("average-items-bad", 27, "items 'most' is not all, all_except_overall or a list"),
    ("average-subunit-missing", 25, "rule 1: subunit_average_min needs a subunit"),
    ("items-on-item-rule", 27, "rule 1: only items_average_min and subunit_average_min take items"),
    ("to-confirm-bad", 11, "to_confirm must list distinct values of item_count, wording (or be [])"),
    ("subunit-missing", 25, "rule 1: subunit_item_min needs a subunit"),
    ("overall-item-missing", 13, "overall_item 'chung' is not an item key"),
    ("key-mismatch", 3, "key 'xa-khac' does not match the file name 'key-mismatch.yaml'"),
    ("format-2", 2, "format 2 is not supported (expected 1)"),
    ("bad-level", 5, "level 'village' is not one of commune, district, town, province"),
    ("not-nfc", 7, "field 'title' in template must be non-empty, NFC-normalised text"),
]


@pytest.mark.parametrize(("stem", "line", "message"), BROKEN_CASES, ids=[case[0] for case in BROKEN_CASES])
def test_broken_file_reports_message_and_line(monkeypatch, stem, line, message):
    monkeypatch.chdir(ROOT)
    with pytest.raises(TemplateError) as caught:
        load_template(stem, BROKEN)
    assert (caught.value.line, caught.value.message) == (line, message)
    assert str(caught.value) == f"tests/data/templates/{stem}.yaml:{line}: {message}"


def test_every_broken_fixture_is_in_the_matrix():
    assert {path.stem for path in BROKEN.glob("*.yaml")} == {case[0] for case in BROKEN_CASES}


def test_check_all_collects_the_errors_of_every_file():
    errors = check_all(BROKEN)
    assert sorted((Path(e.path).stem, e.line, e.message) for e in errors) == sorted(BROKEN_CASES)


def test_check_collects_every_error_of_one_file(tmp_path):
    text = (BROKEN / "bad-slug.yaml").read_text(encoding="utf-8")
    text = text.replace('threshold: "0.90"', 'threshold: "0"').replace("format: 1\n", "format: 1\nextra: 1\n")
    (tmp_path / "bad-slug.yaml").write_text(text, encoding="utf-8")
    assert [(e.line, e.message) for e in check_all(tmp_path)] == [
        (3, "unknown field 'extra' in template"),
        (19, "item key 'Quy Hoach' is not a lowercase slug"),
        (27, "threshold '0' is not in (0, 1]"),
    ]


# --- the flask surveys commands --------------------------------------------------------------------------

@pytest.fixture
def cli_app():
    app = Flask(__name__)
    app.cli.add_command(surveys)
    return app


def test_cli_list(cli_app):
    result = cli_app.test_cli_runner().invoke(args=["surveys", "list"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert [line.split()[0] for line in lines] == sorted(ITEM_COUNTS)
    assert re.match(r"xa-ntm-2026 +v2 +commune +11 items +Phiếu lấy ý kiến", lines[-3])


def test_cli_check_passes_on_the_shipped_templates(cli_app):
    result = cli_app.test_cli_runner().invoke(args=["surveys", "check"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("8 templates OK")


def test_cli_check_reports_every_error_and_fails(cli_app, monkeypatch):
    monkeypatch.chdir(ROOT)
    result = cli_app.test_cli_runner().invoke(args=["surveys", "check", "--dir", str(BROKEN)])
    assert result.exit_code == 1
    for stem, line, message in BROKEN_CASES:
        assert f"tests/data/templates/{stem}.yaml:{line}: {message}\n" in result.stderr
    assert f"{len(BROKEN_CASES)} error(s) in {len(BROKEN_CASES)} file(s)." in result.stderr


def test_cli_uses_the_configured_directory(cli_app, tmp_path):
    (tmp_path / "bad-level.yaml").write_bytes((BROKEN / "bad-level.yaml").read_bytes())
    cli_app.config["SURVEY_TEMPLATES_DIR"] = str(tmp_path)
    runner = cli_app.test_cli_runner()
    checked = runner.invoke(args=["surveys", "check"])
    assert checked.exit_code == 1 and "bad-level.yaml:5: level 'village'" in checked.stderr
    listed = runner.invoke(args=["surveys", "list"])
    assert listed.exit_code == 1 and "flask surveys check" in listed.stderr


# --- average rules and to_confirm: more broken variants, and hostile values --------------------------------

AVERAGE_RULE = '''  - kind: {kind}
    threshold: "0.95"{extra}
    source: "Chưa tìm thấy văn bản quy định – cần xác nhận"
    verified: false
    note: "Thử."
'''


def _with_rule(kind: str, extra: str, items_text: str | None = None) -> str:
    """The subunit-missing fixture with its one rule replaced (the rule's kind stays on line 25)."""
    text = (BROKEN / "subunit-missing.yaml").read_text(encoding="utf-8")
    head = text.split("rules:\n")[0].replace("key: subunit-missing", "key: variant")
    if items_text is not None:
        head = head.replace("  - key: quy-hoach\n    criterion: \"Tiêu chí 1: Quy hoạch\"\n"
                            "    question: \"Ông/Bà có hài lòng với việc thực hiện quy hoạch của xã không?\"\n",
                            items_text)
    return head + "rules:\n" + AVERAGE_RULE.format(kind=kind, extra=extra)


VARIANTS = [
    ("items_average_min", "\n    items: [quy-hoach, quy-hoach]", 27, "items lists an item key twice"),
    ("items_average_min", "\n    items: []", 27,
     "items must be a non-empty list of item keys, all or all_except_overall"),
    ("items_average_min", "\n    items: [Quy Hoach]", 27,
     "items must be a non-empty list of item keys, all or all_except_overall"),
    ("items_average_min", "\n    items: 3", 27,
     "field 'items' in rule 1 must be a list of item keys, all or all_except_overall"),
    ("items_average_min", "\n    items: null", 27,
     "rule 1: items_average_min needs items (a list of item keys, all or all_except_overall)"),
    ("items_average_min", "\n    items: all\n    subunit: village", 28, "rule 1: items_average_min takes no subunit"),
    ("coverage_min", "\n    items: [quy-hoach]", 27,
     "rule 1: only items_average_min and subunit_average_min take items"),
    ("subunit_average_min", "\n    items: all\n    subunit: null", 28, "rule 1: subunit_average_min needs a subunit"),
]


@pytest.mark.parametrize(("kind", "extra", "line", "message"), VARIANTS)
def test_broken_average_rules_report_message_and_line(tmp_path, kind, extra, line, message):
    (tmp_path / "variant.yaml").write_text(_with_rule(kind, extra), encoding="utf-8")
    assert [(e.line, e.message) for e in check_all(tmp_path)] == [(line, message)]


def test_all_except_overall_on_a_form_with_only_the_overall_item_averages_nothing(tmp_path):
    (tmp_path / "variant.yaml").write_text(_with_rule("items_average_min", "\n    items: all_except_overall",
                                                      items_text=""), encoding="utf-8")
    assert [(e.line, e.message) for e in check_all(tmp_path)] == [
        (24, "rule 1: all_except_overall leaves no item to average")]


@pytest.mark.parametrize(("value", "message"), [
    ("wording", "field 'to_confirm' in template must be a list"),
    ("[wording, wording]", "to_confirm must list distinct values of item_count, wording (or be [])"),
    ("[null]", "to_confirm must list distinct values of item_count, wording (or be [])"),
])
def test_broken_to_confirm(tmp_path, value, message):
    text = _with_rule("item_min", "").replace("blank_items_valid:", f"to_confirm: {value}\nblank_items_valid:")
    (tmp_path / "variant.yaml").write_text(text, encoding="utf-8")
    assert [(e.line, e.message) for e in check_all(tmp_path)] == [(12, message)]


def test_an_empty_to_confirm_says_the_form_is_followed(tmp_path):
    text = _with_rule("item_min", "").replace("blank_items_valid:", "to_confirm: []\nblank_items_valid:")
    (tmp_path / "variant.yaml").write_text(text, encoding="utf-8")
    assert load_template("variant", tmp_path).to_confirm == ()


_YAML_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=3),
    max_leaves=8)


@given(kind=st.sampled_from(["items_average_min", "subunit_average_min", "item_min"]), items=_YAML_VALUES,
       to_confirm=_YAML_VALUES)
@settings(max_examples=150)
def test_hostile_items_and_to_confirm_give_located_errors_or_a_template(tmp_path, kind, items, to_confirm):
    dumped = yaml.safe_dump({"items": items}, allow_unicode=True, default_flow_style=True, width=10_000).strip()
    flags = yaml.safe_dump({"to_confirm": to_confirm}, allow_unicode=True, default_flow_style=True,
                           width=10_000).strip()
    text = _with_rule(kind, "\n    subunit: village\n    items: " + dumped[len("{items: "):-1]
                      if kind == "subunit_average_min" else "\n    items: " + dumped[len("{items: "):-1])
    text = text.replace("blank_items_valid:", flags[1:-1] + "\nblank_items_valid:")
    (tmp_path / "variant.yaml").write_text(text, encoding="utf-8")
    errors = check_all(tmp_path)
    assert all(error.line for error in errors), errors
    if not errors:
        template = load_template("variant", tmp_path)
        assert SurveyTemplate.from_snapshot(json.loads(json.dumps(template.to_snapshot()))) == template
