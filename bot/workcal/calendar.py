"""WorkCalendar: working-day arithmetic over overrides, official data, estimates and weekends."""

from __future__ import annotations

import calendar as _stdcal
from bisect import bisect_left
from collections.abc import Mapping
from datetime import date
from itertools import accumulate

from bot.texts import t
from bot.workcal.model import CountAnswer, DateAnswer, DayInfo
from bot.workcal.sources import WEEKENDS_ONLY_FROM, builtin_day, days_of_year, has_official_year, weekdays_before

_MIN_YEAR, _MAX_YEAR = date.min.year, date.max.year


class _Year:
    """Precomputed statuses of one year, with prefix counts so spans cost O(1) per year touched."""

    __slots__ = ("year", "base", "infos", "cum_work", "cum_est", "work_idx", "total", "est_total")

    def __init__(self, year: int, infos: list[DayInfo]) -> None:
        self.year = year
        self.base = date(year, 1, 1).toordinal()
        self.infos = infos
        # cum_*[i] = count among day indices [0, i)
        self.cum_work = [0, *accumulate(1 if x.working else 0 for x in infos)]
        self.cum_est = [0, *accumulate(1 if x.estimated else 0 for x in infos)]
        self.work_idx = [i for i, x in enumerate(infos) if x.working]
        self.total = len(self.work_idx)
        self.est_total = self.cum_est[-1]


