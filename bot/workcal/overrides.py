"""Parse the small override file admins keep: one date per line, marked 休 (day off) or 班 (working day)."""

from __future__ import annotations

import re
from datetime import date

from bot.texts import t

_OFF_WORDS = frozenset({"休", "假", "休息", "放假", "假日", "节假日", "holiday", "off", "rest", "dayoff", "0"})
_WORK_WORDS = frozenset({"班", "上班", "补班", "工作日", "workday", "working", "work", "1"})

_CJK_KIND_WORDS = frozenset(w for w in _OFF_WORDS | _WORK_WORDS if not w.isascii())

_SPLIT = re.compile(r"[,;，；、\t \u3000]+")
_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?|(\d{4})(\d{2})(\d{2})")
_TIME = re.compile(r"\d{1,2}:\d{2}(:\d{2})?")  # spreadsheets export "2027/1/1 0:00:00"


class CalendarFileError(ValueError):
    """A bad override file; ``key`` and ``params`` render the reason, naming the file and line."""

    def __init__(self, message_key: str, params: dict[str, object]) -> None:
        self.key = message_key
        self.params = params
        super().__init__(t(message_key, None, **params))

    def render(self, lang: str | None = None) -> str:
        """The reason in ``lang`` (Chinese by default)."""
        return t(self.key, lang, **self.params)


def _decode(data: bytes | str, source_name: str) -> str:
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    for encoding in ("utf-8-sig", "gb18030"):  # gb18030 is a superset of GBK
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise CalendarFileError("calendar.file_encoding", {"file": source_name})


def _parse_date(text: str) -> date | None:
    m = _DATE.fullmatch(text)
    if m is None:
        return None
    parts = m.groups()[:3] if m.group(1) else m.groups()[3:]
    try:
        return date(*map(int, parts))
    except ValueError:
        return None


def _looks_like_header(fields: list[str]) -> bool:
    # "日期,类型" or "date,kind" is a header; "元旦,休" is a data line with a bad date and must not vanish.
    no_digits = not any(ch.isdigit() for f in fields for ch in f)
    return no_digits and not (len(fields) > 1 and fields[1] in _CJK_KIND_WORDS)


def _fields(line: str) -> list[str]:
    fields = [f.strip().strip("\"'").strip() for f in _SPLIT.split(line)]
    return [f for f in fields if f]


def parse_overrides(data: bytes | str, source_name: str) -> dict[date, bool]:
    """Dates to force: True = working day (班), False = day off (休); raises CalendarFileError on a bad line."""
    result: dict[date, bool] = {}
    first_seen: dict[date, int] = {}
    seen_content = False
    for number, raw in enumerate(_decode(data, source_name).splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        fields = _fields(line)
        if not fields:
            continue
        where = {"file": source_name, "line": number}
        day = _parse_date(fields[0])
        if day is None:
            if not seen_content and _looks_like_header(fields):
                seen_content = True
                continue
            raise CalendarFileError("calendar.file_bad_date", {**where, "value": fields[0]})
        seen_content = True
        rest = fields[1:]
        if rest and _TIME.fullmatch(rest[0]):
            rest = rest[1:]
        if not rest:
            raise CalendarFileError("calendar.file_missing_kind", {**where, "date": day.isoformat()})
        word = rest[0].lower()
        if word in _OFF_WORDS:
            working = False
        elif word in _WORK_WORDS:
            working = True
        else:
            raise CalendarFileError("calendar.file_bad_kind", {**where, "value": rest[0]})
        if day in result and result[day] != working:
            raise CalendarFileError(
                "calendar.file_conflict", {**where, "date": day.isoformat(), "first_line": first_seen[day]}
            )
        result[day] = working
        first_seen.setdefault(day, number)
    if not result:
        raise CalendarFileError("calendar.file_empty", {"file": source_name})
    return result
