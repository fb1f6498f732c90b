"""The three built-in sources of day status: official State Council data, a holidays-package estimate, weekends."""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import chinese_calendar
import holidays

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
    """True if the holidays package can compute China's holidays for ``year``."""
    return holidays.China.start_year <= year <= holidays.China.end_year


@lru_cache(maxsize=16)
def _china(year: int) -> holidays.HolidayBase:
    # Neighbouring years too: a make-up day (调休) can be listed under the previous or next year's notice.
    years = [y for y in (year - 1, year, year + 1) if estimate_supported(y)]
    return holidays.China(years=years, language="zh_CN")


def estimate_day(d: date) -> DayInfo | None:
    """An estimated status of ``d`` from the holidays package (its make-up workdays included), or None."""
    if not estimate_supported(d.year):
        return None
    cn = _china(d.year)
    return DayInfo(working=cn.is_working_day(d), source="estimate", name=cn.get(d))


# From this year on neither source knows anything: every day is a weekend_day guess.
WEEKENDS_ONLY_FROM = holidays.China.end_year + 1


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
