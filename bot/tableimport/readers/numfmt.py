"""A spreadsheet cell's text as the bureau saw it: its raw value shown through its Excel number format.

Calamine hands over raw values (2024-06-01 for a cell typed "2024年6月", 2024.1 for "2024.10" shown as 0.00), so
the readers pass each styled cell's value and format code here. Covered: dates and times (year/month/day parts,
Chinese literal text, [DBNum1]/[$-804] prefixes, the zh-CN built-in formats), fixed decimals, thousands
separators, percentages and General. Exponents and fractions are shown as General.

Dates are shown so that Duban's time-node reader takes them as meant: a format with Chinese text as written
(2024年6月, 6月底); otherwise a month-only date as "2024年6月" (the month's end), a month and day as 6月30日, and a
date naming the month in English, with a two-digit year or with the year last as 2024-06-30. Digits stay Arabic
under [DBNum1] (二〇二四年 is the same date, but digits read more reliably).
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache
from typing import NamedTuple

# Built-in format ids (ECMA-376 18.8.30), those that depend on the locale as Chinese (zh-CN) Excel and WPS show
# them. openpyxl has the en-US table, but importing it costs ~15 MB and 0.1 s per import.
_BUILTIN = {
    1: "0", 2: "0.00", 3: "#,##0", 4: "#,##0.00", 5: '"¥"#,##0;"¥"-#,##0', 6: '"¥"#,##0;[Red]"¥"-#,##0',
    7: '"¥"#,##0.00;"¥"-#,##0.00', 8: '"¥"#,##0.00;[Red]"¥"-#,##0.00', 9: "0%", 10: "0.00%", 11: "0.00E+00",
    12: "# ?/?", 13: "# ??/??", 14: "yyyy/m/d", 15: "d-mmm-yy", 16: "d-mmm", 17: "mmm-yy", 18: "h:mm AM/PM",
    19: "h:mm:ss AM/PM", 20: "h:mm", 21: "h:mm:ss", 22: "yyyy/m/d h:mm",
    37: "#,##0;(#,##0)", 38: "#,##0;[Red](#,##0)", 39: "#,##0.00;(#,##0.00)", 40: "#,##0.00;[Red](#,##0.00)",
    45: "mm:ss", 46: "[h]:mm:ss", 47: "mm:ss.0", 48: "##0.0E+0", 49: "@",
    27: 'yyyy"年"m"月"', 28: 'm"月"d"日"', 29: 'm"月"d"日"', 30: "m-d-yy",
    31: 'yyyy"年"m"月"d"日"', 32: 'h"时"mm"分"', 33: 'h"时"mm"分"ss"秒"',
    34: '上午/下午h"时"mm"分"', 35: '上午/下午h"时"mm"分"ss"秒"',
    36: 'yyyy"年"m"月"', 50: 'yyyy"年"m"月"', 51: 'm"月"d"日"', 52: 'yyyy"年"m"月"', 53: 'm"月"d"日"',
    54: 'm"月"d"日"', 55: '上午/下午h"时"mm"分"', 56: '上午/下午h"时"mm"分"ss"秒"', 57: 'yyyy"年"m"月"',
    58: 'm"月"d"日"',
}
_PLAIN = frozenset({"", "general", "@"})

_TOKEN = re.compile(
    r'"[^"]*"?|\\.|\[[^\]]*\]?|_.|\*.|(?i:general)|(?i:am/pm|a/p)|上午/下午|'
    r"[yY]+|[mM]+|[dD]+|[hH]+|[sS]+|[eE][+-]|[eE]+|a{3,4}|[0#?]|.",
    re.S,
)
_CJK = re.compile(r"[\u4e00-\u9fff]")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_WEEKDAYS_ZH = "一二三四五六日"
# The shapes _date_plan picks; "long" is [$-F800], the system long date of Chinese Windows.
_SHAPES = {
    "long": "{0.year}年{0.month}月{0.day}日", "month": "{0.year}年{0.month}月", "month-day": "{0.month}月{0.day}日",
    "month-day-time": "{0.month}月{0.day}日 {0:%H:%M}", "iso": "{0:%Y-%m-%d}", "iso-time": "{0:%Y-%m-%d %H:%M}",
}
_EPOCH_1900 = datetime(1899, 12, 30)
_EPOCH_1904 = datetime(1904, 1, 1)


def builtin_format(num_fmt_id: int) -> str:
    """The format code of a built-in number format id, as Chinese Excel shows it ("" for an unknown id)."""
    return _BUILTIN.get(num_fmt_id, "")


def is_plain(code: str) -> bool:
    """Whether a format shows values as they are (General, text): such cells need no formatting."""
    return _zh_general(code).strip().lower() in _PLAIN


def _zh_general(code: str) -> str:
    """Chinese Excel and WPS save General as G/通用格式."""
    return code.replace("G/通用格式", "General") if "G/" in code else code


def general(value: float) -> str:
    """A number as Excel's General format shows it: an integer without ".0", a fraction without float noise."""
    if not math.isfinite(value):
        return repr(value)
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    text = format(value, ".15g")  # 0.1 + 0.2 shows 0.3, as in Excel
    return text.replace("e+", "E+").replace("e-", "E-")


