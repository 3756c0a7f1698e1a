"""Coverage (the legal quorum) and dispositions of the households of one unit."""

from __future__ import annotations

from dataclasses import dataclass

from ._validation import check_count

__all__ = ["Coverage", "Dispositions", "coverage", "dispositions"]


@dataclass(frozen=True, slots=True)
class Coverage:
    """Respondents over households on the list; `rate` is None when the list is empty.

    `rate` may exceed 1 when the data are inconsistent: that is flagged by
    `analysis.integrity.full_coverage`, not rejected here.
    """

    households: int
    respondents: int
    rate: float | None


def coverage(respondents: int, households: int) -> Coverage:
    """Return the coverage n/N of one unit."""
    n = check_count(respondents, "respondents")
    big_n = check_count(households, "households")
    return Coverage(big_n, n, n / big_n if big_n else None)


@dataclass(frozen=True, slots=True)
class Dispositions:
    """What happened to each household on the list of one unit.

    Attributes
    ----------
    households : int
        Households on the list.
    answered, refused, not_reached : int
        Outcomes of the attempts; `approached` = answered + refused (contact made).
    pending : int
        Households not yet attempted: households - answered - refused - not_reached.
    coverage : float or None
        answered / households (the legal quorum).
    response_rate : float or None
        answered / approached; None when nobody was approached.
    """

    households: int
    answered: int
    refused: int
    not_reached: int
    approached: int
    pending: int
    coverage: float | None
    response_rate: float | None


def dispositions(households: int, answered: int, refused: int = 0, not_reached: int = 0) -> Dispositions:
    """Summarise the dispositions of one unit's households."""
    big_n = check_count(households, "households")
    done = check_count(answered, "answered")
    refusals = check_count(refused, "refused")
    missed = check_count(not_reached, "not_reached")
    accounted = done + refusals + missed
    if accounted > big_n:
        raise ValueError(
            f"answered + refused + not_reached ({accounted}) cannot exceed households on the list ({big_n})"
        )
    approached = done + refusals
    return Dispositions(
        households=big_n,
        answered=done,
        refused=refusals,
        not_reached=missed,
        approached=approached,
        pending=big_n - accounted,
        coverage=done / big_n if big_n else None,
        response_rate=done / approached if approached else None,
    )
