"""Integrity indicators: anomalies an auditor should look at, computed on plain inputs.

Each function returns a tuple of `Indicator` objects, one per triggered case (empty when nothing is
found). Indicators are prompts for a human check, not proof of fraud. Each one is calibrated on simulated
honest surveys to raise a ``warning`` or an ``alert`` on at most 1 % of them (bench/indicator_false_alarms.py,
docs/integrity.md). `severity` is a code: ``info`` (worth a note), ``warning`` (check it), ``alert``
(check it first).
"""

from .bursts import Traffic, bursts
from .content import full_coverage, outlier_villages
from .indicator import SEVERITIES, Indicator
from .opinions import (
    NO_OPINION,
    ORDINARY_OPINIONS,
    coincidence_rate,
    identical_opinions,
    is_ordinary,
    normalise_opinion,
    plain_opinion,
    repeated_opinions,
)
from .timing import answers_outside_window, fast_keying

__all__ = [
    "NO_OPINION",
    "ORDINARY_OPINIONS",
    "SEVERITIES",
    "Indicator",
    "Traffic",
    "answers_outside_window",
    "bursts",
    "coincidence_rate",
    "fast_keying",
    "full_coverage",
    "identical_opinions",
    "is_ordinary",
    "normalise_opinion",
    "outlier_villages",
    "plain_opinion",
    "repeated_opinions",
]
