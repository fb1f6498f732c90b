"""The shipped holiday estimate is what the installed holidays package computes, day by day."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date, timedelta

import pytest

from bot.workcal.estimate import ESTIMATE_FILE, generate
from bot.workcal.sources import builtin_day, estimate_day


def test_the_shipped_file_is_the_installed_package_s_estimate():
    assert json.loads(ESTIMATE_FILE.read_text(encoding="utf-8")) == generate(), (
        "holidays changed its estimate: run `python -m bot.workcal.estimate` and commit the file"
    )


@pytest.mark.parametrize("year", [2027, 2031, 2040])
def test_every_day_agrees_with_the_package(year):
    from holidays.countries.china import China

    cn = China(years=[year - 1, year, year + 1], language="zh_CN")
    d = date(year, 1, 1)
    while d.year == year:
        info = estimate_day(d)
        assert info is not None and (info.working, info.name) == (cn.is_working_day(d), cn.get(d)), d
        d += timedelta(days=1)


def test_a_weekend_make_up_day_is_working_and_a_bridge_holiday_is_not():
    # 2006-12-30 (Saturday) was a make-up working day in the package's data for the 2007 New Year.
    info = estimate_day(date(2006, 12, 30))
    assert info is not None and info.working
    assert estimate_day(date(2027, 2, 9)).working is False  # 春节（补假）, a Tuesday
    assert estimate_day(date(1949, 6, 1)) is None


def test_the_bot_does_not_load_the_holidays_package_to_count_days():
    probe = ("import sys; from datetime import date; from bot.workcal.sources import builtin_day; "
             "assert builtin_day(date(2035, 10, 1)).working is False; "
             "print(sorted(m for m in sys.modules if m.split('.')[0] == 'holidays'))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
