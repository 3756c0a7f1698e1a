"""Pure statistics on survey counts: exact rule checks, intervals, stratified estimates, tests,
sample-size planning and integrity indicators.

Counts in, frozen results out. Only the standard library, NumPy and SciPy are used; labels and
number formatting belong to the web application.
"""

from .coverage import Coverage, Dispositions, coverage, dispositions
from .finite_population import NonresponseBounds, ThresholdTest, nonresponse_bounds, threshold_test
from .integrity import (
    Indicator,
    answers_outside_window,
    bursts,
    fast_keying,
    full_coverage,
    identical_opinions,
    outlier_villages,
)
from .intervals import Interval, proportion_interval
from .planning import sample_size
from .rules import Rule, RuleResult, Shortfall, Verdict, evaluate
from .stratified import StratifiedEstimate, stratified_proportion
from .tally import ItemCounts, SurveyTally, UnitTally
from .thresholds import meets, to_fraction

__all__ = [
    "Coverage",
    "Dispositions",
    "Indicator",
    "Interval",
    "ItemCounts",
    "NonresponseBounds",
    "Rule",
    "RuleResult",
    "Shortfall",
    "StratifiedEstimate",
    "SurveyTally",
    "ThresholdTest",
    "UnitTally",
    "Verdict",
    "answers_outside_window",
    "bursts",
    "coverage",
    "dispositions",
    "evaluate",
    "fast_keying",
    "full_coverage",
    "identical_opinions",
    "meets",
    "nonresponse_bounds",
    "outlier_villages",
    "proportion_interval",
    "sample_size",
    "stratified_proportion",
    "threshold_test",
    "to_fraction",
]
