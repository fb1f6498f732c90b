"""Calendar period ends of recurring time nodes (每月, 每季度…); the scheduler shifts them to working days."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
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


# ---- periods as occurrences (issue 9): each period of a recurring node has a key and a span -------------
@dataclass(frozen=True, slots=True)
class PeriodSpan:
    """One period of a recurring node: its key (``2026-Q2``), first day and calendar end."""

    key: str
    start: date
    end: date


def _key(period: Period, year: int, index: int, end: date) -> str:
    if period == "month":
        return f"{year}-{index + 1:02d}"
    if period == "quarter":
        return f"{year}-Q{index + 1}"
    if period == "half":
        return f"{year}-H{index + 1}"
    if period == "year":
        return str(year)
    if period == "week":
        return f"{year}-W{index + 1:02d}"
    return end.isoformat()


@lru_cache(maxsize=512)
def period_spans(period: Period, year: int) -> tuple[PeriodSpan, ...]:
    """Every period of ``year`` with its key and span (a week runs to its Sunday; the first from 1 January)."""
    out: list[PeriodSpan] = []
    start = date(year, 1, 1)
    for i, end in enumerate(_occurrences(period, year)):
        out.append(PeriodSpan(_key(period, year, i, end), start, end))
        start = end + timedelta(days=1)
    return tuple(out)


_CN_NUMBERS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10, "十一": 11, "十二": 12}
_QUARTER = re.compile(r"^(?:(\d{4})[-年]?)?(?:q|第?([1-4一二三四])季度?)$")
_QUARTER_Q = re.compile(r"^(?:(\d{4})[-年]?)?q([1-4])$")
_MONTH = re.compile(r"^(?:(\d{4})[-年/.])?(\d{1,2}|[一二三四五六七八九十]{1,2})月?(?:份)?$")
_HALF = re.compile(r"^(?:(\d{4})[-年]?)?(h[12]|上半年|下半年)$")
_WEEK = re.compile(r"^(?:(\d{4})[-年]?)?(?:w|第)(\d{1,2})周?$")
_YEAR = re.compile(r"^(\d{4})年?(?:度)?$")


def parse_period(word: str, period: Period, year: int) -> str | None:
    """The period key a user names (``Q3``, ``三季度``, ``7月``, ``2026-07``, ``上半年``, ``H2``, ``W27``), if it is one of ``period``'s."""
    text = word.strip().lower().replace("（", "(").strip("()")
    found_year, key = year, None
    if period == "quarter":
        m = _QUARTER_Q.match(text) or _QUARTER.match(text)
        if m and m.group(2):
            found_year = int(m.group(1) or year)
            digit = m.group(2)
            key = f"{found_year}-Q{_CN_NUMBERS.get(digit) or int(digit)}"
    elif period == "month":
        m = _MONTH.match(text)
        if m and (text.endswith(("月", "份")) or m.group(1)):
            found_year = int(m.group(1) or year)
            month = _CN_NUMBERS.get(m.group(2)) or (int(m.group(2)) if m.group(2).isdecimal() else 0)
            if 1 <= month <= 12:
                key = f"{found_year}-{month:02d}"
    elif period == "half":
        m = _HALF.match(text)
        if m:
            found_year = int(m.group(1) or year)
            key = f"{found_year}-H{1 if m.group(2) in ('h1', '上半年') else 2}"
    elif period == "week":
        m = _WEEK.match(text)
        if m:
            found_year = int(m.group(1) or year)
            key = f"{found_year}-W{int(m.group(2)):02d}"
    elif period == "year":
        m = _YEAR.match(text)
        if m:
            key = m.group(1)
    if key is None:
        return None
    known = {span.key for span in period_spans(period, int(key[:4]))}
    return key if key in known else None


def looks_like_period(word: str) -> bool:
    """Whether a word reads as a period name of any kind (so a wrong one is refused rather than taken as text)."""
    text = word.strip().lower()
    return any(p.match(text) for p in (_QUARTER_Q, _QUARTER, _HALF, _WEEK)) or bool(
        _MONTH.match(text) and (text.endswith(("月", "份")) or "-" in text)
    )
