"""Load and validate the survey templates ``surveys/*.yaml`` (format 1, see ``surveys/README.md``).

This is the one loader: the app, the ``flask surveys`` commands, the Babel extractor and the tests use it.
A template is read into the typed pydantic models of ``template_models`` (unknown fields refused); their
errors, and what the fields say together (``template_rules.check_rules``), are reported with file and line.
"""
from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from .template_models import (
    FORMAT,
    ITEM_FIELDS,
    LEVELS,
    OPTIONAL,
    TEXTS,
    TO_CONFIRM,
    TOP_FIELDS,
    AnswerOptions,
    SurveyTemplate,
    TemplateItem,
    TemplateRule,
)
from .template_rules import AVERAGE_KINDS, ITEM_SELECTIONS, RULE_KINDS, SLUG, SUBUNITS, check_rules

__all__ = ["AVERAGE_KINDS", "FORMAT", "ITEM_SELECTIONS", "LEVELS", "RULE_KINDS", "SUBUNITS", "TEXTS", "TO_CONFIRM",
           "AnswerOptions", "SurveyTemplate", "TemplateError", "TemplateItem", "TemplateRule", "check_all",
           "load_all", "load_template", "read_snapshot", "templates_dir", "to_confirm_of"]

DEFAULT_DIR = Path(__file__).resolve().parent.parent / "surveys"
#: The fields of a rule, as ``check_rules`` reads them.
RULE_FIELDS = tuple(TemplateRule.model_fields)


class TemplateError(ValueError):
    """A problem in a template file, located by path and line (``line`` is None when unknown)."""

    def __init__(self, path: str | Path, line: int | None, message: str):
        if isinstance(path, Path) and path.resolve().is_relative_to(Path.cwd()):
            path = path.resolve().relative_to(Path.cwd())  # shown as surveys/x.yaml
        self.path, self.line, self.message = str(path), line, message
        super().__init__(str(self))

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}" if self.line else f"{self.path}: {self.message}"


def read_snapshot(data: Mapping) -> SurveyTemplate:
    """Rebuild (and re-validate) a template from the output of ``SurveyTemplate.to_snapshot()``."""
    template, errors = _validate(data, "<snapshot>", stem=None)
    if errors:
        raise errors[0]
    return template


def to_confirm_of(snapshot: Mapping) -> tuple[str, ...]:
    """What a survey's template snapshot leaves to confirm (both when it predates the field)."""
    return tuple(snapshot.get("to_confirm", TO_CONFIRM))


class _Map(dict):
    """A YAML mapping that knows its ``line`` and the line of each of its keys (``lines``)."""


class _LineMaps:
    """Mappings that record line numbers and reject duplicate keys (mixed into a safe YAML loader)."""

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


class _Loader(_LineMaps, yaml.SafeLoader):
    """PyYAML's safe loader: its error messages are the ones documented and tested."""


