"""WorkCalendar against the cases from the issue and the official/estimate/weekend/override precedence."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.texts import t
from bot.workcal import CountAnswer, DateAnswer, DayInfo, WorkCalendar, check_year

CAL = WorkCalendar()
D = date


def _needs_2027_estimated() -> None:
    if CAL.has_official_data(2027):
        pytest.skip("the installed chinesecalendar now ships 2027: move these cases to a later year")


@pytest.mark.parametrize(
    ("deadline", "n", "expected"),
    [
        (D(2025, 10, 9), 3, D(2025, 9, 28)),  # make-up Sunday before National Day
        (D(2026, 2, 24), 3, D(2026, 2, 12)),  # across the Spring Festival and the 2026-02-14 make-up Saturday
        (D(2026, 2, 24), 1, D(2026, 2, 14)),
        (D(2025, 10, 9), 1, D(2025, 9, 30)),
        (D(2026, 1, 5), 1, D(2026, 1, 4)),  # make-up Sunday after New Year 2026
        (D(2025, 6, 9), 0, D(2025, 6, 9)),  # n=0 on a working day: the day itself
        (D(2025, 10, 5), 0, D(2025, 9, 30)),  # n=0 on a holiday: the previous working day
    ],
)
def test_working_days_before_official(deadline: date, n: int, expected: date) -> None:
    assert CAL.working_days_before(deadline, n) == DateAnswer(expected, False)


def test_working_days_before_rejects_negative() -> None:
    with pytest.raises(ValueError):
        CAL.working_days_before(D(2025, 10, 9), -1)


def test_three_working_days_before_2027_01_06_is_estimated() -> None:
    _needs_2027_estimated()
    assert CAL.working_days_before(D(2027, 1, 6), 3) == DateAnswer(D(2026, 12, 31), True)
    # Entirely inside official 2026: not an estimate even though 2027 is missing.
    assert CAL.working_days_before(D(2026, 12, 31), 3) == DateAnswer(D(2026, 12, 28), False)


def test_span_across_new_year_2026_2027_is_classified_day_by_day() -> None:
    _needs_2027_estimated()
    start, end = D(2026, 12, 20), D(2027, 1, 15)
    days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    sources = {y: {CAL.day(d).source for d in days if d.year == y} for y in (2026, 2027)}
    assert sources == {2026: {"official"}, 2027: {"estimate"}}
    assert CAL.day(D(2027, 1, 1)) == DayInfo(False, "estimate", "元旦")
    brute = sum(CAL.is_working_day(d) for d in days[1:])
    assert CAL.working_days_between(start, end) == CountAnswer(brute, True)
    assert brute == 9 + 10  # 21-31 Dec 2026 (9 weekdays), 4-15 Jan 2027 (10 weekdays)
    assert CAL.add_working_days(D(2026, 12, 30), 2) == DateAnswer(D(2027, 1, 4), True)
    assert CAL.add_working_days(D(2026, 12, 30), 1) == DateAnswer(D(2026, 12, 31), False)
    assert CAL.add_working_days(D(2027, 1, 4), -1) == DateAnswer(D(2026, 12, 31), True)


@pytest.mark.parametrize(
    ("d", "expected"),
    [
        (D(2025, 9, 28), DayInfo(True, "official", "国庆节")),  # make-up Sunday names its holiday
        (D(2025, 10, 1), DayInfo(False, "official", "国庆节")),
        (D(2026, 2, 17), DayInfo(False, "official", "春节")),
        (D(2026, 2, 14), DayInfo(True, "official", "春节")),
        (D(2025, 6, 7), DayInfo(False, "official", None)),  # plain Saturday
        (D(2025, 6, 9), DayInfo(True, "official", None)),
        # 2001 predates chinese_calendar; the holidays package knows that year's make-up Saturday.
        (D(2001, 1, 20), DayInfo(True, "estimate", None)),
        (D(2200, 1, 1), DayInfo(True, "weekend", None)),  # beyond the holidays package: weekends only
        (D(2200, 1, 4), DayInfo(False, "weekend", None)),
    ],
)
def test_day_sources(d: date, expected: DayInfo) -> None:
    assert CAL.day(d) == expected
    assert CAL.is_working_day(d) is expected.working


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        (lambda: CAL.next_working_day(D(2025, 9, 30)), DateAnswer(D(2025, 10, 9), False)),
        (lambda: CAL.next_working_day(D(2025, 9, 30), include=True), DateAnswer(D(2025, 9, 30), False)),
        (lambda: CAL.next_working_day(D(2025, 10, 3), include=True), DateAnswer(D(2025, 10, 9), False)),
        (lambda: CAL.previous_working_day(D(2025, 10, 9)), DateAnswer(D(2025, 9, 30), False)),
        (lambda: CAL.previous_working_day(D(2025, 10, 9), include=True), DateAnswer(D(2025, 10, 9), False)),
        (lambda: CAL.previous_working_day(D(2025, 10, 8), include=True), DateAnswer(D(2025, 9, 30), False)),
        (lambda: CAL.first_working_day_of_month(2025, 10), DateAnswer(D(2025, 10, 9), False)),
        (lambda: CAL.last_working_day_of_month(2025, 9), DateAnswer(D(2025, 9, 30), False)),
        (lambda: CAL.first_working_day_of_month(2026, 1), DateAnswer(D(2026, 1, 4), False)),
        (lambda: CAL.last_working_day_of_month(2026, 2), DateAnswer(D(2026, 2, 28), False)),  # make-up Sat
        (lambda: CAL.last_working_day_of_month(2200, 2), DateAnswer(D(2200, 2, 28), True)),
        (lambda: CAL.add_working_days(D(2025, 10, 1), 0), DateAnswer(D(2025, 10, 1), False)),
        (lambda: CAL.add_working_days(D(2025, 9, 26), 2), DateAnswer(D(2025, 9, 29), False)),
        (lambda: CAL.add_working_days(D(2025, 1, 2), -2), DateAnswer(D(2024, 12, 30), False)),
        (lambda: CAL.add_working_days(D(2024, 12, 30), 250), CAL.add_working_days(D(2025, 1, 2), 248)),
    ],
)
def test_navigation(call, expected: DateAnswer) -> None:
    assert call() == expected


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (D(2025, 9, 30), D(2025, 9, 30), 0),
        (D(2025, 9, 30), D(2025, 10, 9), 1),  # (start, end]: the 9th only
        (D(2025, 10, 9), D(2025, 9, 30), -1),
        (D(2025, 9, 26), D(2025, 10, 11), 6),  # 28 (make-up Sun), 29, 30 Sep; 9, 10, 11 (make-up Sat) Oct
        (D(2024, 12, 31), D(2025, 12, 31), 248),  # the published count for 2025
    ],
)
def test_working_days_between_table(start: date, end: date, expected: int) -> None:
    assert CAL.working_days_between(start, end) == CountAnswer(expected, False)


def test_working_days_between_many_years_matches_brute_force() -> None:
    start, end = D(2019, 12, 31), D(2026, 12, 31)
    brute = sum(CAL.is_working_day(start + timedelta(days=i)) for i in range(1, (end - start).days + 1))
    assert CAL.working_days_between(start, end) == CountAnswer(brute, False)
    assert CAL.working_days_between(end, start) == CountAnswer(-brute, False)


def test_overrides_win_over_official_and_estimate() -> None:
    cal = WorkCalendar({D(2025, 9, 28): False, D(2025, 10, 8): True, D(2027, 2, 6): True})
    assert cal.day(D(2025, 9, 28)) == DayInfo(False, "override", "国庆节")
    assert cal.working_days_before(D(2025, 10, 9), 3) == DateAnswer(D(2025, 9, 29), False)
    assert cal.working_days_before(D(2025, 10, 9), 4) == DateAnswer(D(2025, 9, 26), False)
    assert cal.next_working_day(D(2025, 10, 1)) == DateAnswer(D(2025, 10, 8), False)
    assert cal.day(D(2027, 2, 6)).source == "override"  # an admin-set day is not an estimate
    assert cal.next_working_day(D(2027, 2, 5), include=False).value == D(2027, 2, 6)
    assert cal.day(D(2027, 2, 6)).estimated is False
    # The default calendar is unaffected.
    assert CAL.working_days_before(D(2025, 10, 9), 3) == DateAnswer(D(2025, 9, 28), False)


def test_answers_built_only_from_overrides_are_not_estimates() -> None:
    _needs_2027_estimated()
    week = {D(2027, 3, 1) + timedelta(days=i): i < 5 for i in range(7)}
    cal = WorkCalendar(week)
    assert cal.working_days_between(D(2027, 3, 1), D(2027, 3, 5)) == CountAnswer(4, False)
    assert cal.working_days_between(D(2027, 3, 1), D(2027, 3, 8)) == CountAnswer(5, True)


@pytest.mark.parametrize(
    ("today", "keys"),
    [
        (D(2025, 6, 1), []),
        (D(2099, 6, 1), ["calendar.current_year_missing", "calendar.next_year_missing"]),
    ],
)
def test_check(today: date, keys: list[str]) -> None:
    assert CAL.check(today) == keys


def test_check_warns_for_next_year_without_official_data() -> None:
    _needs_2027_estimated()
    assert CAL.check(D(2026, 5, 1)) == ["calendar.next_year_missing"]
    assert CAL.has_official_data(2026) and not CAL.has_official_data(2027)
    (zh,) = CAL.check_messages(D(2026, 5, 1))
    (en,) = CAL.check_messages(D(2026, 5, 1), "en")
    assert "2027" in zh and "2027" in en and "2026" not in zh


def test_check_year_maps_each_key_to_its_year() -> None:
    today = D(2099, 3, 1)
    rendered = [t(k, "zh", year=check_year(k, today)) for k in CAL.check(today)]
    assert "2099" in rendered[0] and "2100" in rendered[1]


def test_dates_out_of_range_raise_overflow() -> None:
    with pytest.raises(OverflowError):
        CAL.add_working_days(date.max - timedelta(days=3), 10)
