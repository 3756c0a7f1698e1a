"""The survey window: a number of days not counting Saturdays, Sundays and public holidays."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

#: Public holidays on a fixed solar date every year (Labour Code 2019, article 112): New Year, Reunification
#: Day, Labour Day, National Day. Tết, the Hùng Kings' day and the extra National Day holiday follow the
#: lunar calendar or a yearly government notice: they are configured (SURVEY_HOLIDAYS).
FIXED_HOLIDAYS = ((1, 1), (4, 30), (5, 1), (9, 2))


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


def public_holidays(configured: Iterable[str], first_year: int, last_year: int) -> frozenset[date]:
    """The fixed-date public holidays of those years plus the configured ones."""
    fixed = {date(year, month, day) for year in range(first_year, last_year + 1) for month, day in FIXED_HOLIDAYS}
    return frozenset(fixed) | parse_holidays(configured)


def holidays_between(start: date, end: date, holidays: frozenset[date]) -> list[date]:
    """The holidays on working weekdays between two dates (inclusive): the days a window skipped."""
    return sorted(day for day in holidays if start <= day <= end and day.weekday() < 5)
