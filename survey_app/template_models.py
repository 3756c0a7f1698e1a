"""The typed survey template (pydantic v2, ``extra="forbid"``): what ``survey_templates`` loads from
``surveys/*.yaml`` and ``Survey.form`` reads from a survey's snapshot.

Every field is checked before pydantic types it (``_field``): the right Python type (a YAML ``true`` is no
integer, ``"1"`` no number), non-empty NFC text, then the field's own rule. A check that fails raises a
``PydanticCustomError`` whose type says which message ``survey_templates`` shows, with the file and line.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, PrivateAttr
from pydantic_core import PydanticCustomError

from .template_rules import ITEM_SELECTIONS, RULE_KINDS, SLUG, SUBUNITS, check, rule_snapshot, selection

FORMAT = 1
LEVELS = ("commune", "district", "town", "province")
#: What may still have to be confirmed against the official form; a template without ``to_confirm`` (every
#: survey snapshot taken before the field existed) is taken to need both.
TO_CONFIRM = ("item_count", "wording")
TEXTS = ("title", "short_title", "legal_basis", "purpose", "wording_note")
_TYPE_NAMES = {int: "an integer", str: "a text", bool: "true or false", list: "a list", dict: "a mapping"}


def _check_threshold(value: str) -> str | None:
    if not re.fullmatch(r"\d+(\.\d+)?", value):
        return f"threshold '{value}' is not a decimal string"
    return None if 0 < Decimal(value) <= 1 else f"threshold '{value}' is not in (0, 1]"


def _check_selection(value: list | str) -> str | None:
    if isinstance(value, str):
        return None if value in ITEM_SELECTIONS else f"items '{value}' is not all, all_except_overall or a list"
    if not (value and all(isinstance(v, str) and SLUG.match(v) for v in value)):
        return "items must be a non-empty list of item keys, all or all_except_overall"
    return "items lists an item key twice" if len(set(value)) < len(value) else None


def _check_to_confirm(value: list) -> str | None:
    if not all(isinstance(v, str) and v in TO_CONFIRM for v in value) or len(set(value)) < len(value):
        return f"to_confirm must list distinct values of {', '.join(TO_CONFIRM)} (or be [])"
    return None


def _problem(value: Any, kinds: tuple[type, ...],
             test: Callable[[Any], str | None] | None) -> PydanticCustomError | None:
    if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
        names = " or ".join(_TYPE_NAMES.get(kind, "null") for kind in kinds)
        return PydanticCustomError("template_type", "must be {kind}", {"kind": names})
    if isinstance(value, str) and not (value.strip() and unicodedata.is_normalized("NFC", value)):
        return PydanticCustomError("template_text", "must be non-empty, NFC-normalised text")
    message = test(value) if test and value is not None else None
    return PydanticCustomError("template_rule", "{message}", {"message": message}) if message else None


def _field(*kinds: type, test: Callable[[Any], str | None] | None = None,
           then: Callable[[Any], Any] | None = None, type_name: str | None = None) -> BeforeValidator:
    """A check run on the raw value before pydantic types it; ``then`` turns a good value into the field's."""

    def validate(value: Any) -> Any:
        if (problem := _problem(value, kinds, test)) is not None:
            if type_name and problem.type == "template_type":
                raise PydanticCustomError("template_type", "must be {kind}", {"kind": type_name})
            raise problem
        return then(value) if then else value

    return BeforeValidator(validate)


def _unquoted(value: Any) -> Any:
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise PydanticCustomError("template_rule", "{message}", {
            "message": f'threshold {value} must be a quoted decimal string, e.g. "0.90"'})
    return value


Text = Annotated[str, _field(str)]
Slug = Annotated[str, _field(str, test=check(SLUG.match, "item key '{}' is not a lowercase slug"))]