class WorkCalendar:
    """Chinese working days: admin overrides, then official data, then a marked estimate, then weekends."""

    def __init__(self, overrides: Mapping[date, bool] | None = None) -> None:
        self._overrides: dict[date, bool] = dict(overrides or {})
        self._override_years = sorted({d.year for d in self._overrides})
        self._years: dict[int, _Year] = {}
        self._interned: dict[DayInfo, DayInfo] = {}
        self._answers: dict[int, DateAnswer] = {}
        self._counts: dict[int, CountAnswer] = {}

    # ---- classification -------------------------------------------------

    def _build(self, year: int) -> _Year:
        if not _MIN_YEAR <= year <= _MAX_YEAR:
            raise OverflowError(f"year {year} is out of range")
        infos: list[DayInfo] = []
        for d in days_of_year(year):
            info = builtin_day(d)
            forced = self._overrides.get(d)
            if forced is not None:
                # Keep the holiday name: "春节" is still useful on a day an admin turned into a workday.
                info = DayInfo(working=forced, source="override", name=info.name)
            # Most days are identical; sharing instances keeps a year's table small.
            infos.append(self._interned.setdefault(info, info))
        table = _Year(year, infos)
        self._years[year] = table
        return table

    def day(self, d: date) -> DayInfo:
        """The status of ``d`` and the source that decided it."""
        table = self._years.get(d.year) or self._build(d.year)
        return table.infos[d.toordinal() - table.base]

    def is_working_day(self, d: date) -> bool:
        """True if officials work on ``d``."""
        table = self._years.get(d.year) or self._build(d.year)
        return table.infos[d.toordinal() - table.base].working

    def has_official_data(self, year: int) -> bool:
        """True if the State Council schedule for ``year`` is in the installed chinese_calendar."""
        return has_official_year(year)

    # ---- counting over (year, position) -----------------------------------
    # A position p in a year's table stands for the boundary before day index p, so cum_*[p] counts
    # the days before it; a span is a half-open range of positions, possibly across years.

    def _span(self, ta: _Year, pa: int, tb: _Year, pb: int) -> tuple[int, int]:
        """(working days, estimated days) from position pa of table ta up to position pb of table tb."""
        if ta is tb:
            return tb.cum_work[pb] - ta.cum_work[pa], tb.cum_est[pb] - ta.cum_est[pa]
        work = ta.total - ta.cum_work[pa] + tb.cum_work[pb]
        est = ta.est_total - ta.cum_est[pa] + tb.cum_est[pb]
        y = ta.year + 1
        while y < tb.year:
            stop = self._weekends_only_until(y, tb.year)
            if stop > y:
                # Years nobody has data for are counted, not built: a date in 9999 costs what one in 2101 does.
                first, end = date(y, 1, 1).toordinal(), date(stop, 1, 1).toordinal()
                work += weekdays_before(end) - weekdays_before(first)
                est += end - first
                y = stop
                continue
            mid = self._years.get(y) or self._build(y)
            work += mid.total
            est += mid.est_total
            y += 1
        return work, est

    def _weekends_only_until(self, year: int, limit: int) -> int:
        """The end (exclusive, at most ``limit``) of the run of weekend-only years from ``year``, or ``year``."""
        if year < WEEKENDS_ONLY_FROM:
            return year
        i = bisect_left(self._override_years, year)
        return min(limit, self._override_years[i]) if i < len(self._override_years) else limit

    def _forward(self, start: _Year, i: int, n: int) -> DateAnswer:
        """The n-th (n >= 1) working day after day index i of table ``start``, across years."""
        table = start
        k = table.cum_work[i + 1] + n - 1  # index into work_idx
        while k >= table.total:
            k -= table.total
            table = self._years.get(table.year + 1) or self._build(table.year + 1)
        j = table.work_idx[k]
        return self._answer(table.base + j, self._span(start, i + 1, table, j + 1)[1] > 0)

    def _backward(self, start: _Year, i: int, n: int) -> DateAnswer:
        """The n-th (n >= 1) working day before day index i of table ``start``, across years."""
        table = start
        k = table.cum_work[i] - n
        while k < 0:
            table = self._years.get(table.year - 1) or self._build(table.year - 1)
            k += table.total
        j = table.work_idx[k]
        return self._answer(table.base + j, self._span(table, j, start, i)[1] > 0)

    # ---- answers ------------------------------------------------------------
    # Answers are immutable and few distinct ones exist; reusing them is several times cheaper than
    # building frozen dataclasses in the scheduler's hot loop.

    def _answer(self, o: int, estimated: bool) -> DateAnswer:
        key = o * 2 + estimated
        answer = self._answers.get(key)
        if answer is None:
            answer = self._answers[key] = DateAnswer(date.fromordinal(o), estimated)
        return answer

    def _count_answer(self, value: int, estimated: bool) -> CountAnswer:
        key = value * 2 + estimated
        answer = self._counts.get(key)
        if answer is None:
            answer = self._counts[key] = CountAnswer(value, estimated)
        return answer

    # ---- public arithmetic ----------------------------------------------

    def add_working_days(self, d: date, n: int) -> DateAnswer:
        """Move ``n`` working days from ``d`` (backwards when negative); n=0 gives ``d`` unchanged."""
        if n == 0:
            return self._answer(d.toordinal(), False)
        table = self._years.get(d.year) or self._build(d.year)
        i = d.toordinal() - table.base
        # Fast paths for answers in the same year as d; other cases walk year by year.
        if n < 0:
            k = table.cum_work[i] + n
            if k >= 0:
                j = table.work_idx[k]
                return self._answer(table.base + j, table.cum_est[i] > table.cum_est[j])
            return self._backward(table, i, -n)
        k = table.cum_work[i + 1] + n - 1
        if k < table.total:
            j = table.work_idx[k]
            return self._answer(table.base + j, table.cum_est[j + 1] > table.cum_est[i + 1])
        return self._forward(table, i, n)

    def working_days_before(self, d: date, n: int) -> DateAnswer:
        """The n-th working day strictly before ``d``; n=0 gives ``d`` if working, else the previous working day."""
        if n < 0:
            raise ValueError("n must be >= 0")
        if n == 0:
            return self.previous_working_day(d, include=True)
        return self.add_working_days(d, -n)

    def working_days_between(self, start: date, end: date) -> CountAnswer:
        """Working days in (start, end]; negative when end < start, 0 when equal."""
        if start == end:
            return self._count_answer(0, False)
        a, b, sign = (start, end, 1) if start < end else (end, start, -1)
        if a.year == b.year:
            table = self._years.get(a.year) or self._build(a.year)
            cw, ce = table.cum_work, table.cum_est
            i, j = a.toordinal() - table.base + 1, b.toordinal() - table.base + 1
            return self._count_answer(sign * (cw[j] - cw[i]), ce[j] != ce[i])
        ta = self._years.get(a.year) or self._build(a.year)
        tb = self._years.get(b.year) or self._build(b.year)
        work, est = self._span(ta, a.toordinal() - ta.base + 1, tb, b.toordinal() - tb.base + 1)
        return self._count_answer(sign * work, est > 0)

    def next_working_day(self, d: date, *, include: bool = False) -> DateAnswer:
        """The first working day after ``d`` (or ``d`` itself when ``include`` and it is working)."""
        if include:
            info = self.day(d)
            if info.working:
                return self._answer(d.toordinal(), info.estimated)
            answer = self.add_working_days(d, 1)
            return self._answer(answer.value.toordinal(), answer.estimated or info.estimated)
        return self.add_working_days(d, 1)

    def previous_working_day(self, d: date, *, include: bool = False) -> DateAnswer:
        """The last working day before ``d`` (or ``d`` itself when ``include`` and it is working)."""
        if include:
            info = self.day(d)
            if info.working:
                return self._answer(d.toordinal(), info.estimated)
            answer = self.add_working_days(d, -1)
            return self._answer(answer.value.toordinal(), answer.estimated or info.estimated)
        return self.add_working_days(d, -1)

    def first_working_day_of_month(self, year: int, month: int) -> DateAnswer:
        """The first working day of the month."""
        return self.next_working_day(date(year, month, 1), include=True)

    def last_working_day_of_month(self, year: int, month: int) -> DateAnswer:
        """The last working day of the month."""
        last = _stdcal.monthrange(year, month)[1]
        return self.previous_working_day(date(year, month, last), include=True)

    # ---- health check -----------------------------------------------------

    def check(self, today: date) -> list[str]:
        """Message keys for ``duban calendar check``; render each with ``year=check_year(key, today)``."""
        keys = []
        if not self.has_official_data(today.year):
            keys.append("calendar.current_year_missing")
        if not self.has_official_data(today.year + 1):
            keys.append("calendar.next_year_missing")
        return keys

    def check_messages(self, today: date, lang: str | None = None) -> list[str]:
        """``check()`` rendered in ``lang``, each with the right year filled in."""
        return [t(key, lang, year=check_year(key, today)) for key in self.check(today)]


def check_year(key: str, today: date) -> int:
    """The year a ``check()`` key is about."""
    return today.year + 1 if key == "calendar.next_year_missing" else today.year

