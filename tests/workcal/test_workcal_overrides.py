"""parse_overrides: the admin's 休/班 file in its many real-world shapes, and errors naming file and line."""

from __future__ import annotations

from datetime import date

import pytest

from bot.texts import catalog, t
from bot.workcal import CalendarFileError, DateAnswer, WorkCalendar, parse_overrides

D = date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2027-01-01,休\n2027-02-07,班\n", {D(2027, 1, 1): False, D(2027, 2, 7): True}),
        ("2027-02-07 workday\n2027-01-01 holiday\n", {D(2027, 2, 7): True, D(2027, 1, 1): False}),
        ("日期,类型\n2027-01-01,假\n", {D(2027, 1, 1): False}),  # header
        ("date,kind\n2027/1/1,OFF\n20270207,Work\n", {D(2027, 1, 1): False, D(2027, 2, 7): True}),
        ("# 2027 调休\n\n2027年1月1日，休  # 元旦\n2027-02-07\t上班\n", {D(2027, 1, 1): False, D(2027, 2, 7): True}),
        ('"2027-01-01","0",元旦\n"2027-02-07","1",春节调休\n', {D(2027, 1, 1): False, D(2027, 2, 7): True}),
        ("2027/1/1 0:00:00,休\n", {D(2027, 1, 1): False}),  # spreadsheet date-time export
        ("\ufeff2027-01-01,休\r\n2027-01-01,休\r\n", {D(2027, 1, 1): False}),  # BOM in str, repeated line
    ],
)
def test_parses_good_files(text: str, expected: dict[date, bool]) -> None:
    assert parse_overrides(text, "overrides.csv") == expected


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_decodes_bytes(encoding: str) -> None:
    data = "日期,类型\n2027-01-01,休\n2027-02-07,上班\n".encode(encoding)
    assert parse_overrides(data, "x.csv") == {D(2027, 1, 1): False, D(2027, 2, 7): True}


@pytest.mark.parametrize(
    ("text", "key", "line", "fragment"),
    [
        ("2027-01-01,休\n\n2027-13-01,休\n", "calendar.file_bad_date", 3, "'2027-13-01'"),
        ("# c\n元旦,休\n", "calendar.file_bad_date", 2, "'元旦'"),  # not mistaken for a header
        ("2027-01-01,休\nnext year,班\n", "calendar.file_bad_date", 2, "'next'"),
        ("2027-01-01\n", "calendar.file_missing_kind", 1, "2027-01-01"),
        ("2027-01-01,调休\n", "calendar.file_bad_kind", 1, "'调休'"),  # ambiguous: refused
        ("2027-01-01,休\n2027-01-01,班\n", "calendar.file_conflict", 2, "第 1 行"),
    ],
)
def test_bad_lines_name_file_and_line(text: str, key: str, line: int, fragment: str) -> None:
    with pytest.raises(CalendarFileError) as caught:
        parse_overrides(text, "overrides.csv")
    err = caught.value
    assert isinstance(err, ValueError)
    assert err.key == key and err.params["line"] == line
    assert str(err).startswith(f"overrides.csv 第 {line} 行：")
    assert fragment in str(err)
    assert err.render("en").startswith(f"overrides.csv line {line}: ")


def test_issue_example_message() -> None:
    with pytest.raises(CalendarFileError) as caught:
        parse_overrides("2027-01-01,休\n2027-02-07,班\n2027-13-01,休\n", "overrides.csv")
    assert str(caught.value).startswith("overrides.csv 第 3 行：无法识别日期 '2027-13-01'")


@pytest.mark.parametrize(
    ("data", "key"),
    [(b"", "calendar.file_empty"), ("# only a comment\n日期,类型\n", "calendar.file_empty"),
     (b"\x81\x30\xff\xff", "calendar.file_encoding")],
)
def test_whole_file_errors(data: bytes | str, key: str) -> None:
    with pytest.raises(CalendarFileError) as caught:
        parse_overrides(data, "o.csv")
    assert caught.value.key == key
    assert "o.csv" in str(caught.value)


def test_parsed_file_drives_the_calendar() -> None:
    overrides = parse_overrides("2025-09-28,休\n2025-10-08,班\n", "o.csv")
    cal = WorkCalendar(overrides)
    assert cal.working_days_before(D(2025, 10, 9), 1) == DateAnswer(D(2025, 10, 8), False)
    assert cal.working_days_before(D(2025, 10, 9), 4) == DateAnswer(D(2025, 9, 26), False)


def test_calendar_texts_exist_in_both_languages() -> None:
    zh = {k for k in catalog("zh") if k.startswith("calendar.")}
    en = {k for k in catalog("en") if k.startswith("calendar.")}
    assert zh == en and "calendar.next_year_missing" in zh
    assert t("calendar.file_bad_date", "zh", file="f", line=3, value="x").startswith("f 第 3 行")
