"""Property tests: the fast prefix-count arithmetic agrees with itself and with a day-by-day walk."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.workcal import WorkCalendar

CAL = WorkCalendar()
DATES = st.dates(min_value=date(2020, 1, 1), max_value=date(2028, 12, 31))
PROPS = settings(max_examples=300, deadline=None, derandomize=True)


def _walk(d: date, e: date) -> tuple[int, bool]:
    """Reference: count working days in (d, e] one day at a time."""
    lo, hi, sign = (d, e, 1) if d <= e else (e, d, -1)
    days = [lo + timedelta(days=i) for i in range(1, (hi - lo).days + 1)]
    return sign * sum(CAL.is_working_day(x) for x in days), any(CAL.day(x).estimated for x in days)


@PROPS
@given(DATES, DATES)
def test_between_matches_day_by_day_walk(d: date, e: date) -> None:
    answer = CAL.working_days_between(d, e)
    assert (answer.value, answer.estimated) == _walk(d, e)


@PROPS
@given(DATES, DATES)
def test_add_of_between_lands_on_previous_or_equal_working_day(d: date, e: date) -> None:
    k = CAL.working_days_between(d, e).value
    landed = CAL.add_working_days(d, k).value
    if k > 0:
        assert landed == CAL.previous_working_day(e, include=True).value
    elif k == 0:
        assert landed == d
    elif CAL.is_working_day(d):  # e < d, and d itself is among the -k days in (e, d]
        assert landed == CAL.previous_working_day(e, include=True).value
    else:  # e < d: all -k days in (e, d] lie strictly before d
        assert landed == CAL.next_working_day(e).value


@PROPS
@given(DATES, st.integers(min_value=-600, max_value=600).filter(bool))
def test_between_of_add_round_trips(d: date, n: int) -> None:
    landed = CAL.add_working_days(d, n)
    assert CAL.is_working_day(landed.value)
    # (start, end] counts d itself when walking back from a working day d, so a holiday d is one short.
    expected = n if n > 0 or CAL.is_working_day(d) else n + 1
    assert CAL.working_days_between(d, landed.value).value == expected
    # The estimate flag covers exactly the days walked over.
    lo, hi = (d, landed.value) if n > 0 else (landed.value - timedelta(days=1), d - timedelta(days=1))
    assert landed.estimated == _walk(lo, hi)[1]


@PROPS
@given(DATES, DATES, DATES)
def test_between_is_additive(a: date, b: date, c: date) -> None:
    ab, bc, ac = (CAL.working_days_between(x, y).value for x, y in ((a, b), (b, c), (a, c)))
    assert ab + bc == ac


@PROPS
@given(DATES, st.integers(min_value=0, max_value=30))
def test_working_days_before_is_strictly_before_and_working(d: date, n: int) -> None:
    answer = CAL.working_days_before(d, n).value
    assert CAL.is_working_day(answer)
    if n == 0:
        assert answer == CAL.previous_working_day(d, include=True).value
    else:
        assert answer < d
        assert CAL.working_days_between(answer, d - timedelta(days=1)).value == n - 1


@PROPS
@given(DATES)
def test_estimated_only_where_official_data_is_missing(d: date) -> None:
    assert CAL.day(d).estimated is (not CAL.has_official_data(d.year))
