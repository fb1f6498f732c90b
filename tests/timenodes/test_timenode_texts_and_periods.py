"""Warning texts exist in every language; calendar period ends of recurring nodes."""

from __future__ import annotations

from datetime import date

import pytest

from bot.texts import LANGUAGES, catalog, t
from bot.timenodes import WARNING_CODES, occurrences


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("code", WARNING_CODES)
def test_every_warning_code_has_a_text(code: str, lang: str) -> None:
    assert f"timenode.{code}" in catalog(lang)
    assert "10月前" in t(f"timenode.{code}", lang, phrase="10月前")


def test_month_before_text_explains_the_reading() -> None:
    assert "9月30日" in t("timenode.month_before", "zh", phrase="10月前")


@pytest.mark.parametrize(
    ("period", "year", "count", "first", "last"),
    [
        ("month", 2024, 12, date(2024, 1, 31), date(2024, 12, 31)),
        ("quarter", 2023, 4, date(2023, 3, 31), date(2023, 12, 31)),
        ("half", 2023, 2, date(2023, 6, 30), date(2023, 12, 31)),
        ("year", 2023, 1, date(2023, 12, 31), date(2023, 12, 31)),
        ("week", 2023, 53, date(2023, 1, 1), date(2023, 12, 31)),  # 2023 starts and ends on a Sunday
        ("week", 2024, 52, date(2024, 1, 7), date(2024, 12, 29)),
        ("day", 2024, 366, date(2024, 1, 1), date(2024, 12, 31)),
    ],
)
def test_occurrences(period: str, year: int, count: int, first: date, last: date) -> None:
    ends = occurrences(period, year)  # type: ignore[arg-type]
    assert (len(ends), ends[0], ends[-1]) == (count, first, last)
    assert ends == sorted(ends) and all(d.year == year for d in ends)
    if period == "week":
        assert all(d.weekday() == 6 for d in ends)


def test_quarter_ends_are_the_quarters_last_days() -> None:
    assert occurrences("quarter", 2024) == [date(2024, 3, 31), date(2024, 6, 30), date(2024, 9, 30), date(2024, 12, 31)]


def test_occurrences_returns_a_fresh_list() -> None:
    occurrences("month", 2023).clear()
    assert len(occurrences("month", 2023)) == 12


def test_unknown_period_is_rejected() -> None:
    with pytest.raises(ValueError):
        occurrences("fortnight", 2023)  # type: ignore[arg-type]
