"""The statistics beside the verdict, built once for the results document: the intervals of the overall
item and the order to read them in, with what they assume.

A survey asks every household on the list and some do not answer: a census attempt with non-response, not a
random sample. So the document gives first the non-response bounds (the rate over all households if every
household that did not answer were dissatisfied, then satisfied), which hold without any assumption; then the
assumption in one sentence; then the model-based intervals with the route that computed each (Wilson with the
finite population correction, the exact hypergeometric interval or its binomial limit, the stratified
estimate's ``interval_method``). The results page and the PDF report word the same figures in the same order
(``exports/uncertainty.py``).
"""
from __future__ import annotations

from fractions import Fraction

import analysis

from ..i18n import N_
from .results_statistics import Interval, Intervals, NonresponseBounds, Range, Stratified, ThresholdTest, Uncertainty

#: The assumption of every model-based figure, stored in the document in Vietnamese, translated where shown.
ASSUMPTION = N_("Các khoảng tin cậy và xác suất sau đây giả định rằng các hộ đã trả lời là ngẫu nhiên trong "
                "số các hộ (hộ chưa trả lời hài lòng như hộ đã trả lời); đợt lấy ý kiến hỏi mọi hộ chứ "
                "không chọn mẫu ngẫu nhiên, nên giả định này không kiểm chứng được.")
CONFIDENCE = 0.95


def _exact_method(method: str) -> str:
    """The exact interval's route: the hypergeometric interval, or its binomial limit on a huge population."""
    return "exact-hypergeometric" if method == "exact" else method


def intervals(successes: int, trials: int, population: int, threshold: Fraction | None) -> Intervals | None:
    """The non-response bounds, Wilson with FPC, the exact hypergeometric interval and the threshold test."""
    if trials == 0 or population < trials:
        return None
    fpc = analysis.proportion_interval(successes, trials, method="wilson", population=population,
                                       confidence=CONFIDENCE)
    exact = analysis.proportion_interval(successes, trials, method="exact", population=population,
                                         confidence=CONFIDENCE)
    bounds = analysis.nonresponse_bounds(successes, trials, population)
    test = None
    if threshold is not None and 0 < threshold <= 1:
        result = analysis.threshold_test(successes, trials, population, threshold)
        test = ThresholdTest(threshold=float(threshold), p_value=result.p_value, method=_exact_method(result.method))
    return Intervals(
        nonresponse=NonresponseBounds(worst=bounds.worst, best=bounds.best),
        confidence=CONFIDENCE,
        wilson_fpc=Interval(low=fpc.low, high=fpc.high, method="wilson-fpc"),
        hypergeometric=Interval(low=exact.low, high=exact.high, method=_exact_method(exact.method)),
        threshold_test=test,
    )


def uncertainty(found: Intervals | None, stratified: Stratified | None, respondents: int,
                households: int) -> Uncertainty | None:
    """The ranges of the overall rate in the order to read them: the non-response bounds, then (unless every
    household answered) the model-based intervals, with the assumption they rest on."""
    if found is None:
        return None
    bounds = found.nonresponse
    ranges = [Range(figure="nonresponse", method="nonresponse-bounds", low=bounds.worst, high=bounds.best,
                    assumes_random_response=False)]
    if respondents >= households:  # a census: nothing was left to chance, nothing to assume
        return Uncertainty(assumption=None, ranges=ranges)
    ranges += [Range(figure=name, method=interval.method, low=interval.low, high=interval.high,
                     assumes_random_response=True)
               for name, interval in (("wilson_fpc", found.wilson_fpc), ("hypergeometric", found.hypergeometric))]
    if stratified is not None:
        method = stratified.interval_method
        ranges.append(Range(figure="stratified", method=method, low=stratified.low, high=stratified.high,
                            assumes_random_response=method != "nonresponse-bounds"))
    return Uncertainty(assumption=ASSUMPTION, ranges=ranges)
