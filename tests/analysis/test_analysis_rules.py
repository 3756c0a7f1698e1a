"""Rules engine: verdicts, sub-units, blanks in the denominator, the numbers that decided."""

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import analysis as A

KEYS = ("roads", "schools", "overall")
OVERALL = A.Rule("overall_min", "0.90", "QĐ 320/QĐ-TTg", True)
ITEMS = A.Rule("item_min", "0.80", "practice", False)
PER_COMMUNE = A.Rule("subunit_item_min", "0.80", "QĐ 320/QĐ-TTg", True, subunit="commune")
PER_VILLAGE = A.Rule("subunit_item_min", "0.80", "local plan", False, subunit="village")
COVERAGE = A.Rule("coverage_min", "0.70", "QĐ 320/QĐ-TTg", True)


def unit(code, households, respondents, satisfied, group=None, blank=0):
    """Build a village where each item has `satisfied[key]` satisfied and `blank` blanks."""
    items = {
        key: A.ItemCounts(s, respondents - s - blank, blank) for key, s in zip(KEYS, satisfied, strict=True)
    }
    return A.UnitTally(code, households, respondents, items, group=group)


def tally(*units, overall="overall"):
    return A.SurveyTally(units, KEYS, overall)


def test_long_hiep_meets_overall():
    # Xã Long Hiệp, 2023: 1,043 of 1,269 households answered, 972 satisfied overall (93.19 %).
    survey = tally(unit("LH", 1269, 1043, (900, 880, 972)))
    verdict = A.evaluate(
        [OVERALL, ITEMS, A.Rule("coverage_min", "0.60", "78/HD", True)], survey, collecting_finished=True
    )
    assert verdict.status == "met"
    overall = verdict.rules[0]
    assert (overall.successes, overall.trials, overall.observed) == (972, 1043, Fraction(972, 1043))
    assert overall.met


def test_not_met_names_the_failing_item_and_its_counts():
    survey = tally(unit("A", 100, 90, (85, 70, 85)), unit("B", 100, 90, (86, 72, 86)))
    verdict = A.evaluate([OVERALL, ITEMS, COVERAGE], survey, collecting_finished=True)
    assert verdict.status == "not_met"
    items = verdict.rules[1]
    assert not items.met
    assert items.failing_items == ("schools",)
    assert (items.successes, items.trials) == (142, 180)
    assert items.shortfalls == (A.Shortfall(None, "schools", 142, 180, Fraction(142, 180)),)
    assert verdict.rules[0].met and verdict.rules[2].met


def test_incomplete_while_collecting():
    survey = tally(unit("A", 100, 95, (95, 95, 95)))
    assert A.evaluate([OVERALL], survey, collecting_finished=False).status == "incomplete"
    assert A.evaluate([OVERALL], survey, collecting_finished=True).status == "met"


def test_incomplete_without_quorum_even_if_rates_are_met():
    survey = tally(unit("A", 100, 60, (60, 60, 60)))
    verdict = A.evaluate([OVERALL, COVERAGE], survey, collecting_finished=True)
    assert verdict.status == "incomplete"
    assert not verdict.quorum_met
    assert (verdict.rules[1].successes, verdict.rules[1].trials) == (60, 100)


def test_per_commune_grouping():
    survey = tally(
        unit("X1-A", 50, 40, (40, 30, 40), group="X1"),  # schools 30/40 alone fails ...
        unit("X1-B", 50, 40, (40, 36, 40), group="X1"),  # ... but 66/80 = 82.5 % for commune X1
        unit("X2-A", 50, 40, (40, 31, 40), group="X2"),  # X2 schools 31/40 = 77.5 % fails
    )
    per_commune = A.evaluate([PER_COMMUNE], survey, collecting_finished=True).rules[0]
    assert per_commune.failing_units == ("X2",)
    assert (per_commune.successes, per_commune.trials) == (31, 40)
    per_village = A.evaluate([PER_VILLAGE], survey, collecting_finished=True).rules[0]
    assert per_village.failing_units == ("X1-A", "X2-A")
    assert per_village.failing_items == ("schools",)
    assert (per_village.successes, per_village.trials) == (30, 40)


