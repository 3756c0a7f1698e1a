"""Locale-aware display of numbers, rates and times: the one formatter of every page, export and notice.

- A rate (satisfied / phiếu, phiếu / households, an interval's limit) shows two decimals, cut and never
  rounded up (``percent``): 89,996 % is ``89,99 %``, so no rate is shown across a threshold it misses, and
  the same rate reads the same on every page and in every file.
- A rule's threshold or a setting shows as it was set (``threshold``): ``80 %``, ``80,5 %``.
- A moment shows in the configured time zone (``BABEL_DEFAULT_TIMEZONE``, Asia/Ho_Chi_Minh by default) as
  ``HH:mm dd/mm/yyyy``; the zone is named once per page (``zone_name``, in the footer of a page that showed a
  time) or per file. Machine formats (JSON, raw CSV, audit entries) keep ISO 8601 in UTC.
"""
from __future__ import annotations

import datetime as dt
import decimal
import math
from fractions import Fraction

from babel.dates import get_timezone_gmt, get_timezone_location
from flask import g, has_app_context
from flask_babel import format_date, format_datetime, format_decimal, get_locale, get_timezone


def _exact(value: Fraction | decimal.Decimal | float | int) -> Fraction:
    """Read a float as the decimal it prints as (0.29, not 0.28999...), anything else exactly."""
    return Fraction(repr(value)) if isinstance(value, float) else Fraction(value)


def _truncate(value: Fraction, digits: int) -> decimal.Decimal:
    """Cut (not round) to ``digits`` decimals so 89.996 % never shows as 90,00 %."""
    scale = 10**digits
    return decimal.Decimal(math.floor(value * scale)) / scale


def rate_cut(value: Fraction | decimal.Decimal | float | None, digits: int = 4) -> decimal.Decimal | None:
    """A rate cut to ``digits`` decimals as a number (0.9319 for 93,19 %): what a spreadsheet cell holds."""
    return None if value is None else _truncate(_exact(value), digits)


def percent_plain(value: Fraction | decimal.Decimal | float | None) -> str:
    """A rate as a plain percentage with a dot and two decimals, cut like ``percent`` (``93.19``): CSV cells."""
    return "" if value is None else f"{_truncate(_exact(value) * 100, 2):.2f}"


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
    """Format a count with the locale's grouping: ``11.683`` in Vietnamese. Any size: a count typed by a
    person (10²⁵ households) is shown, not refused by the decimal module's default precision of 28 digits."""
    with decimal.localcontext() as context:
        context.prec = max(context.prec, len(str(int(value))) + 8) if math.isfinite(value) else context.prec
        return format_decimal(value)


def date(value: dt.date | str | None) -> str:
    """Format a date as dd/mm/yyyy (ISO 8601 text too, as the results document holds its dates)."""
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10]) if value else None
    return format_date(value, "dd/MM/yyyy") if value else ""


def datetime(value: dt.datetime | str | None) -> str:
    """Format a timestamp in the configured time zone as HH:mm dd/mm/yyyy (ISO 8601 text too, as a published
    document freezes its times); a page that shows one names the zone in its footer (``shown_zone``)."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value) if value else None
    if not value:
        return ""
    if has_app_context():
        g.time_shown = True
    return format_datetime(value, "HH:mm dd/MM/yyyy")


def zone_name() -> str:
    """The time zone times are shown in, named: ``Giờ Việt Nam (GMT+07:00)`` / ``Vietnam Time (GMT+07:00)``."""
    zone, locale = get_timezone(), get_locale()
    now = dt.datetime.now(zone)
    return f"{get_timezone_location(zone, locale=locale)} ({get_timezone_gmt(now, locale=locale)})"


def shown_zone() -> str:
    """The zone's name once a page has shown a time (the page's footer names it once), else nothing."""
    return zone_name() if has_app_context() and g.get("time_shown") else ""
