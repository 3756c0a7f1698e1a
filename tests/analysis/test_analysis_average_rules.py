"""Average rules: the mean of chosen items' rates, over the survey or in every sub-unit, decided exactly."""

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import analysis as A

KEYS = ("q1", "q2", "q3", "overall")
SELECTIONS = ("all", "all_except_overall", ("q1", "q3"), ("overall", "q2"))


def unit(code, respondents, satisfied, group=None, blank=0, households=None):
    """A village where item `key` has `satisfied[i]` satisfied, `blank` blanks and the rest not satisfied."""
    items = {key: A.ItemCounts(s, respondents - s - blank, blank) for key, s in zip(KEYS, satisfied, strict=True)}
    return A.UnitTally(code, respondents if households is None else households, respondents, items, group=group)


def tally(*units, overall="overall"):
    return A.SurveyTally(units, KEYS, overall)


def average(rule, threshold="0.95", items="all_except_overall", subunit=None):
    return A.Rule(rule, threshold, "Kế hoạch Triệu Sơn (2024)", False, subunit=subunit, items=items)


def chosen(selection, overall):
    """The keys a selection names, worked out here independently of the engine."""
    if selection == "all":
        return list(KEYS)
    if selection == "all_except_overall":
        return [key for key in KEYS if key != overall]
    return [key for key in KEYS if key in selection]


def mean_of_rates(units, keys):
    """The plain mean of each item's rate (satisfied / phiếu collected), in exact rationals; None without phiếu."""
    collected = sum(u.respondents for u in units)
    if not collected:
        return None
    return sum(Fraction(sum(u.items[key].satisfied for u in units), collected) for key in keys) / len(keys)


def test_trieu_son_questions_1_to_9_average_at_exactly_95_percent():
    # Nine questions and the overall one, 20 phiếu: 171 satisfied marks of 180 is a mean of exactly 95 %.
    keys = tuple(f"c{n}" for n in range(1, 11))
    def village(satisfied):
        return A.UnitTally("T", 20, 20, {k: A.ItemCounts(s, 20 - s) for k, s in zip(keys, satisfied, strict=True)})
    rule = A.Rule("items_average_min", "0.95", "Triệu Sơn", False, items="all_except_overall")
    met = A.evaluate([rule], A.SurveyTally([village((20,) * 8 + (11, 0))], keys, "c10"), collecting_finished=True)
    result = met.rules[0]
    assert result.met and result.observed == Fraction(95, 100)
    assert (result.successes, result.trials) == (171, 180)
    assert result.averaged_items == keys[:9]
    assert (result.deciding_unit, result.deciding_item) == (None, None)
    short = A.evaluate([rule], A.SurveyTally([village((20,) * 8 + (10, 20))], keys, "c10"), collecting_finished=True)
    assert not short.rules[0].met and short.rules[0].observed == Fraction(170, 180)
    assert short.rules[0].shortfalls == (A.Shortfall(None, None, 170, 180, Fraction(170, 180)),)


def test_a_per_item_rule_would_fail_where_the_average_is_met():
    survey = tally(unit("A", 100, (100, 90, 95, 80)))  # q2 is 90 %, the mean of q1–q3 is 95 %
    verdict = A.evaluate([average("items_average_min"), A.Rule("item_min", "0.95", "x", False)], survey,
                         collecting_finished=True)
    assert [r.met for r in verdict.rules] == [True, False]


def test_blanks_count_in_the_denominator_of_the_average():
    survey = tally(unit("A", 20, (19, 19, 19, 19), blank=1))  # 19 of 20 phiếu on each item, 1 blank
    result = A.evaluate([average("items_average_min")], survey, collecting_finished=True).rules[0]
    assert result.observed == Fraction(57, 60) == Fraction(95, 100) and result.met
    blanker = tally(unit("A", 20, (18, 19, 19, 19), blank=1))
    assert not A.evaluate([average("items_average_min")], blanker, collecting_finished=True).rules[0].met


def test_per_commune_average_names_the_worst_commune_and_every_failing_one():
    rule = average("subunit_average_min", "0.90", items="all", subunit="commune")
    survey = tally(
        unit("X1-A", 10, (10, 8, 8, 10), group="X1"),   # X1: (10+8+8+10 + 9+9+9+9) / 80 = 72/80 = 90 %
        unit("X1-B", 10, (9, 9, 9, 9), group="X1"),
        unit("X2-A", 10, (9, 9, 8, 9), group="X2"),     # X2: 35/40 = 87.5 %
        unit("X3-A", 10, (9, 9, 9, 8), group="X3"),     # X3: 35/40 = 87.5 %, as bad: X2 came first
    )
    result = A.evaluate([rule], survey, collecting_finished=True).rules[0]
    assert not result.met
    assert result.failing_units == ("X2", "X3") and result.failing_items == ()
    assert (result.deciding_unit, result.deciding_item, result.successes, result.trials) == ("X2", None, 35, 40)
    assert result.averaged_items == KEYS


