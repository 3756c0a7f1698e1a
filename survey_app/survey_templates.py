"""Load and validate the survey templates ``surveys/*.yaml`` (format 1, see ``surveys/README.md``).

This is the one loader: the app, the ``flask surveys`` commands, the Babel extractor and the tests use it.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from .template_rules import (
    AVERAGE_KINDS,
    ITEM_SELECTIONS,
    RULE_FIELDS,
    RULE_KINDS,
    RULE_TYPE_NAMES,
    SLUG,
    SUBUNITS,
    check,
    check_rules,
    rule_snapshot,
    selection,
)

__all__ = ["AVERAGE_KINDS", "ITEM_SELECTIONS", "RULE_KINDS", "SUBUNITS", "TO_CONFIRM", "SurveyTemplate",
           "TemplateError", "TemplateItem", "TemplateRule", "check_all", "load_all", "load_template",
           "templates_dir", "to_confirm_of"]

FORMAT = 1
LEVELS = ("commune", "district", "town", "province")
#: What may still have to be confirmed against the official form; a template without ``to_confirm`` (every
#: survey snapshot taken before the field existed) is taken to need both.
TO_CONFIRM = ("item_count", "wording")
TEXTS = ("title", "short_title", "legal_basis", "purpose", "wording_note")
DEFAULT_DIR = Path(__file__).resolve().parent.parent / "surveys"
_SOURCE_LINES = {"default_factory": dict, "compare": False, "hash": False, "repr": False}


def _check_to_confirm(value: list) -> str | None:
    if not all(isinstance(v, str) and v in TO_CONFIRM for v in value) or len(set(value)) < len(value):
        return f"to_confirm must list distinct values of {', '.join(TO_CONFIRM)} (or be [])"
    return None


#: The fields of each mapping: name -> (type, check returning an error message or None).
#: All are required but ``OPTIONAL`` ones: a rule's ``subunit`` (required by the sub-unit kinds, allowed for
#: coverage_min) and ``items`` (required by the average kinds), and the template's ``to_confirm``.
OPTIONAL = ("subunit", "items", "to_confirm")
TOP_FIELDS: dict[str, tuple] = {
    "format": (int, check(lambda v: v == FORMAT, f"format {{}} is not supported (expected {FORMAT})")),
    "key": (str, check(SLUG.match, "template key '{}' is not a lowercase slug")),
    "version": (int, check(lambda v: v >= 1, "version {} must be 1 or more")),
    "level": (str, check(LEVELS.__contains__, f"level '{{}}' is not one of {', '.join(LEVELS)}")),
    "period": (str, check(re.compile(r"\d{4}-\d{4}\Z").match, "period '{}' is not like \"2021-2025\"")),
    **dict.fromkeys(TEXTS, (str, None)),
    "blank_items_valid": (bool, None), "overall_item": (str, None), "answer_options": (dict, None),
    "items": (list, check(len, "a template needs at least one item")),
    "rules": (list, check(len, "a template needs at least one rule")),
    "to_confirm": (list, _check_to_confirm),
}
ANSWER_FIELDS = {"satisfied": (str, None), "not_satisfied": (str, None)}
ITEM_FIELDS = {"key": (str, check(SLUG.match, "item key '{}' is not a lowercase slug")),
               "criterion": (str, None), "question": (str, None)}
_TYPE_NAMES = {int: "an integer", str: "a text", bool: "true or false", list: "a list", dict: "a mapping",
               **RULE_TYPE_NAMES}


class TemplateError(ValueError):
    """A problem in a template file, located by path and line (``line`` is None when unknown)."""

    def __init__(self, path: str | Path, line: int | None, message: str):
        if isinstance(path, Path) and path.resolve().is_relative_to(Path.cwd()):
            path = path.resolve().relative_to(Path.cwd())  # shown as surveys/x.yaml
        self.path, self.line, self.message = str(path), line, message
        super().__init__(str(self))

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}" if self.line else f"{self.path}: {self.message}"


@dataclass(frozen=True)
class TemplateItem:
    """One question of a phiếu, answered hài lòng / không hài lòng."""

    key: str
    criterion: str
    question: str
    lines: Mapping[str, int] = field(**_SOURCE_LINES)  # line of each field; empty when from a snapshot


@dataclass(frozen=True)
class TemplateRule:
    """A threshold results are judged against, with its legal source and whether it is verified."""

    kind: str
    threshold: Decimal
    subunit: str | None
    source: str
    verified: bool
    note: str
    items: tuple[str, ...] | str | None = None  # average kinds: the item keys, "all" or "all_except_overall"
    lines: Mapping[str, int] = field(**_SOURCE_LINES)


@dataclass(frozen=True)
class SurveyTemplate:
    """A validated survey template: the items residents answer and the rules results are judged by."""

    format: int
    key: str
    version: int
    level: str
    period: str
    title: str
    short_title: str
    legal_basis: str
    purpose: str
    wording_note: str
    blank_items_valid: bool
    overall_item: str
    answer_options: Mapping[str, str] = field(hash=False)
    items: tuple[TemplateItem, ...]
    rules: tuple[TemplateRule, ...]
    to_confirm: tuple[str, ...]
    """What is still to be confirmed against the official form: ``item_count``, ``wording``; () for neither."""
    lines: Mapping[str, int] = field(**_SOURCE_LINES)

    def to_snapshot(self) -> dict:
        """Return the template as a plain JSON-able dict, to be copied into a survey."""
        return {name: getattr(self, name) for name in TOP_FIELDS} | {
            "answer_options": dict(self.answer_options),
            "items": [{name: getattr(item, name) for name in ITEM_FIELDS} for item in self.items],
            "rules": [rule_snapshot(rule) for rule in self.rules],
            "to_confirm": list(self.to_confirm),
        }

    @classmethod
    def from_snapshot(cls, data: Mapping) -> SurveyTemplate:
        """Rebuild (and re-validate) a template from the output of ``to_snapshot()``."""
        template, errors = _validate(data, "<snapshot>", stem=None)
        if errors:
            raise errors[0]
        return template


def to_confirm_of(snapshot: Mapping) -> tuple[str, ...]:
    """What a survey's template snapshot leaves to confirm (both when it predates the field)."""
    return tuple(snapshot.get("to_confirm", TO_CONFIRM))