def display(value: object, code: str, date1904: bool = False) -> str | None:
    """``value`` (a calamine cell value) shown through the format ``code``; None when the format does not apply."""
    if isinstance(value, (str, bool)) or value is None:
        return None
    sections, dated = _compiled(code)
    if not sections:
        return None
    if dated:
        moment = _moment(value, date1904)
        return None if moment is None else _date_text(sections[0], moment)
    if isinstance(value, (int, float)) and math.isfinite(value):
        return _number_text(sections, float(value))
    return None


@lru_cache(maxsize=512)
def _compiled(code: str) -> tuple[tuple[tuple[str, ...], ...], bool]:
    """The format's sections (none for General or text) and whether it shows a date or time."""
    if is_plain(code):
        return (), False
    sections = _sections(code)
    return sections, _is_date(sections[0])


def _sections(code: str) -> tuple[tuple[str, ...], ...]:
    """The format's sections (positive;negative;zero;text), each as its tokens."""
    sections: list[list[str]] = [[]]
    for token in _TOKEN.findall(_zh_general(code)):
        if token == ";":
            sections.append([])
        else:
            sections[-1].append(token)
    return tuple(tuple(s) for s in sections)


def _is_date(tokens: tuple[str, ...]) -> bool:
    return any(t[0] in "yYmMdDhHsS" or t[0] == "e" and "+" not in t and "-" not in t for t in tokens) or any(
        t.upper() in ("[H]", "[M]", "[S]", "[HH]", "[MM]", "[SS]", "[$-F800]") for t in tokens
    )


def _moment(value: object, date1904: bool) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if isinstance(value, time):
        return datetime.combine(_EPOCH_1900.date(), value)
    if isinstance(value, timedelta):
        return _EPOCH_1900 + value
    if isinstance(value, (int, float)) and math.isfinite(value) and 0 <= value < 2_958_466:
        if date1904:
            return _EPOCH_1904 + timedelta(days=value)
        # Excel's 1900 system counts a 29 February 1900 that never was; serials before it start a day later.
        return (_EPOCH_1900 if value >= 61 else _EPOCH_1900 + timedelta(days=1)) + timedelta(days=value)
    return None


def _date_text(tokens: tuple[str, ...], moment: datetime) -> str:
    moment = _rounded_to_second(moment)
    shape, kinds = _date_plan(tokens)
    if shape.endswith("-time") and moment.time() == time(0):
        shape = shape[:-5]
    if shape in _SHAPES:
        return _SHAPES[shape].format(moment)
    if moment.time() == time(0) and {"y", "M", "d"} & set(kinds):
        # A date written with a midnight clock (openpyxl's yyyy-mm-dd h:mm:ss): the clock says nothing.
        clock = next((i for i, k in enumerate(kinds) if k in ("h", "n", "s", "p")), len(kinds))
        tokens, kinds = tokens[:clock], kinds[:clock]
    return _render_date(tokens, kinds, moment).strip(" :-/")


