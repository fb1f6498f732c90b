"""The three built-in sources of day status: official State Council data, a holidays-package estimate, weekends."""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import chinese_calendar

from bot.workcal.estimate import estimate_years, estimated_status
from bot.workcal.model import DayInfo

# chinese_calendar names holidays in English; officials read Chinese.
_ZH_NAMES: dict[str, str] = {h.value: h.chinese for h in chinese_calendar.Holiday}


def official_day(d: date) -> DayInfo | None:
    """The State Council status of ``d`` from chinese_calendar, or None if that year is not published yet."""
    try:
        off, name = chinese_calendar.get_holiday_detail(d)
    except NotImplementedError:
        # Raised per date for uncovered years; the caller falls back for this day only.
        return None
    return DayInfo(working=not off, source="official", name=_ZH_NAMES.get(name, name) if name else None)


@lru_cache(maxsize=None)
def has_official_year(year: int) -> bool:
    """True if chinese_calendar has the State Council schedule for ``year``."""
    return official_day(date(year, 1, 1)) is not None


def estimate_supported(year: int) -> bool:
    """True if the holidays package's estimate (shipped with Duban) covers China's holidays for ``year``."""
    first, last = estimate_years()
    return first <= year <= last


def estimate_day(d: date) -> DayInfo | None:
    """An estimated status of ``d`` from the holidays package (its make-up workdays included), or None."""
    status = estimated_status(d)
    if status is None:
        return None
    working, name = status
    return DayInfo(working=working, source="estimate", name=name)


# From this year on neither source knows anything: every day is a weekend_day guess.
WEEKENDS_ONLY_FROM = estimate_years()[1] + 1


def weekdays_before(ordinal: int) -> int:
    """How many Mondays to Fridays come before the day with this proleptic ordinal (day 1 was a Monday)."""
    weeks, rest = divmod(ordinal - 1, 7)
    return weeks * 5 + min(rest, 5)


def weekend_day(d: date) -> DayInfo:
    """Last resort: Monday to Friday work, Saturday and Sunday off."""
    return DayInfo(working=d.weekday() < 5, source="weekend", name=None)


def builtin_day(d: date) -> DayInfo:
    """The best built-in status of ``d``: official, else estimate, else weekends only."""
    return official_day(d) or estimate_day(d) or weekend_day(d)


def days_of_year(year: int) -> list[date]:
    """Every date of ``year`` in order."""
    first = date(year, 1, 1)
    count = (date(year + 1, 1, 1) - first).days if year < 9999 else 365
    return [first + timedelta(days=i) for i in range(count)]