def test_commune_rule_needs_groups():
    survey = tally(unit("A", 10, 10, (10, 10, 10)))
    with pytest.raises(ValueError, match="no group"):
        A.evaluate([PER_COMMUNE], survey, collecting_finished=True)


def test_blank_counts_in_the_denominator():
    counts = A.ItemCounts(satisfied=9, not_satisfied=0, blank=1)
    assert counts.rate == 0.9 and counts.answered == 9 and counts.collected == 10
    survey = tally(unit("A", 12, 10, (8, 8, 8), blank=2))  # 8 of 10 phiếu, 2 blank: 80 %, not 100 %
    verdict = A.evaluate([OVERALL], survey, collecting_finished=True)
    assert verdict.status == "not_met"
    assert verdict.rules[0].observed == Fraction(8, 10)
    assert A.ItemCounts(0, 0, 0).rate is None


def test_village_without_phieu_cannot_meet_a_per_village_rule():
    survey = tally(unit("A", 10, 10, (10, 10, 10)), unit("B", 10, 0, (0, 0, 0)))
    result = A.evaluate([PER_VILLAGE], survey, collecting_finished=True).rules[0]
    assert not result.met
    assert result.failing_units == ("B",)
    assert result.observed is None and result.trials == 0


def test_without_overall_item_the_pooled_item_rate_is_used():
    survey = tally(unit("A", 100, 100, (95, 85, 90)), overall=None)
    result = A.evaluate([OVERALL], survey, collecting_finished=True).rules[0]
    assert (result.successes, result.trials) == (270, 300)
    assert result.met


def test_per_village_coverage():
    rule = A.Rule("coverage_min", "0.70", "local plan", False, subunit="village")
    survey = tally(unit("A", 100, 80, (80, 80, 80)), unit("B", 100, 69, (69, 69, 69)))
    verdict = A.evaluate([OVERALL, rule], survey, collecting_finished=True)
    assert verdict.status == "incomplete"
    assert verdict.rules[1].failing_units == ("B",)


def test_exact_boundary_in_rules():
    survey = tally(unit("A", 2009, 2009, (1808, 1808, 1808)))
    assert A.evaluate([OVERALL], survey, collecting_finished=True).status == "not_met"
    survey = tally(unit("A", 30, 30, (27, 27, 27)))
    assert A.evaluate([OVERALL], survey, collecting_finished=True).status == "met"


def test_rule_stores_fraction():
    assert OVERALL.value == Fraction(9, 10)
    assert OVERALL.threshold == "0.90"


def _deciding(rule, survey):
    result = A.evaluate([rule], survey, collecting_finished=True).rules[0]
    return result.deciding_unit, result.deciding_item


def test_overall_rule_is_decided_by_the_overall_item_of_the_survey():
    survey = tally(unit("A", 100, 90, (85, 70, 80)), unit("B", 100, 90, (86, 72, 60)))
    assert _deciding(OVERALL, survey) == (None, "overall")
    pooled = tally(unit("A", 100, 90, (85, 70, 80)), overall=None)
    assert _deciding(OVERALL, pooled) == (None, None)  # the pooled rate of all items: no one item decides


def test_item_rule_is_decided_by_the_worst_item_over_the_survey():
    survey = tally(unit("A", 100, 90, (85, 70, 80)), unit("B", 100, 90, (86, 72, 60)))
    result = A.evaluate([ITEMS], survey, collecting_finished=True).rules[0]
    assert (result.deciding_unit, result.deciding_item) == (None, "overall")
    assert (result.successes, result.trials) == (140, 180)


def test_per_village_rule_is_decided_by_the_worst_village_and_item():
    survey = tally(unit("A", 100, 90, (85, 70, 80)), unit("B", 100, 90, (86, 72, 60)))
    result = A.evaluate([PER_VILLAGE], survey, collecting_finished=True).rules[0]
    assert (result.deciding_unit, result.deciding_item, result.successes, result.trials) == ("B", "overall", 60, 90)