@lru_cache(maxsize=256)
def _date_plan(tokens: tuple[str, ...]) -> tuple[str, tuple[str, ...]]:
    """How a date format is shown: as written, or in a shape the time-node reader reads; and its tokens' kinds.

    Formats with Chinese text show as written. Others: a month-only one shows 2024年6月 (due at the month's end),
    a month and day 6月30日, and one naming the month in English, with a two-digit year or with the year last
    (d-mmm-yy, yy-m-d, m/d/yyyy) 2024-06-30.
    """
    kinds = tuple(_date_kinds(tokens))
    parts = {k for k in kinds if k}
    if "[$-F800]" in (t.upper() for t in tokens):
        return "long", kinds
    cjk = any(_CJK.search(t) for t, k in zip(tokens, kinds) if not k)
    clock = bool(parts & {"h", "n", "s"})
    if not cjk and "y" in parts and "M" in parts and "d" not in parts and not clock:
        return "month", kinds
    if cjk or not {"M", "d"} <= parts:
        return "as-written", kinds
    if "y" not in parts:
        return ("month-day-time" if clock else "month-day"), kinds
    odd = any(k in ("M", "d") and len(t) >= 3 or k == "y" and len(t) <= 2 for t, k in zip(tokens, kinds))
    first_year = kinds.index("y")
    if odd or any(k in ("M", "d") for k in kinds[:first_year]):
        return ("iso-time" if clock else "iso"), kinds
    return "as-written", kinds


def _rounded_to_second(moment: datetime) -> datetime:
    if moment.microsecond >= 500_000:
        return moment.replace(microsecond=0) + timedelta(seconds=1)
    return moment.replace(microsecond=0)


def _date_kinds(tokens: tuple[str, ...]) -> list[str]:
    """Each token's date part: y, M (month), d, h, n (minute), s, a (weekday), p (AM/PM), or "" for text."""
    kinds: list[str] = []
    for t in tokens:
        c = t[0]
        if c in "yYeE" and "+" not in t and "-" not in t:
            kinds.append("y")
        elif c in "mM":
            kinds.append("M")
        elif c in "dD":
            kinds.append("a" if len(t) >= 3 else "d")
        elif c in "hH" or t.upper() in ("[H]", "[HH]"):
            kinds.append("h")
        elif c in "sS" or t.upper() in ("[S]", "[SS]"):
            kinds.append("s")
        elif t.upper() in ("[M]", "[MM]"):
            kinds.append("n")
        elif t.upper() in ("AM/PM", "A/P") or t == "上午/下午":
            kinds.append("p")
        elif t in ("aaa", "aaaa"):
            kinds.append("a")
        else:
            kinds.append("")
    # An m or mm right after an hour or right before a second is minutes, not the month.
    parts = [i for i, k in enumerate(kinds) if k]
    for n, i in enumerate(parts):
        if kinds[i] == "M" and len(tokens[i]) <= 2:
            before = kinds[parts[n - 1]] if n else ""
            after = kinds[parts[n + 1]] if n + 1 < len(parts) else ""
            if before == "h" or after == "s":
                kinds[i] = "n"
    return kinds


def _render_date(tokens: tuple[str, ...], kinds: tuple[str, ...], moment: datetime) -> str:
    twelve = "p" in kinds
    out: list[str] = []
    for t, k in zip(tokens, kinds):
        width = len(t)
        if k == "y":
            out.append(f"{moment.year % 100:02d}" if width <= 2 and t[0] in "yY" else str(moment.year))
        elif k == "M":
            name = _MONTHS[moment.month - 1]
            out.append(
                (str(moment.month), f"{moment.month:02d}", name[:3], name, name[0])[min(width, 5) - 1]
            )
        elif k == "d":
            out.append(str(moment.day) if width == 1 else f"{moment.day:02d}")
        elif k == "a":
            wd = moment.weekday()
            if t[0] == "a":
                out.append(("星期" if width == 4 else "") + _WEEKDAYS_ZH[wd])
            else:
                out.append(_WEEKDAYS[wd][:3] if width == 3 else _WEEKDAYS[wd])
        elif k == "h":
            hour = (moment.hour % 12 or 12) if twelve else moment.hour
            out.append(str(hour) if width == 1 or t.startswith("[") else f"{hour:02d}")
        elif k in ("n", "s"):
            v = moment.minute if k == "n" else moment.second
            out.append(str(v) if width == 1 else f"{v:02d}")
        elif k == "p":
            pm = moment.hour >= 12
            out.append(("下午" if pm else "上午") if t == "上午/下午" else _am_pm(t, pm))
        else:
            out.append(_literal(t))
    return "".join(out)