class _Part(BaseModel):
    """A part of a template: frozen, no unknown field, with the line of each field when read from a file."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    _lines: dict[str, int] = PrivateAttr(default_factory=dict)

    @property
    def lines(self) -> Mapping[str, int]:
        """The line of each field in its file (empty when read from a snapshot)."""
        return self._lines

    def __eq__(self, other: object) -> bool:  # the lines a template was read from are not part of it
        return type(other) is type(self) and self.__dict__ == other.__dict__

    __hash__ = BaseModel.__hash__


class AnswerOptions(_Part):
    """The two answers of every question."""

    satisfied: Text
    not_satisfied: Text

    def __getitem__(self, value: str) -> str:
        if value not in type(self).model_fields:
            raise KeyError(value)
        return getattr(self, value)

    def items(self) -> list[tuple[str, str]]:
        """(answer value, label) pairs, as a mapping's."""
        return [(name, getattr(self, name)) for name in type(self).model_fields]


class TemplateItem(_Part):
    """One question of a phiếu, answered hài lòng / không hài lòng."""

    key: Slug
    criterion: Text
    question: Text


class TemplateRule(_Part):
    """A threshold results are judged against, with its legal source and whether it is verified."""

    kind: Annotated[str, _field(str, test=check(RULE_KINDS.__contains__,
                                                f"unknown rule kind '{{}}' ({', '.join(RULE_KINDS)})"))]
    threshold: Annotated[Decimal, _field(str, test=_check_threshold, then=Decimal), BeforeValidator(_unquoted)]
    subunit: Annotated[str | None, _field(str, type(None), test=check(
        SUBUNITS.__contains__, "subunit '{}' is not village or commune"))] = None
    source: Text
    verified: Annotated[bool, _field(bool)]
    note: Text
    #: Average kinds: the item keys, "all" or "all_except_overall".
    items: Annotated[tuple[str, ...] | str | None, _field(
        list, str, type(None), test=_check_selection, then=selection,
        type_name="a list of item keys, all or all_except_overall")] = None


class SurveyTemplate(_Part):
    """A validated survey template: the items residents answer and the rules results are judged by."""

    format: Annotated[int, _field(int, test=check(lambda v: v == FORMAT,
                                                  f"format {{}} is not supported (expected {FORMAT})"))]
    key: Annotated[str, _field(str, test=check(SLUG.match, "template key '{}' is not a lowercase slug"))]
    version: Annotated[int, _field(int, test=check(lambda v: v >= 1, "version {} must be 1 or more"))]
    level: Annotated[str, _field(str, test=check(LEVELS.__contains__,
                                                 f"level '{{}}' is not one of {', '.join(LEVELS)}"))]
    period: Annotated[str, _field(str, test=check(re.compile(r"\d{4}-\d{4}\Z").match,
                                                  "period '{}' is not like \"2021-2025\""))]
    title: Text
    short_title: Text
    legal_basis: Text
    purpose: Text
    wording_note: Text
    blank_items_valid: Annotated[bool, _field(bool)]
    overall_item: Text
    answer_options: Annotated[AnswerOptions, _field(dict)]
    items: Annotated[tuple[TemplateItem, ...], _field(list, test=check(len, "a template needs at least one item"))]
    rules: Annotated[tuple[TemplateRule, ...], _field(list, test=check(len, "a template needs at least one rule"))]
    #: What is still to be confirmed against the official form: ``item_count``, ``wording``; () for neither.
    to_confirm: Annotated[tuple[str, ...], _field(list, test=_check_to_confirm)] = TO_CONFIRM

    @classmethod
    def from_snapshot(cls, data: Mapping) -> SurveyTemplate:
        """Rebuild (and re-validate) a template from the output of ``to_snapshot()``; TemplateError if invalid."""
        from .survey_templates import read_snapshot

        return read_snapshot(data)

    def to_snapshot(self) -> dict:
        """Return the template as a plain JSON-able dict, to be copied into a survey."""
        return {name: getattr(self, name) for name in TOP_FIELDS} | {
            "answer_options": {"satisfied": self.answer_options.satisfied,
                               "not_satisfied": self.answer_options.not_satisfied},
            "items": [{name: getattr(item, name) for name in ITEM_FIELDS} for item in self.items],
            "rules": [rule_snapshot(rule) for rule in self.rules],
            "to_confirm": list(self.to_confirm),
        }


TOP_FIELDS = tuple(SurveyTemplate.model_fields)
ITEM_FIELDS = tuple(TemplateItem.model_fields)
#: The fields a mapping of each part may leave out.
OPTIONAL = ("subunit", "items", "to_confirm")
