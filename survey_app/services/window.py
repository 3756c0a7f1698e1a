"""The survey window: a number of days not counting Saturdays, Sundays and public holidays."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from functools import lru_cache
from types import MappingProxyType

import holidays as holiday_calendars

#: Languages of the holiday names, by the app's locale (python-holidays names Vietnam's in these).
HOLIDAY_LANGUAGES = {"vi": "vi", "en": "en_US"}


def is_day_off(day: date, holidays: frozenset[date]) -> bool:
    """Saturdays, Sundays and configured holidays are not counted."""
    return day.weekday() >= 5 or day in holidays


def window_end(start: date, working_days: int, holidays: Iterable[date] = ()) -> date:
    """Return the last day of a window of ``working_days`` counted days starting on ``start``.

    The start day counts when it is a working day; if it is a day off, counting starts on the next
    working day. Guidance 90/HD: 20 days not counting Saturdays and Sundays.
    """
    if working_days < 1:
        raise ValueError("a survey window has at least one working day")
    off = frozenset(holidays)
    day, counted = start, 0
    while True:
        if not is_day_off(day, off):
            counted += 1
            if counted == working_days:
                return day
        day += timedelta(days=1)


def parse_holidays(values: Iterable[str]) -> frozenset[date]:
    """Read configured holidays given as ISO dates."""
    return frozenset(date.fromisoformat(v) for v in values)


@lru_cache(maxsize=32)
def official_holidays(first_year: int, last_year: int, locale: str = "vi") -> MappingProxyType[date, str]:
    """Vietnam's public holidays of those years with their names, from python-holidays.

    The Labour Code's days (article 112), Tết and the Hùng Kings' day by the lunar calendar, and the
    substitute days off the Government has announced up to that package's release: upgrade it each
    year, and configure what it does not know yet (SURVEY_HOLIDAYS).
    """
    calendar = holiday_calendars.country_holidays("VN", years=range(first_year, last_year + 1),
                                                  language=HOLIDAY_LANGUAGES.get(locale, "vi"))
    return MappingProxyType(dict(calendar))


def public_holidays(configured: Iterable[str], first_year: int, last_year: int) -> frozenset[date]:
    """The official public holidays of those years plus the configured ones."""
    return frozenset(official_holidays(first_year, last_year)) | parse_holidays(configured)


def holidays_between(start: date, end: date, holidays: frozenset[date]) -> list[date]:
    """The holidays on working weekdays between two dates (inclusive): the days a window skipped."""
    return sorted(day for day in holidays if start <= day <= end and day.weekday() < 5)