def _am_pm(token: str, pm: bool) -> str:
    text = ("PM" if pm else "AM") if len(token) > 3 else ("P" if pm else "A")
    return text if token[0].isupper() else text.lower()


def _literal(token: str) -> str:
    """What a non-placeholder token shows: quoted text, an escaped character, a currency in [$¥-804]."""
    if token.startswith('"'):
        return token[1:-1] if token.endswith('"') and len(token) > 1 else token[1:]
    if token.startswith("\\"):
        return token[1:]
    if token.startswith("["):
        return token[2:].split("-", 1)[0].rstrip("]") if token.startswith("[$") else ""
    if token[0] == "_":
        return " "
    if token[0] == "*" or token in ("0", "#", "?"):
        return ""
    return token


def _number_text(sections: tuple[tuple[str, ...], ...], value: float) -> str | None:
    tokens = sections[0]
    signed = True
    conditional = any(t.startswith("[") and t[1:2] in "<>=" for t in tokens)
    if not conditional and value < 0 and len(sections) > 1:
        tokens, value, signed = sections[1], -value, False
    elif not conditional and value == 0 and len(sections) > 2:
        tokens = sections[2]
    layout = _layout(tokens)
    if layout is None:
        return general(value)  # scientific and fraction formats: shown as General
    if "@" in tokens:
        return None
    return _fixed(layout, value, signed).strip()


_WHOLE, _POINT = 0, 1


class _Layout(NamedTuple):
    """A number section worked out once: its pieces (_WHOLE, _POINT for the point and decimals, None for General,
    else literal text), how many decimals it shows at most and at least, and its scaling and grouping."""

    pieces: tuple[str | int | None, ...]
    decimals: int
    kept: int
    minimum: int
    grouped: bool
    percent: int


@lru_cache(maxsize=256)
def _layout(tokens: tuple[str, ...]) -> _Layout | None:
    if any(t[0] in "eE" and t[1:2] in ("+", "-") for t in tokens) or "/" in tokens:
        return None
    digits = [i for i, t in enumerate(tokens) if t in ("0", "#", "?")]
    point = next((i for i, t in enumerate(tokens) if t == "." and any(d > i for d in digits)), None)
    int_ph = [tokens[i] for i in digits if point is None or i < point]
    dec_ph = [tokens[i] for i in digits if point is not None and i > point]
    pieces: list[str | int | None] = []
    for i, t in enumerate(tokens):
        if i in digits or (t == "," and digits and digits[0] < i < digits[-1]):
            if _WHOLE not in pieces and (point is None or i < point):
                pieces.append(_WHOLE)
        elif i == point:
            pieces.extend(([] if _WHOLE in pieces else [_WHOLE]) + [_POINT])
        else:
            pieces.append(None if t.lower() == "general" else _literal(t))
    kept = "".join(dec_ph).rfind("0") + 1  # decimals up to the last 0 always show; # and ? after it only if not 0
    grouped = any(t == "," for t in tokens[digits[0]:digits[-1]]) if digits else False
    return _Layout(tuple(pieces), len(dec_ph), kept, int_ph.count("0"), grouped, tokens.count("%"))


def _fixed(layout: _Layout, value: float, signed: bool) -> str:
    scaled = Decimal(repr(abs(value))) * (100 ** layout.percent)
    try:
        number = scaled.quantize(Decimal(1).scaleb(-layout.decimals), rounding=ROUND_HALF_UP)
    except InvalidOperation:
        return general(value)
    whole, _, frac = f"{number:f}".partition(".")
    while len(frac) > layout.kept and frac.endswith("0"):
        frac = frac[:-1]
    whole = whole.lstrip("0").rjust(layout.minimum, "0")
    if layout.grouped and whole:
        whole = f"{int(whole):,}"
    out: list[str] = []
    if signed and value < 0 and number != 0 and None not in layout.pieces:
        out.append("-")
    for piece in layout.pieces:
        if piece is None:
            out.append(general(value))
        elif piece == _WHOLE:
            out.append(whole)
        elif piece == _POINT:
            out.append("." + frac)
        else:
            out.append(str(piece))
    return "".join(out)