def test_per_village_average_and_a_village_without_phieu():
    rule = average("subunit_average_min", "0.90", items=("q1", "q2"), subunit="village")
    survey = tally(unit("A", 10, (9, 9, 0, 0)), unit("B", 0, (0, 0, 0, 0)))
    result = A.evaluate([rule], survey, collecting_finished=True).rules[0]
    assert not result.met and result.failing_units == ("B",)
    assert (result.deciding_unit, result.observed, result.trials) == ("B", None, 0)


def test_without_an_overall_item_all_except_overall_is_every_item():
    survey = tally(unit("A", 10, (10, 9, 8, 7)), overall=None)
    result = A.evaluate([average("items_average_min", "0.85")], survey, collecting_finished=True).rules[0]
    assert result.averaged_items == KEYS and result.observed == Fraction(34, 40) and result.met


@pytest.mark.parametrize(("arguments", "message"), [
    (dict(kind="items_average_min"), "needs items"),
    (dict(kind="items_average_min", items=()), "needs items"),
    (dict(kind="items_average_min", items="most"), "items must be one of"),
    (dict(kind="items_average_min", items=("q1", "q1")), "distinct"),
    (dict(kind="items_average_min", items=("q1", "")), "distinct"),
    (dict(kind="items_average_min", items="all", subunit="village"), "takes no subunit"),
    (dict(kind="subunit_average_min", items="all"), "needs a subunit"),
    (dict(kind="subunit_average_min", items="all", subunit="district"), "unknown sub-unit"),
    (dict(kind="item_min", items="all"), "takes no items"),
    (dict(kind="subunit_item_min", subunit="village", items=("q1",)), "takes no items"),
])
def test_average_rules_are_checked_when_built(arguments, message):
    with pytest.raises(ValueError, match=message):
        A.Rule(threshold="0.90", source="x", verified=False, **arguments)


def test_unknown_or_no_items_are_refused_at_evaluation():
    survey = tally(unit("A", 10, (10, 10, 10, 10)))
    with pytest.raises(ValueError, match=r"\['q9'\] are not item keys"):
        A.evaluate([average("items_average_min", items=("q1", "q9"))], survey, collecting_finished=True)
    lonely = A.SurveyTally([A.UnitTally("A", 1, 1, {"overall": A.ItemCounts(1, 0)})], ("overall",), "overall")
    with pytest.raises(ValueError, match="no item left"):
        A.evaluate([average("items_average_min")], lonely, collecting_finished=True)


def test_a_list_of_items_is_kept_as_a_tuple_and_the_rule_stays_hashable():
    rule = average("items_average_min", items=["q1", "q2"])
    assert rule.items == ("q1", "q2") and hash(rule) == hash(average("items_average_min", items=("q1", "q2")))


@st.composite
def surveys(draw):
    """One to five villages in up to three communes, any counts and blanks, with an overall item or none."""
    units = []
    for index in range(draw(st.integers(1, 5))):
        respondents = draw(st.integers(0, 15))
        blank = draw(st.integers(0, respondents))
        satisfied = tuple(draw(st.integers(0, respondents - blank)) for _ in KEYS)
        units.append(unit(f"V{index}", respondents, satisfied, group=draw(st.sampled_from(("X1", "X2", "X3"))),
                          blank=blank))
    return tally(*units, overall=draw(st.sampled_from(("overall", None))))


def thresholds():
    """Thresholds that often sit exactly on an attainable mean: k/d for small d, as decimals or fractions."""
    exact = st.builds(Fraction, st.integers(1, 60), st.integers(1, 60)).filter(lambda f: 0 < f <= 1)
    decimals = st.integers(1, 10_000).map(lambda n: str(Decimal(n) / 10_000))  # "0.95", "1"
    return st.one_of(exact.map(lambda f: f"{f.numerator}/{f.denominator}"), decimals)


@given(surveys(), st.sampled_from(SELECTIONS), st.sampled_from((None, "village", "commune")), thresholds())
@settings(max_examples=400)
def test_average_rules_agree_with_the_mean_of_rates_in_rationals(survey, selection, subunit, threshold):
    kind = "items_average_min" if subunit is None else "subunit_average_min"
    rule = A.Rule(kind, threshold, "x", False, subunit=subunit, items=selection)
    result = A.evaluate([rule], survey, collecting_finished=True).rules[0]
    keys = chosen(selection, survey.overall_item)
    groups = {}
    for member in survey.units:
        code = {None: None, "village": member.code, "commune": member.group}[subunit]
        groups.setdefault(code, []).append(member)
    means = {code: mean_of_rates(members, keys) for code, members in groups.items()}
    failing = [code for code, mean in means.items() if mean is None or mean < rule.value]
    assert result.met == (not failing)
    assert list(result.failing_units) == [code for code in failing if code is not None]
    assert result.averaged_items == tuple(keys)
    assert result.deciding_item is None
    assert result.observed == means[result.deciding_unit]
    worst = list(means.values())
    assert result.observed is None if None in worst else result.observed == min(worst)
    if result.trials:
        assert Fraction(result.successes, result.trials) == result.observed
