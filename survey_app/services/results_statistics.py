"""The statistics of the results document as typed models: intervals, the threshold test, the stratified
estimate, and the order to read them in (``Uncertainty``), built in ``results_uncertainty``.

These surveys ask every household on the list and some do not answer: the non-response bounds hold without
any assumption and come first; every model-based interval assumes that the households that answered are a
random subset of all households, which the document says in one sentence.
"""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from .results_types import Count, Model, Rate

__all__ = ["Bounds", "Interval", "Intervals", "NonresponseBounds", "Range", "Stratified", "ThresholdTest",
           "Uncertainty"]


class Bounds(Model):
    """A confidence interval as proportions."""

    low: Rate
    high: Rate


class Interval(Bounds):
    """A model-based confidence interval of the overall rate and how it was computed."""

    method: str
    """``wilson-fpc``; ``exact-hypergeometric``, or ``exact-binomial-limit`` above the exact method's size bound."""


class NonresponseBounds(Model):
    """The rate over all households if every household that did not answer were dissatisfied (worst) or
    satisfied (best)."""

    worst: Rate
    best: Rate


class ThresholdTest(Model):
    """Exact one-sided test against the ``overall_min`` threshold."""

    threshold: Annotated[float, Field(gt=0, le=1)]
    p_value: Rate
    method: str
    """``exact-hypergeometric``, or ``binomial-limit`` above the exact method's size bound."""


class Intervals(Model):
    """What the counts prove (``nonresponse``), then the intervals that assume random response."""

    nonresponse: NonresponseBounds
    confidence: Annotated[float, Field(gt=0, lt=1)]
    wilson_fpc: Interval
    hypergeometric: Interval
    threshold_test: ThresholdTest | None


class Stratified(Model):
    """The overall rate estimated with villages as strata."""

    estimate: Rate
    standard_error: Annotated[float, Field(ge=0)]
    low: Rate
    high: Rate
    degrees_of_freedom: Count
    design_effect: Annotated[float, Field(ge=0)] | None
    interval_method: str
    unestimable_villages: Count
    variance_complete: bool


class Range(Model):
    """One range of the overall rate over all households."""

    figure: Literal["nonresponse", "wilson_fpc", "hypergeometric", "stratified"]
    """Which figure of ``intervals`` (or ``stratified``) this is."""
    method: str
    """How it was computed: ``nonresponse-bounds`` (low: every household that did not answer dissatisfied;
    high: all of them satisfied), ``wilson-fpc``, ``exact-hypergeometric`` or ``exact-binomial-limit``, or the
    stratified estimate's ``interval_method`` (``logit-t``, ``wald-t``, an ``exact-…`` fallback or
    ``nonresponse-bounds``)."""
    low: Rate
    high: Rate
    assumes_random_response: bool
    """False when the range holds whatever the households that did not answer think."""


class Uncertainty(Model):
    """The figures beside the verdict in the order to read them: first the non-response bounds, which assume
    nothing, then the model-based intervals, which rest on ``assumption``."""

    assumption: str | None
    """The assumption of every model-based figure, in one sentence (in Vietnamese, as the results page and
    the report print it); null when every household answered (there is nothing to assume)."""
    ranges: list[Range]
    """The non-response bounds first, then the model-based intervals."""
