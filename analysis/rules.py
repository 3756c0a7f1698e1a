"""Rules engine: decide a survey's verdict from its counts, exactly.

Rules are data (per survey kind, each with its legal source and a "verified" flag). Semantics:

- ``overall_min``: the overall item's satisfied / phiếu collected over the whole survey. When the
  form has no overall item, the pooled rate of all items (all satisfied marks / all item answers
  collected) stands in, since a phiếu-level "satisfied on everything" is not available from counts.
- ``item_min``: every item's rate over the whole survey meets the threshold.
- ``subunit_item_min``: in every sub-unit (``village`` = each unit, ``commune`` = units grouped by
  ``group``), every item meets the threshold. A sub-unit with no phiếu cannot meet it.
- ``coverage_min``: respondents / households meets the threshold, over the survey or, with a
  ``subunit``, in every sub-unit.
- ``items_average_min``: the mean of the chosen items' rates over the whole survey meets the threshold.
- ``subunit_average_min``: in every sub-unit, the mean of the chosen items' rates meets the threshold.

An average rule names its items (``items``): a tuple of item keys, ``"all"``, or ``"all_except_overall"``
(every item but the overall one; every item when the form has none). The average is the plain mean of the
items' rates, each satisfied / phiếu collected ("trung bình" of questions 1–9 in the one plan found). Every
item of a unit has the same denominator, the unit's phiếu collected (blanks included), so the mean of k
rates equals exactly the pooled count: satisfied marks of the k items / (k × phiếu collected). The rule is
decided on those integers, exactly like the other kinds.

Status: ``incomplete`` while collecting is not finished or while a coverage rule fails (no quorum);
otherwise ``met`` if every rule is met, else ``not_met``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from fractions import Fraction

from ._validation import to_fraction
from .tally import SurveyTally, UnitTally, pooled_items
from .thresholds import meets

__all__ = ["AVERAGE_KINDS", "ITEM_SELECTIONS", "RULE_KINDS", "SUBUNITS", "Rule", "RuleResult", "Shortfall",
           "Verdict", "averaged_items", "evaluate"]

RULE_KINDS = ("overall_min", "item_min", "subunit_item_min", "coverage_min", "items_average_min",
              "subunit_average_min")
#: The kinds that average the rates of chosen items; they alone take ``items``.
AVERAGE_KINDS = ("items_average_min", "subunit_average_min")
#: Named choices of items for an average rule (or else a tuple of item keys).
ITEM_SELECTIONS = ("all", "all_except_overall")
SUBUNITS = ("village", "commune")


@dataclass(frozen=True, slots=True)
class Rule:
    """One legal condition: `threshold` is a decimal string such as "0.90"; `value` is it as a Fraction."""

    kind: str
    threshold: str
    source: str
    verified: bool
    subunit: str | None = None
    note: str = ""
    items: tuple[str, ...] | str | None = None
    value: Fraction = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if self.kind not in RULE_KINDS:
            raise ValueError(f"unknown rule kind {self.kind!r}; expected one of {RULE_KINDS}")
        object.__setattr__(self, "value", to_fraction(self.threshold, "rule threshold"))
        if self.subunit is not None and self.subunit not in SUBUNITS:
            raise ValueError(f"unknown sub-unit {self.subunit!r}; expected one of {SUBUNITS}")
        if self.kind in ("subunit_item_min", "subunit_average_min") and self.subunit is None:
            raise ValueError(f"a {self.kind} rule needs a subunit ('village' or 'commune')")
        if self.kind in ("overall_min", "item_min", "items_average_min") and self.subunit is not None:
            raise ValueError(f"a {self.kind} rule takes no subunit")
        if not isinstance(self.verified, bool):
            raise ValueError(f"verified must be a bool, got {self.verified!r}")
        object.__setattr__(self, "items", _check_selection(self.kind, self.items))


def _check_selection(kind: str, items: object) -> tuple[str, ...] | str | None:
    """An average rule's choice of items, checked (a list becomes a tuple); None for the other kinds."""
    if kind not in AVERAGE_KINDS:
        if items is not None:
            raise ValueError(f"a {kind} rule takes no items")
        return None
    if isinstance(items, str):
        if items not in ITEM_SELECTIONS:
            raise ValueError(f"items must be one of {ITEM_SELECTIONS} or a list of item keys, got {items!r}")
        return items
    if not isinstance(items, (list, tuple)) or not items:
        raise ValueError(f"a {kind} rule needs items: {ITEM_SELECTIONS} or a non-empty list of item keys")
    if not all(isinstance(key, str) and key for key in items) or len(set(items)) != len(items):
        raise ValueError(f"items must be distinct, non-empty item keys, got {items!r}")
    return tuple(items)


def averaged_items(rule: Rule, tally: SurveyTally) -> tuple[str, ...]:
    """The item keys an average rule averages, in the form's order (empty for the other kinds).

    Raises
    ------
    ValueError
        When a listed key is not an item of the tally, or nothing is left to average.
    """
    if rule.kind not in AVERAGE_KINDS:
        return ()
    if rule.items == "all":
        keys = tally.item_keys
    elif rule.items == "all_except_overall":
        keys = tuple(key for key in tally.item_keys if key != tally.overall_item)
    else:
        unknown = [key for key in rule.items if key not in tally.item_keys]
        if unknown:
            raise ValueError(f"{rule.kind} rule: {unknown} are not item keys of the survey")
        keys = tuple(key for key in tally.item_keys if key in rule.items)
    if not keys:
        raise ValueError(f"{rule.kind} rule: no item left to average")
    return tuple(keys)


