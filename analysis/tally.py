"""Plain count containers the rules engine reads: per item, per village, per survey."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

from ._validation import check_count

__all__ = ["ItemCounts", "SurveyTally", "UnitTally", "pooled_items"]


@dataclass(frozen=True, slots=True)
class ItemCounts:
    """Answers to one item: satisfied, not satisfied, blank (blank or double-marked, "không xác định").

    The rate's denominator is every phiếu collected, blanks included (domain rule).
    """

    satisfied: int
    not_satisfied: int
    blank: int = 0

    def __post_init__(self) -> None:
        satisfied, not_satisfied, blank = self.satisfied, self.not_satisfied, self.blank
        if (type(satisfied) is int and type(not_satisfied) is int and type(blank) is int
                and satisfied >= 0 and not_satisfied >= 0 and blank >= 0):
            return  # fast path: a province's tally builds tens of thousands of counts
        for name in ("satisfied", "not_satisfied", "blank"):
            object.__setattr__(self, name, check_count(getattr(self, name), name))

    @property
    def answered(self) -> int:
        """Phiếu with a valid mark on this item."""
        return self.satisfied + self.not_satisfied

    @property
    def collected(self) -> int:
        """Phiếu collected: the denominator of the rate."""
        return self.satisfied + self.not_satisfied + self.blank

    @property
    def rate(self) -> float | None:
        """Satisfied / phiếu collected; None when no phiếu was collected."""
        total = self.collected
        return self.satisfied / total if total else None

    def __add__(self, other: ItemCounts) -> ItemCounts:
        if not isinstance(other, ItemCounts):
            return NotImplemented
        return ItemCounts(
            self.satisfied + other.satisfied,
            self.not_satisfied + other.not_satisfied,
            self.blank + other.blank,
        )


@dataclass(frozen=True, slots=True)
class UnitTally:
    """Counts for one village: households on the list, respondents (phiếu collected), items.

    `group` is the commune code when the survey spans several communes. Every item must account for
    every phiếu: satisfied + not_satisfied + blank == respondents.
    """

    code: str
    households: int
    respondents: int
    items: Mapping[str, ItemCounts] = field(hash=False)
    group: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.code, str) or not self.code:
            raise ValueError(f"unit code must be a non-empty string, got {self.code!r}")
        if self.group is not None and (not isinstance(self.group, str) or not self.group):
            raise ValueError(
                f"unit {self.code}: group must be a non-empty string or None, got {self.group!r}"
            )
        object.__setattr__(self, "households", check_count(self.households, "households"))
        object.__setattr__(self, "respondents", check_count(self.respondents, "respondents"))
        if not isinstance(self.items, Mapping):
            raise ValueError(f"unit {self.code}: items must be a mapping of item key to ItemCounts")
        for key, counts in self.items.items():
            if not isinstance(counts, ItemCounts):
                raise ValueError(f"unit {self.code}: item {key!r} must be ItemCounts, got {counts!r}")
            if counts.collected != self.respondents:
                raise ValueError(
                    f"unit {self.code}: item {key!r} accounts for {counts.collected} phiếu "
                    f"but the unit has {self.respondents} respondents"
                )
        object.__setattr__(self, "items", MappingProxyType(dict(self.items)))


@dataclass(frozen=True, slots=True)
class SurveyTally:
    """All villages of a survey, the item keys in order, and the overall item if the form has one."""

    units: Sequence[UnitTally]
    item_keys: Sequence[str]
    overall_item: str | None = None

    def __post_init__(self) -> None:
        units = tuple(self.units)
        keys = tuple(self.item_keys)
        if not units:
            raise ValueError("a survey tally needs at least one unit")
        if not keys:
            raise ValueError("a survey tally needs at least one item key")
        if len(set(keys)) != len(keys):
            raise ValueError(f"item keys must be unique, got {keys}")
        if self.overall_item is not None and self.overall_item not in keys:
            raise ValueError(f"overall item {self.overall_item!r} is not one of the item keys")
        codes = [unit.code for unit in units]
        if len(set(codes)) != len(codes):
            raise ValueError("unit codes must be unique")
        for unit in units:
            if not isinstance(unit, UnitTally):
                raise ValueError(f"units must be UnitTally, got {unit!r}")
            if set(unit.items) != set(keys):
                raise ValueError(f"unit {unit.code}: items {sorted(unit.items)} do not match the item keys")
        object.__setattr__(self, "units", units)
        object.__setattr__(self, "item_keys", keys)

    @property
    def households(self) -> int:
        """Households on the list over all units."""
        return sum(unit.households for unit in self.units)

    @property
    def respondents(self) -> int:
        """Phiếu collected over all units."""
        return sum(unit.respondents for unit in self.units)


def pooled_items(units: Sequence[UnitTally], item_keys: Sequence[str]) -> dict[str, ItemCounts]:
    """Add up each item's counts over `units`."""
    sums = {key: [0, 0, 0] for key in item_keys}
    for unit in units:
        for key in item_keys:
            counts, total = unit.items[key], sums[key]
            total[0] += counts.satisfied
            total[1] += counts.not_satisfied
            total[2] += counts.blank
    return {key: ItemCounts(*total) for key, total in sums.items()}