class _Map(dict):
    """A YAML mapping that knows its ``line`` and the line of each of its keys (``lines``)."""


class _Loader(yaml.SafeLoader):
    """The safe YAML loader, with mappings that record line numbers and reject duplicate keys."""

    def construct_line_map(self, node: yaml.MappingNode):
        data = _Map()
        yield data
        data.line, data.lines = node.start_mark.line + 1, {}
        for key_node, _value in node.value:
            key = str(self.construct_object(key_node))
            if key in data.lines:
                mark = key_node.start_mark
                raise yaml.constructor.ConstructorError(None, None, f"duplicate field '{key}'", mark)
            data.lines[key] = key_node.start_mark.line + 1
        data.update(self.construct_mapping(node))


_Loader.add_constructor("tag:yaml.org,2002:map", _Loader.construct_line_map)


def _line(data: Any, name: str | None = None, default: int | None = None) -> int | None:
    return (data.lines.get(name, data.line) if name else data.line) if isinstance(data, _Map) else default


def _validate(data: Any, path: str | Path, stem: str | None) -> tuple[SurveyTemplate | None, list]:
    """Check a parsed template, collecting every error, and build it when there is none."""
    errors: list[TemplateError] = []

    def error(line: int | None, message: str) -> None:
        errors.append(TemplateError(path, line, message))

    def fields(mapping: Any, spec: dict, what: str, line: int | None) -> dict:
        if not isinstance(mapping, dict):
            error(line, f"{what} must be a mapping")
            return {}
        for name in mapping.keys() - spec.keys():
            error(_line(mapping, name), f"unknown field '{name}' in {what}")
        values = {}
        for name, (kind, test) in spec.items():
            value, at, problem = mapping.get(name), _line(mapping, name), None
            if name not in mapping:
                at, problem = _line(mapping, default=line), (None if name in OPTIONAL else
                                                             f"missing field '{name}' in {what}")
            elif name == "threshold" and isinstance(value, int | float):
                problem = f"threshold {value} must be a quoted decimal string, e.g. \"0.90\""
            elif not isinstance(value, kind) or (isinstance(value, bool) and kind is int):
                problem = f"field '{name}' in {what} must be {_TYPE_NAMES.get(kind, 'a text or null')}"
            elif isinstance(value, str) and not (value.strip() and unicodedata.is_normalized("NFC", value)):
                problem = f"field '{name}' in {what} must be non-empty, NFC-normalised text"
            elif test and value is not None:
                problem = test(value)
            if problem:
                error(at, problem)
            else:
                values[name] = value  # an optional field left out is None
        return values

    top = fields(data, TOP_FIELDS, "template", 1)
    if stem is not None and top.get("key", stem) != stem:
        error(_line(data, "key"), f"key '{top['key']}' does not match the file name '{stem}.yaml'")
    answer_lines = getattr(top.get("answer_options"), "lines", {})
    if "answer_options" in top:
        top["answer_options"] = fields(top["answer_options"], ANSWER_FIELDS, "answer_options",
                                       _line(data, "answer_options"))
    items = [(item, fields(item, ITEM_FIELDS, f"item {n}", _line(data, "items")))
             for n, item in enumerate(top.get("items", []), 1)]
    rules = [(rule, fields(rule, RULE_FIELDS, f"rule {n}", _line(data, "rules")))
             for n, rule in enumerate(top.get("rules", []), 1)]
    keys = [values.get("key") for _, values in items]
    for n, (item, values) in enumerate(items):
        if "key" in values and values["key"] in keys[:n]:
            error(_line(item, "key"), f"duplicate item key '{values['key']}'")
    if "overall_item" in top and None not in keys and top["overall_item"] not in keys:
        error(_line(data, "overall_item"), f"overall_item '{top['overall_item']}' is not an item key")
    check_rules(rules, keys, top.get("overall_item"), error, _line)
    if errors:
        return None, sorted(errors, key=lambda found: found.line or 0)
    return SurveyTemplate(**top | {
        "items": tuple(TemplateItem(**values, lines=getattr(item, "lines", {})) for item, values in items),
        "rules": tuple(TemplateRule(**values | {"threshold": Decimal(values["threshold"]),
                                                "items": selection(values.get("items"))},
                                    lines=getattr(rule, "lines", {})) for rule, values in rules),
        "to_confirm": tuple(TO_CONFIRM if top.get("to_confirm") is None else top["to_confirm"]),
        "lines": getattr(data, "lines", {}) | {f"answer_options.{k}": n for k, n in answer_lines.items()},
    }), []


