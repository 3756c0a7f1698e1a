"""The survey window: a number of counted days from the first day, and which days count.

Guidance 90/HD: "20 ngày (không tính thứ bảy và chủ nhật)". Public holidays are not mentioned, so by default
only Saturdays and Sundays are left out; a survey may choose to leave out public holidays too
(``Survey.skip_holidays``). Either way a Saturday or Sunday the Government declared a working day (làm bù) is
counted. One rule, ``Counting.counts``, decides both the end of a new window and the days left in an open one.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from types import MappingProxyType

import holidays as holiday_calendars
from flask import current_app

from ..i18n import _

#: Languages of the holiday names, by the app's locale (python-holidays names Vietnam's in these).
HOLIDAY_LANGUAGES = {"vi": "vi", "en": "en_US"}
#: Counted days in a year, at least: how many years of holidays a long configured window needs.
_COUNTED_DAYS_PER_YEAR = 200


@dataclass(frozen=True)
class Counting:
    """Which days a window counts: weekdays that are not skipped holidays, and weekend days worked."""

    skip_holidays: bool
    #: The days off skipped besides weekends (empty unless ``skip_holidays``).
    holidays: frozenset[date]
    #: Saturdays and Sundays declared working days (làm bù): counted.
    working_weekends: frozenset[date]

    def counts(self, day: date) -> bool:
        """Whether ``day`` is one of the window's counted days."""
        if day in self.holidays:
            return False
        return day.weekday() < 5 or day in self.working_weekends

    def counted(self, first: date, last: date) -> int:
        """How many counted days there are from ``first`` to ``last``, both included."""
        days = (last - first).days + 1
        return sum(self.counts(first + timedelta(days=n)) for n in range(max(0, days)))


def window_end(start: date, working_days: int, counting: Counting) -> date:
    """Return the last day of a window of ``working_days`` counted days starting on ``start``.

    The start day counts when it is a counted day; otherwise counting starts on the next one.
    """
    if working_days < 1:
        raise ValueError("a survey window has at least one working day")
    day, counted = start, 0
    while True:
        if counting.counts(day):
            counted += 1
            if counted == working_days:
                return day
        day += timedelta(days=1)


def parse_dates(values: Iterable[str]) -> frozenset[date]:
    """Read configured days given as ISO dates."""
    return frozenset(date.fromisoformat(v) for v in values)


@lru_cache(maxsize=32)
def _calendar(first_year: int, last_year: int, language: str):
    return holiday_calendars.country_holidays("VN", years=range(first_year, last_year + 1), language=language)


def official_holidays(first_year: int, last_year: int, locale: str = "vi") -> Mapping[date, str]:
    """Vietnam's public holidays of those years with their names, from python-holidays.

    The Labour Code's days (article 112), Tết and the Hùng Kings' day by the lunar calendar, and the
    substitute days off the Government has announced up to that package's release: upgrade it each
    year, and configure what it does not know yet (SURVEY_HOLIDAYS).
    """
    return MappingProxyType(dict(_calendar(first_year, last_year, HOLIDAY_LANGUAGES.get(locale, "vi"))))


def official_working_weekends(first_year: int, last_year: int) -> frozenset[date]:
    """Saturdays and Sundays the Government declared working days (làm bù), as python-holidays knows them.

    They are the other half of a substitute day off: the day worked in exchange (``weekend_workdays``), listed
    under the year of the day off, which may be the year before (31/12/2018 off, Saturday 5/1/2019 worked).
    """
    return frozenset(day for day in _calendar(first_year - 1, last_year, "vi").weekend_workdays
                     if first_year <= day.year <= last_year)


def counting(skip_holidays: bool, first_year: int, last_year: int) -> Counting:
    """How the windows of those years count, from python-holidays and the configuration."""
    config = current_app.config
    holidays = (frozenset(official_holidays(first_year, last_year)) | parse_dates(config["SURVEY_HOLIDAYS"])
                if skip_holidays else frozenset())
    worked = official_working_weekends(first_year, last_year) | parse_dates(config["SURVEY_WORKING_WEEKENDS"])
    return Counting(skip_holidays, holidays, frozenset(day for day in worked if day.weekday() >= 5))


def counting_from(start: date, skip_holidays: bool) -> Counting:
    """How a window starting on ``start`` counts, with the holidays of every year it can reach."""
    years = 1 + current_app.config["SURVEY_WINDOW_WORKING_DAYS"] // _COUNTED_DAYS_PER_YEAR
    return counting(skip_holidays, start.year, start.year + years)


def default_window_end(start: date, skip_holidays: bool = False) -> date:
    """The end of a new window from the configured number of counted days."""
    return window_end(start, current_app.config["SURVEY_WINDOW_WORKING_DAYS"], counting_from(start, skip_holidays))


def days_left(start: date, end: date, skip_holidays: bool, today: date) -> int:
    """Counted days left in the window from ``start`` to ``end``, today included (all of them before it starts)."""
    first = max(today, start)
    if first > end:
        return 0
    return counting(skip_holidays, start.year, max(end.year, start.year + 1)).counted(first, end)


@dataclass(frozen=True)
class WindowOption:
    """One way of counting a new window: where it ends and the special days inside it."""

    skip_holidays: bool
    end: date
    #: Public holidays on weekdays inside the window, with their names ("" for a configured day): skipped
    #: when ``skip_holidays``, counted otherwise.
    holidays: tuple[tuple[date, str], ...]
    #: Saturdays and Sundays worked (làm bù) inside the window: counted.
    working_weekends: tuple[date, ...]


def window_options(start: date, locale: str) -> tuple[WindowOption, WindowOption]:
    """A new window from ``start`` counted both ways: weekends only, then public holidays skipped too."""
    options = []
    for skip in (False, True):
        end = default_window_end(start, skip)
        names, every = official_holidays(start.year, end.year, locale), counting(True, start.year, end.year)
        options.append(WindowOption(
            skip, end,
            tuple((day, names.get(day, "")) for day in sorted(every.holidays)
                  if start <= day <= end and day.weekday() < 5),
            tuple(sorted(day for day in every.working_weekends if start <= day <= end)),
        ))
    return options[0], options[1]


def counting_text(skip_holidays: bool) -> str:
    """How a survey's window counts, in one sentence for the staff pages."""
    if skip_holidays:
        return _("Không tính thứ Bảy, Chủ nhật và các ngày nghỉ lễ, Tết; thứ Bảy, Chủ nhật làm bù vẫn được tính.")
    return _("Không tính thứ Bảy, Chủ nhật (Hướng dẫn 90/HD-MTTW-BTT); ngày nghỉ lễ vẫn được tính; thứ Bảy, "
             "Chủ nhật làm bù cũng được tính.")