def test_per_commune_rule_is_decided_by_the_worst_commune_and_item():
    survey = tally(
        unit("X1-A", 50, 40, (40, 30, 40), group="X1"),
        unit("X1-B", 50, 40, (40, 36, 40), group="X1"),
        unit("X2-A", 50, 40, (40, 31, 40), group="X2"),
    )
    assert _deciding(PER_COMMUNE, survey) == ("X2", "schools")
    assert _deciding(PER_VILLAGE, survey) == ("X1-A", "schools")


def test_coverage_rules_are_decided_by_a_unit_never_an_item():
    survey = tally(unit("A", 100, 80, (80, 80, 80), group="X1"), unit("B", 100, 69, (69, 69, 69), group="X2"),
                   unit("C", 100, 75, (75, 75, 75), group="X2"))
    assert _deciding(COVERAGE, survey) == (None, None)
    assert _deciding(A.Rule("coverage_min", "0.70", "local plan", False, subunit="village"), survey) == ("B", None)
    assert _deciding(A.Rule("coverage_min", "0.70", "local plan", False, subunit="commune"), survey) == ("X2", None)


def test_the_first_of_equally_bad_cells_decides_and_an_empty_one_is_worst():
    survey = tally(unit("A", 10, 10, (5, 5, 9)), unit("B", 10, 4, (2, 2, 4)), unit("C", 10, 10, (5, 9, 9)))
    assert _deciding(PER_VILLAGE, survey) == ("A", "roads")  # 5/10 = 2/4 = 5/10: the first one
    empty = tally(unit("A", 10, 10, (5, 5, 9)), unit("B", 10, 0, (0, 0, 0)), unit("C", 10, 0, (0, 0, 0)))
    result = A.evaluate([PER_VILLAGE], empty, collecting_finished=True).rules[0]
    assert (result.deciding_unit, result.deciding_item, result.observed) == ("B", "roads", None)


@st.composite
def _tallies(draw):
    """Villages in one or two communes with any counts (some without phiếu), and the overall item or none."""
    units = []
    for index in range(draw(st.integers(1, 6))):
        respondents = draw(st.integers(0, 12))
        satisfied = tuple(draw(st.integers(0, respondents)) for _ in KEYS)
        units.append(unit(f"V{index}", respondents + draw(st.integers(0, 5)), respondents, satisfied,
                          group=draw(st.sampled_from(("X1", "X2")))))
    return tally(*units, overall=draw(st.sampled_from(("overall", None))))


def _cell(rule, survey, unit_code, item):
    """The (successes, trials) of one cell, counted here from the tally for checking."""
    members = [u for u in survey.units if unit_code in (None, u.code, u.group)]
    if rule.kind == "coverage_min":
        return sum(u.respondents for u in members), sum(u.households for u in members)
    keys = [item] if item is not None else list(KEYS)
    counts = [u.items[key] for u in members for key in keys]
    return sum(c.satisfied for c in counts), sum(c.collected for c in counts)


@given(_tallies(), st.sampled_from((OVERALL, ITEMS, PER_COMMUNE, PER_VILLAGE, COVERAGE,
                                    A.Rule("coverage_min", "0.70", "local plan", False, subunit="village"),
                                    A.Rule("coverage_min", "0.70", "local plan", False, subunit="commune"))))
@settings(max_examples=300)
def test_the_deciding_unit_and_item_hold_the_deciding_counts_and_none_is_worse(survey, rule):
    result = A.evaluate([rule], survey, collecting_finished=True).rules[0]
    assert _cell(rule, survey, result.deciding_unit, result.deciding_item) == (result.successes, result.trials)
    assert (result.deciding_unit is None) == (rule.subunit is None)
    assert (result.deciding_item is None) == (rule.kind == "coverage_min"
                                              or (rule.kind == "overall_min" and survey.overall_item is None))
    if result.observed is not None:
        assert all(s.observed is not None and s.observed >= result.observed for s in result.shortfalls)
