"""Locale-aware display of numbers, rates and times (never rounding a rate up across a threshold)."""
from __future__ import annotations

import datetime as dt
import decimal
import math
from fractions import Fraction

from flask_babel import format_date, format_datetime, format_decimal, get_locale


def _exact(value: Fraction | decimal.Decimal | float | int) -> Fraction:
    """Read a float as the decimal it prints as (0.29, not 0.28999...), anything else exactly."""
    return Fraction(repr(value)) if isinstance(value, float) else Fraction(value)


def _truncate(value: Fraction, digits: int) -> decimal.Decimal:
    """Cut (not round) to ``digits`` decimals so 89.996 % never shows as 90,00 %."""
    scale = 10**digits
    return decimal.Decimal(math.floor(value * scale)) / scale


def percent(value: Fraction | decimal.Decimal | float | None, digits: int = 2) -> str:
    """Format a rate in [0, 1] as ``93,19 %`` (vi) or ``93.19%`` (en), truncated, never rounded up."""
    if value is None:
        return "–"
    shown = _truncate(_exact(value) * 100, digits)
    return _with_percent_sign(format_decimal(shown, format="#,##0." + "0" * digits if digits else "#,##0"))


def threshold(value: Fraction | decimal.Decimal | float | str | None) -> str:
    """Format a rule's threshold as set (``80 %``, ``80,5 %``, up to four decimals): never cut to whole percent."""
    if value is None or value == "":
        return "–"
    exact = _exact(decimal.Decimal(value) if isinstance(value, str) else value) * 100
    shown = decimal.Decimal(exact.numerator) / decimal.Decimal(exact.denominator)
    return _with_percent_sign(format_decimal(shown, format="#,##0.####"))


def _with_percent_sign(text: str) -> str:
    """``93,19 %`` (Vietnamese, with a no-break space) or ``93.19%`` (English)."""
    return f"{text}\u00a0%" if str(get_locale()) == "vi" else f"{text}%"


def number(value: int | float) -> str:
    """Format a count with the locale's grouping: ``11.683`` in Vietnamese."""
    return format_decimal(value)


def date(value: dt.date | None) -> str:
    """Format a date as dd/mm/yyyy."""
    return format_date(value, "dd/MM/yyyy") if value else ""


def datetime(value: dt.datetime | str | None) -> str:
    """Format a timestamp in Vietnam's time zone as HH:mm dd/mm/yyyy (ISO 8601 text too, as a published
    document freezes its times)."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value) if value else None
    return format_datetime(value, "HH:mm dd/MM/yyyy") if value else ""
