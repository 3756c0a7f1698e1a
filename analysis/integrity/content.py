"""Indicators on what the answers say: copied opinions, full coverage, outlier villages."""

from __future__ import annotations

import string
import unicodedata
from collections.abc import Iterable, Sequence

from scipy.stats import fisher_exact

from .._validation import check_count, check_sample
from .indicator import Indicator

__all__ = ["NO_OPINION", "full_coverage", "identical_opinions", "normalise_opinion", "outlier_villages"]

_STRIP = string.punctuation + string.whitespace + "…“”‘’–—"
#: Normalised "no opinion" answers, common on honest phiếu and never flagged as copies.
NO_OPINION = (
    "không",
    "không có",
    "không có ý kiến",
    "không có ý kiến gì",
    "không có ý kiến khác",
    "không ý kiến",
    "nhất trí",
    "đồng ý",
    "hài lòng",
)


def normalise_opinion(text: str) -> str:
    """Return the comparison form of a free-text opinion: NFC, case-folded, spaces collapsed, trimmed."""
    folded = unicodedata.normalize("NFC", text).casefold()
    return " ".join(folded.split()).strip(_STRIP)


def identical_opinions(
    texts: Sequence[str | None],
    *,
    min_copies: int = 5,
    min_length: int = 10,
    ignore: Iterable[str] = NO_OPINION,
) -> tuple[Indicator, ...]:
    """Flag free-text opinions repeated word for word (after `normalise_opinion`) `min_copies` times.

    Texts shorter than `min_length` once normalised, and the "no opinion" answers in `ignore`, are
    common on honest phiếu and are skipped. Evidence lists the positions of the copies in `texts`.
    """
    skipped = {normalise_opinion(text) for text in ignore}
    if check_count(min_copies, "min_copies") < 2:
        raise ValueError("min_copies must be at least 2")
    shortest = check_count(min_length, "min_length")
    positions: dict[str, list[int]] = {}
    for index, text in enumerate(texts):
        if text is None:
            continue
        if not isinstance(text, str):
            raise ValueError(f"opinion {index} must be a string or None, got {text!r}")
        key = normalise_opinion(text)
        if len(key) >= max(1, shortest) and key not in skipped:
            positions.setdefault(key, []).append(index)
    return tuple(
        Indicator(
            "identical_opinions",
            "warning",
            None,
            {"text": key, "copies": len(where), "positions": tuple(where)},
        )
        for key, where in positions.items()
        if len(where) >= min_copies
    )


def full_coverage(units: Iterable[tuple[str, int, int]]) -> tuple[Indicator, ...]:
    """Flag villages ``(code, households, respondents)`` where coverage reaches 100 %.

    Exactly 100 % is ``info`` (a full census happens but deserves a look); above 100 % is ``alert``
    (more phiếu than households on the list).
    """
    found = []
    for code, households, respondents in units:
        big_n = check_count(households, "households")
        n = check_count(respondents, "respondents")
        if n and n >= big_n:
            found.append(
                Indicator(
                    "full_coverage",
                    "alert" if n > big_n else "info",
                    code,
                    {"households": big_n, "respondents": n},
                )
            )
    return tuple(found)


def _versus_rest(rows: list[tuple[str, int, int]]) -> list[tuple[float, str, int, int, int, int]]:
    """Return (p-value, code, n, x, rest n, rest x) of Fisher's exact test of each row against the rest."""
    total_n = sum(n for _, n, _ in rows)
    total_x = sum(x for _, _, x in rows)
    tests = []
    for code, n, x in rows:
        rest_n, rest_x = total_n - n, total_x - x
        if total_x in (0, total_n):
            p_value = 1.0  # every answer is the same: nothing stands out
        else:
            p_value = float(fisher_exact([[x, n - x], [rest_x, rest_n - rest_x]]).pvalue)
        tests.append((p_value, code, n, x, rest_n, rest_x))
    return tests


def outlier_villages(units: Iterable[tuple[str, int, int]], *, alpha: float = 0.001) -> tuple[Indicator, ...]:
    """Flag villages ``(code, respondents, satisfied)`` whose rate differs from the other villages.

    Each village is compared with the other villages pooled by Fisher's exact test (two-sided, on
    the 2x2 table of satisfied / not satisfied); p-values are Bonferroni-adjusted for the number of
    villages with respondents, and a village is flagged when the adjusted p-value is below `alpha`.
    The most extreme village is flagged first and left out of the pool before the next round, so
    one deviant village does not make the others look unusual.
    """
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float)) or not 0 < alpha < 1:
        raise ValueError(f"alpha must lie strictly between 0 and 1, got {alpha!r}")
    rows = []
    for code, respondents, satisfied in units:
        x, n, _ = check_sample(satisfied, respondents)
        if n:
            rows.append((code, n, x))
    tested = len(rows)
    found = []
    while len(rows) >= 2:
        tests = _versus_rest(rows)
        worst = min(range(len(tests)), key=lambda i: tests[i][0])
        p_value, code, n, x, rest_n, rest_x = tests[worst]
        adjusted = min(1.0, p_value * tested)
        if adjusted >= alpha:
            break
        evidence = {
            "respondents": n,
            "satisfied": x,
            "rate": x / n,
            "rest_respondents": rest_n,
            "rest_rate": rest_x / rest_n,
            "direction": "above" if x * rest_n > rest_x * n else "below",
            "p_value": p_value,
            "adjusted_p_value": adjusted,
            "alpha": alpha,
        }
        found.append(Indicator("outlier_village", "warning", code, evidence))
        del rows[worst]
    return tuple(found)
