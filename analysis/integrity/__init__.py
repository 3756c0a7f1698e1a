"""Integrity indicators: anomalies an auditor should look at, computed on plain inputs.

Each function returns a tuple of `Indicator` objects, one per triggered case (empty when nothing is
found). Indicators are prompts for a human check, not proof of fraud; thresholds are parameters.
`severity` is a code: ``info`` (worth a note), ``warning`` (check it), ``alert`` (check it first).
"""

from .content import NO_OPINION, full_coverage, identical_opinions, normalise_opinion, outlier_villages
from .indicator import SEVERITIES, Indicator
from .timing import answers_outside_window, bursts, fast_keying

__all__ = [
    "NO_OPINION",
    "SEVERITIES",
    "Indicator",
    "answers_outside_window",
    "bursts",
    "fast_keying",
    "full_coverage",
    "identical_opinions",
    "normalise_opinion",
    "outlier_villages",
]