class _QuickLoader(_LineMaps, getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """LibYAML's safe loader when installed (25 times quicker); a file it refuses is read again by ``_Loader``
    for PyYAML's message."""


for _loader in (_Loader, _QuickLoader):
    _loader.add_constructor("tag:yaml.org,2002:map", _LineMaps.construct_line_map)


def _line(data: Any, name: str | None = None, default: int | None = None) -> int | None:
    return (data.lines.get(name, data.line) if name else data.line) if isinstance(data, _Map) else default


def _validate(data: Any, path: str | Path, stem: str | None) -> tuple[SurveyTemplate | None, list]:
    """Check a parsed template, collecting every error, and build it when there is none."""
    errors: list[TemplateError] = []

    def error(line: int | None, message: str) -> None:
        errors.append(TemplateError(path, line, message))

    template, bad = None, set()
    if not isinstance(data, dict):
        error(1, "template must be a mapping")
    else:
        try:
            template = SurveyTemplate.model_validate(data)
        except ValidationError as exc:
            for found in exc.errors():
                bad.add(found["loc"])
                error(*_located(data, found))
    _check_together(data if isinstance(data, dict) else {}, bad, stem, error)
    if errors:
        return None, sorted(errors, key=lambda found: found.line or 0)
    _keep_lines(template, data)
    return template, []


def _what(loc: tuple) -> str:
    """The part a location points into: template, answer_options, item n or rule n."""
    if not loc:
        return "template"
    return {"items": f"item {loc[-1] + 1}", "rules": f"rule {loc[-1] + 1}"}.get(loc[0], str(loc[0])) \
        if len(loc) == 2 else str(loc[0])


def _located(data: dict, found: dict) -> tuple[int | None, str]:
    """The line and message of one pydantic error, in the words of surveys/README.md."""
    loc, kind = found["loc"], found["type"]
    *where, name = loc
    parent = _at(data, where)
    if kind == "model_type" or (kind == "model_attributes_type" and isinstance(name, int)):
        return _line(_at(data, where[:-1]) if where else data, where[-1] if where else None, 1), \
            f"{_what(tuple(loc))} must be a mapping"
    what = _what(tuple(where))
    if kind == "missing":
        return _line(parent, default=1 if not where else _line(_at(data, where[:-1]), where[-1])), \
            f"missing field '{name}' in {what}"
    if kind == "extra_forbidden":
        return _line(parent, name), f"unknown field '{name}' in {what}"
    if kind == "template_rule":
        return _line(parent, name), found["ctx"]["message"]
    detail = f"must be {found['ctx']['kind']}" if kind == "template_type" else found["msg"]
    return _line(parent, name), f"field '{name}' in {what} {detail}"


def _at(data: Any, loc: list) -> Any:
    for step in loc:
        data = data[step]
    return data


def _check_together(data: dict, bad: set, stem: str | None, error) -> None:
    """What the fields of a template say together, of the fields that passed (``bad``: the locations that
    did not): the key and the file name, item keys once, overall_item an item, the rules (``check_rules``)."""
    top = _passed(data, (), TOP_FIELDS, bad)
    if stem is not None and top.get("key", stem) != stem:
        error(_line(data, "key"), f"key '{top['key']}' does not match the file name '{stem}.yaml'")
    items = [(item, _passed(item, ("items", n), ITEM_FIELDS, bad)) for n, item in enumerate(top.get("items", []))]
    rules = [(rule, _passed(rule, ("rules", n), RULE_FIELDS, bad)) for n, rule in enumerate(top.get("rules", []))]
    keys = [values.get("key") for _, values in items]
    for n, (item, values) in enumerate(items):
        if "key" in values and values["key"] in keys[:n]:
            error(_line(item, "key"), f"duplicate item key '{values['key']}'")
    if "overall_item" in top and None not in keys and top["overall_item"] not in keys:
        error(_line(data, "overall_item"), f"overall_item '{top['overall_item']}' is not an item key")
    check_rules(rules, keys, top.get("overall_item"), error, _line)


def _passed(mapping: Any, loc: tuple, names: tuple[str, ...], bad: set) -> dict:
    """The fields of a mapping that passed their own checks (an optional one left out is None)."""
    if not isinstance(mapping, dict) or loc in bad:
        return {}
    return {name: mapping.get(name) for name in names
            if (*loc, name) not in bad and (name in mapping or name in OPTIONAL)}


def _keep_lines(template: SurveyTemplate, data: Any) -> None:
    """Give the template and its parts the line of each of their fields (nothing for a snapshot)."""
    answers = data.get("answer_options")
    template._lines = getattr(data, "lines", {}) | {
        f"answer_options.{k}": n for k, n in getattr(answers, "lines", {}).items()}
    for part, source in [*zip(template.items, data["items"], strict=True),
                         *zip(template.rules, data["rules"], strict=True)]:
        part._lines = getattr(source, "lines", {})


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
        source = path.read_text(encoding="utf-8")
        try:
            data = yaml.load(source, Loader=_QuickLoader)  # noqa: S506 - a SafeLoader
        except yaml.YAMLError:
            data = yaml.load(source, Loader=_Loader)  # noqa: S506 - a SafeLoader
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