@dataclass(frozen=True, slots=True)
class Shortfall:
    """One place where a rule failed: `unit` (sub-unit code or None for the survey) and `item`."""

    unit: str | None
    item: str | None
    successes: int
    trials: int
    observed: Fraction | None


@dataclass(frozen=True, slots=True)
class RuleResult:
    """A rule with the numbers that decided it.

    `observed`, `successes` and `trials` are the deciding cell: the only one for a survey-wide rule,
    the worst one otherwise (a cell with no phiếu counts as worst; its `observed` is None; of equally bad
    cells, the first in the tally's order of units, then items). `deciding_unit` is where that cell is
    (the sub-unit's code, None for the whole survey) and `deciding_item` which item it counts (None for a
    coverage rule, an ``overall_min`` rule pooled over all items and an average rule). For an average rule
    `averaged_items` are the items averaged, and a cell's counts are their satisfied marks over k × phiếu
    collected, whose ratio is the mean of their rates.
    """

    rule: Rule
    met: bool
    observed: Fraction | None
    successes: int
    trials: int
    shortfalls: tuple[Shortfall, ...] = ()
    failing_units: tuple[str, ...] = ()
    failing_items: tuple[str, ...] = ()
    deciding_unit: str | None = None
    deciding_item: str | None = None
    averaged_items: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Verdict:
    """Status (``met``, ``not_met`` or ``incomplete``) and each rule's result, in the rules' order."""

    status: str
    rules: tuple[RuleResult, ...]
    collecting_finished: bool
    quorum_met: bool


def _subunits(tally: SurveyTally, subunit: str | None) -> list[tuple[str | None, list[UnitTally]]]:
    """Split the survey's units into the sub-units a rule looks at, in order of first appearance."""
    if subunit is None:
        return [(None, list(tally.units))]
    if subunit == "village":
        return [(unit.code, [unit]) for unit in tally.units]
    groups: dict[str, list[UnitTally]] = {}
    for unit in tally.units:
        if unit.group is None:
            raise ValueError(f"unit {unit.code} has no group: a commune rule needs the commune of every unit")
        groups.setdefault(unit.group, []).append(unit)
    return list(groups.items())


def _decide(rule: Rule, cells: list[tuple[str | None, str | None, int, int]],
            averaged: tuple[str, ...] = ()) -> RuleResult:
    """Check every (unit, item, successes, trials) cell and keep the worst one as evidence."""
    shortfalls = []
    worst = None
    for unit, item, successes, trials in cells:
        observed = Fraction(successes, trials) if trials else None
        if not meets(successes, trials, rule.value):
            shortfalls.append(Shortfall(unit, item, successes, trials, observed))
        if worst is None or (worst[4] is not None and (observed is None or observed < worst[4])):
            worst = (unit, item, successes, trials, observed)
    unit, item, successes, trials, observed = worst
    return RuleResult(
        rule=rule,
        met=not shortfalls,
        observed=observed,
        successes=successes,
        trials=trials,
        shortfalls=tuple(shortfalls),
        failing_units=tuple(dict.fromkeys(s.unit for s in shortfalls if s.unit is not None)),
        failing_items=tuple(dict.fromkeys(s.item for s in shortfalls if s.item is not None)),
        deciding_unit=unit,
        deciding_item=item,
        averaged_items=averaged,
    )


def _cells(rule: Rule, tally: SurveyTally) -> list[tuple[str | None, str | None, int, int]]:
    """Return the (unit, item, successes, trials) cells a rule is checked on."""
    if rule.kind == "coverage_min":
        return [
            (code, None, sum(u.respondents for u in units), sum(u.households for u in units))
            for code, units in _subunits(tally, rule.subunit)
        ]
    if rule.kind == "overall_min":
        totals = pooled_items(tally.units, tally.item_keys)
        if tally.overall_item is not None:
            counts = totals[tally.overall_item]
            return [(None, tally.overall_item, counts.satisfied, counts.collected)]
        satisfied = sum(c.satisfied for c in totals.values())
        return [(None, None, satisfied, sum(c.collected for c in totals.values()))]
    if rule.kind in AVERAGE_KINDS:
        keys = averaged_items(rule, tally)
        cells = []
        for code, units in _subunits(tally, rule.subunit):
            totals = pooled_items(units, keys).values()
            cells.append((code, None, sum(c.satisfied for c in totals), sum(c.collected for c in totals)))
        return cells
    cells = []
    for code, units in _subunits(tally, rule.subunit):
        for key, counts in pooled_items(units, tally.item_keys).items():
            cells.append((code, key, counts.satisfied, counts.collected))
    return cells


def evaluate(rules: Iterable[Rule], tally: SurveyTally, *, collecting_finished: bool) -> Verdict:
    """Evaluate every rule on the tally and return the verdict.

    Raises
    ------
    ValueError
        When there is no rule, a rule is not a `Rule`, a commune rule meets a unit without group, or an
        average rule names an item the tally does not have.
    """
    rules = tuple(rules)
    if not rules:
        raise ValueError("at least one rule is needed to reach a verdict")
    if not isinstance(tally, SurveyTally):
        raise ValueError(f"tally must be a SurveyTally, got {type(tally).__name__}")
    results = []
    for rule in rules:
        if not isinstance(rule, Rule):
            raise ValueError(f"rules must be Rule objects, got {rule!r}")
        results.append(_decide(rule, _cells(rule, tally), averaged_items(rule, tally)))
    quorum = all(r.met for r in results if r.rule.kind == "coverage_min")
    if not collecting_finished or not quorum:
        status = "incomplete"
    else:
        status = "met" if all(r.met for r in results) else "not_met"
    return Verdict(status, tuple(results), bool(collecting_finished), quorum)
