"""The rules of the survey template format (see ``surveys/README.md``): kinds, fields, and what a rule's fields
must say together. Part of the one loader, ``survey_templates``."""
from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

__all__ = ["AVERAGE_KINDS", "ITEM_SELECTIONS", "RULE_FIELDS", "RULE_KINDS", "RULE_TYPE_NAMES", "SLUG", "SUBUNITS",
           "check", "check_rules", "rule_snapshot", "selection"]

RULE_KINDS = ("overall_min", "item_min", "subunit_item_min", "coverage_min", "items_average_min",
              "subunit_average_min")  # the same as analysis.rules.RULE_KINDS (a test keeps them equal)
#: The kinds that average chosen items' rates; they alone take ``items``.
AVERAGE_KINDS = ("items_average_min", "subunit_average_min")
ITEM_SELECTIONS = ("all", "all_except_overall")
SUBUNITS = ("village", "commune")
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*\Z")
_SELECTION = (list, str, type(None))


def check(test: Callable[[Any], Any], message: str) -> Callable[[Any], str | None]:
    """A field check: None when `test` passes, else `message` with the value."""
    return lambda value: None if test(value) else message.format(value)


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


#: A rule's fields: name -> (type, check returning an error message or None).
RULE_FIELDS = {
    "kind": (str, check(RULE_KINDS.__contains__, f"unknown rule kind '{{}}' ({', '.join(RULE_KINDS)})")),
    "threshold": (str, _check_threshold),
    "subunit": ((str, type(None)), check(SUBUNITS.__contains__, "subunit '{}' is not village or commune")),
    "source": (str, None), "verified": (bool, None), "note": (str, None),
    "items": (_SELECTION, _check_selection),
}
RULE_TYPE_NAMES = {_SELECTION: "a list of item keys, all or all_except_overall"}


def selection(items: list | str | None) -> tuple[str, ...] | str | None:
    """An average rule's ``items`` as stored: a tuple of keys, a named choice, or None."""
    return tuple(items) if isinstance(items, list) else items


def rule_snapshot(rule: Any) -> dict:
    """A rule as JSON; ``items`` only for the average kinds, so other rules read as they always did."""
    data = {name: getattr(rule, name) for name in RULE_FIELDS if name != "items"}
    data["threshold"] = str(rule.threshold)
    if rule.items is not None:
        data["items"] = list(rule.items) if isinstance(rule.items, tuple) else rule.items
    return data


def check_rules(rules: list[tuple[Any, dict]], keys: list, overall: str | None, error: Callable,
                line: Callable) -> None:
    """Report what a template's rules say together: sub-unit and items by kind, items that exist, duplicates.

    `rules` are (parsed mapping, fields that passed: a field left out is None, a wrong one is absent), `keys`
    the item keys (None for a broken one), `error` takes (line, message) and `line(mapping, field)` finds a
    field's line.
    """
    seen: set[tuple] = set()
    for n, (rule, values) in enumerate(rules, 1):
        kind, subunit, items = values.get("kind"), values.get("subunit"), values.get("items")
        if kind in ("subunit_item_min", "subunit_average_min") and "subunit" in values and subunit is None:
            error(line(rule, "subunit" if "subunit" in rule else "kind"), f"rule {n}: {kind} needs a subunit")
        elif kind in ("overall_min", "item_min", "items_average_min") and subunit is not None:
            error(line(rule, "subunit"), f"rule {n}: {kind} takes no subunit")
        if kind in AVERAGE_KINDS and "items" in values and items is None:
            error(line(rule, "items" if "items" in rule else "kind"),
                  f"rule {n}: {kind} needs items (a list of item keys, all or all_except_overall)")
        elif kind and kind not in AVERAGE_KINDS and items is not None:
            error(line(rule, "items"), f"rule {n}: only {' and '.join(AVERAGE_KINDS)} take items")
        elif None not in keys:
            _check_items_exist(n, items, keys, overall, lambda message, r=rule: error(line(r, "items"), message))
        if kind and (kind, subunit) in seen:
            error(line(rule, "kind"), f"duplicate rule '{kind}'")
        seen.add((kind, subunit))


def _check_items_exist(n: int, items: list | str | None, keys: list, overall: str | None,
                       error: Callable[[str], None]) -> None:
    if isinstance(items, list):
        for key in items:
            if key not in keys:
                error(f"rule {n}: items names '{key}', which is not an item key")
    elif items == "all_except_overall" and keys == [overall]:
        error(f"rule {n}: all_except_overall leaves no item to average")
