"""Calendar period ends of recurring time nodes (每月, 每季度…); the scheduler shifts them to working days."""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from functools import lru_cache

from bot.timenodes.model import Period

# The words after 每/按/逐/一…一 that name a period, in normalised (simplified) text.
PERIOD_WORDS: dict[str, Period] = {
    "天": "day",
    "日": "day",
    "周": "week",
    "星期": "week",
    "月": "month",
    "季": "quarter",
    "季度": "quarter",
    "半年": "half",
    "年": "year",
    "年度": "year",
}


def month_end(year: int, month: int) -> date:
    """The last day of a month."""
    return date(year, month, calendar.monthrange(year, month)[1])


@lru_cache(maxsize=512)
def _occurrences(period: Period, year: int) -> tuple[date, ...]:
    if period == "month":
        return tuple(month_end(year, m) for m in range(1, 13))
    if period == "quarter":
        return tuple(month_end(year, m) for m in (3, 6, 9, 12))
    if period == "half":
        return (date(year, 6, 30), date(year, 12, 31))
    if period == "year":
        return (date(year, 12, 31),)
    if period == "week":
        first = date(year, 1, 1)
        sunday = first + timedelta(days=(6 - first.weekday()) % 7)
        return tuple(sunday + timedelta(weeks=k) for k in range((date(year, 12, 31) - sunday).days // 7 + 1))
    if period == "day":
        first = date(year, 1, 1)
        return tuple(first + timedelta(days=k) for k in range((date(year, 12, 31) - first).days + 1))
    raise ValueError(f"unknown period {period!r}")


def occurrences(period: Period, year: int) -> list[date]:
    """The calendar ends of every ``period`` within ``year`` (每周: every Sunday; 每天: every day)."""
    return list(_occurrences(period, year))


def last_occurrence(period: Period, year: int) -> date:
    """The last period end within ``year``: a recurring milestone's due date."""
    return _occurrences(period, year)[-1]
