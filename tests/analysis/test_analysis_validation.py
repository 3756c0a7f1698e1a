"""Bad inputs raise ValueError with a message that names the problem."""

from datetime import datetime, timedelta

import pytest

import analysis as A


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: A.meets(11, 10, 0.9), "cannot exceed"),
        (lambda: A.meets(-1, 10, 0.9), "non-negative"),
        (lambda: A.meets(1.5, 10, 0.9), "integer"),
        (lambda: A.meets(True, 10, 0.9), "integer"),
        (lambda: A.meets(9, 10, 1.1), r"\[0, 1\]"),
        (lambda: A.meets(9, 10, -0.1), r"\[0, 1\]"),
        (lambda: A.meets(9, 10, "90%"), "decimal string"),
        (lambda: A.meets(9, 10, float("nan")), "finite"),
        (lambda: A.meets(9, 10, None), "threshold"),
        (lambda: A.proportion_interval(1, 0), "cannot exceed"),
        (lambda: A.proportion_interval(0, 0), "trials must be positive"),
        (lambda: A.proportion_interval(3, 10, confidence=1.0), "confidence"),
        (lambda: A.proportion_interval(3, 10, confidence=0), "confidence"),
        (lambda: A.proportion_interval(3, 10, method="wald"), "unknown interval method"),
        (lambda: A.proportion_interval(3, 10, method="clopper"), "unknown interval method"),
        (lambda: A.proportion_interval(3, 10, method="adjusted-wald"), "without a population"),
        (lambda: A.proportion_interval(3, 10, method="jeffreys", population=50), "with a population"),
        (lambda: A.proportion_interval(3, 10, population=9), "cannot exceed population"),
        # Plain Wald with FPC was never part of the documented methods and nothing used it: removed.
        (lambda: A.proportion_interval(3, 10, population=50, method="wald"), "unknown interval method"),
        (lambda: A.stratified_proportion([]), "at least one stratum"),
        (lambda: A.stratified_proportion([(10, 0, 0)]), "no stratum has respondents"),
        (lambda: A.stratified_proportion([(10, 11, 1)]), "stratum 0"),
        (lambda: A.stratified_proportion([(10, 5)]), "stratum 0 must be"),
        (lambda: A.stratified_proportion([(10, 5, 6)]), "cannot exceed"),
        (lambda: A.stratified_proportion([(10, 5, 4)], method="wald"), "unknown stratified"),
        (lambda: A.threshold_test(5, 10, 8, 0.9), "cannot exceed population"),
        (lambda: A.threshold_test(0, 0, 0, 0.9), "population must be positive"),
        (lambda: A.threshold_test(5, 10, 20, 2), r"\[0, 1\]"),
        (lambda: A.nonresponse_bounds(5, 10, 9), "cannot exceed"),
        (lambda: A.dispositions(10, 8, 2, 1), "cannot exceed households"),
        (lambda: A.coverage(-1, 10), "non-negative"),
        (lambda: A.sample_size(0), "at least 1"),
        (lambda: A.sample_size(100, margin=0), "margin"),
        (lambda: A.sample_size(100, expected=1.0), "expected"),
        (lambda: A.sample_size(100, response_rate=0), "response_rate"),
        (lambda: A.sample_size(100, confidence=95), "confidence"),
        (lambda: A.bursts([datetime(2026, 1, 1)], []), "addresses"),
        (lambda: A.bursts([], [], gap=timedelta(0)), "gap"),
        (lambda: A.fast_keying([("k", "b", 10, -1)]), "non-negative"),
        (lambda: A.fast_keying([], floor_seconds=0), "positive"),
        (lambda: A.identical_opinions([], min_copies=1), "at least 2"),
        (lambda: A.identical_opinions([3]), "string"),
        (lambda: A.answers_outside_window([], datetime(2026, 2, 1), datetime(2026, 1, 1)), "ends before"),
        (lambda: A.outlier_villages([("A", 10, 11)]), "cannot exceed"),
        (lambda: A.outlier_villages([], alpha=1.5), "alpha"),
    ],
)
def test_bad_inputs_raise(call, message):
    with pytest.raises(ValueError, match=message):
        call()


KEYS = ("a", "b")


def _unit(code="A", respondents=2, group=None):
    return A.UnitTally(code, 5, respondents, {"a": A.ItemCounts(1, 1, 0), "b": A.ItemCounts(2, 0, 0)}, group)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: A.Rule("average_min", "0.9", "x", True), "unknown rule kind"),
        (lambda: A.Rule("overall_min", "ninety", "x", True), "rule threshold"),
        (lambda: A.Rule("overall_min", "0.9", "x", True, subunit="village"), "takes no subunit"),
        (lambda: A.Rule("subunit_item_min", "0.8", "x", True), "needs a subunit"),
        (lambda: A.Rule("subunit_item_min", "0.8", "x", True, subunit="district"), "unknown sub-unit"),
        (lambda: A.Rule("overall_min", "0.9", "x", "yes"), "verified"),
        (lambda: A.ItemCounts(-1, 0, 0), "non-negative"),
        (lambda: _unit(respondents=3), "accounts for 2"),
        (lambda: _unit(code=""), "unit code"),
        (lambda: _unit(group=""), "group"),
        (lambda: A.UnitTally("A", 5, 2, {"a": (1, 1, 0)}), "must be ItemCounts"),
        (lambda: A.SurveyTally([], KEYS, None), "at least one unit"),
        (lambda: A.SurveyTally([_unit()], (), None), "at least one item"),
        (lambda: A.SurveyTally([_unit()], ("a", "a"), None), "unique"),
        (lambda: A.SurveyTally([_unit()], KEYS, "c"), "overall item"),
        (lambda: A.SurveyTally([_unit(), _unit()], KEYS, None), "codes must be unique"),
        (lambda: A.SurveyTally([_unit()], ("a", "b", "c"), None), "do not match"),
        (
            lambda: A.evaluate([], A.SurveyTally([_unit()], KEYS, None), collecting_finished=True),
            "at least one rule",
        ),
        (
            lambda: A.evaluate(
                ["overall_min"], A.SurveyTally([_unit()], KEYS, None), collecting_finished=True
            ),
            "Rule objects",
        ),
        (
            lambda: A.evaluate([A.Rule("overall_min", "0.9", "x", True)], {}, collecting_finished=True),
            "SurveyTally",
        ),
    ],
)
def test_bad_rule_inputs_raise(call, message):
    with pytest.raises(ValueError, match=message):
        call()
