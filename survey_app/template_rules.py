"""The rules of the survey template format (see ``surveys/README.md``): kinds, fields, and what a rule's fields
must say together. Part of the one loader, ``survey_templates``."""
from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

__all__ = ["AVERAGE_KINDS", "ITEM_SELECTIONS", "RULE_KINDS", "SLUG", "SUBUNITS", "check", "check_rules",
           "rule_snapshot", "selection"]

RULE_KINDS = ("overall_min", "item_min", "subunit_item_min", "coverage_min", "items_average_min",
              "subunit_average_min")  # the same as analysis.rules.RULE_KINDS (a test keeps them equal)
#: The kinds that average chosen items' rates; they alone take ``items``.
AVERAGE_KINDS = ("items_average_min", "subunit_average_min")
ITEM_SELECTIONS = ("all", "all_except_overall")
SUBUNITS = ("village", "commune")
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*\Z")


def check(test: Callable[[Any], Any], message: str) -> Callable[[Any], str | None]:
    """A field check: None when `test` passes, else `message` with the value."""
    return lambda value: None if test(value) else message.format(value)


def selection(items: list | str | None) -> tuple[str, ...] | str | None:
    """An average rule's ``items`` as stored: a tuple of keys, a named choice, or None."""
    return tuple(items) if isinstance(items, list) else items


def rule_snapshot(rule: Any) -> dict:
    """A rule as JSON; ``items`` only for the average kinds, so other rules read as they always did."""
    data = {name: getattr(rule, name) for name in ("kind", "threshold", "subunit", "source", "verified", "note")}
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