def templates_dir() -> Path:
    """Return Flask config ``SURVEY_TEMPLATES_DIR`` inside an app context, else the repo's ``surveys/``."""
    try:
        from flask import current_app, has_app_context
    except ImportError:  # used without Flask, e.g. by a Babel extractor
        return DEFAULT_DIR
    configured = current_app.config.get("SURVEY_TEMPLATES_DIR") if has_app_context() else None
    return Path(configured) if configured else DEFAULT_DIR


def _check_file(path: Path) -> tuple[SurveyTemplate | None, list[TemplateError]]:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader
    except (OSError, UnicodeDecodeError) as exc:
        return None, [TemplateError(path, None, f"cannot read the file as UTF-8 text ({exc})")]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        return None, [TemplateError(path, mark and mark.line + 1, f"invalid YAML: {problem}")]
    return _validate(data, path, stem=path.stem)


def load_template(key: str, directory: str | Path | None = None) -> SurveyTemplate:
    """Load and validate the template ``key`` of ``directory`` (default: ``templates_dir()``)."""
    path = Path(directory if directory is not None else templates_dir()) / f"{key}.yaml"
    if not SLUG.match(key) or not path.is_file():
        raise TemplateError(path, None, f"no survey template '{key}'")
    template, errors = _check_file(path)
    if errors:
        raise errors[0]
    return template


def _scan(directory: str | Path | None) -> tuple[dict[str, SurveyTemplate], list[TemplateError]]:
    folder = Path(directory if directory is not None else templates_dir())
    files = sorted(folder.glob("*.yaml")) if folder.is_dir() else []
    checked = [_check_file(path) for path in files]
    errors = [error for _, file_errors in checked for error in file_errors]
    missing = [] if files else [TemplateError(folder, None, "no survey templates (*.yaml) found")]
    return {template.key: template for template, _ in checked if template}, missing + errors


def load_all(directory: str | Path | None = None) -> dict[str, SurveyTemplate]:
    """Load every template of ``directory``, by key; raise the first ``TemplateError`` found."""
    templates, errors = _scan(directory)
    if errors:
        raise errors[0]
    return templates


def check_all(directory: str | Path | None = None) -> list[TemplateError]:
    """Validate every template of ``directory``; return all the errors (none when all is well)."""
    return _scan(directory)[1]
