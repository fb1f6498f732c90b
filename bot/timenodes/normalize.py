"""Folding text to the one spelling the rules read, character for character so match offsets stay valid."""

from __future__ import annotations

import re

# Full-width digits and letters fold to ASCII and every dash to "-" (Chinese punctuation such as ，；（）
# is left alone; the patterns accept both widths). Only the traditional
# characters the rules read are folded (bureaus in Jiangsu and Guangdong still publish in traditional script).
# Each entry maps one character to one character: a match's offsets in the folded text are its offsets in
# the source, so a milestone quotes the source phrase exactly.
_SINGLE = {
    **{chr(0xFF10 + i): str(i) for i in range(10)},
    "Ｘ": "X", "ｘ": "x", "Ｏ": "O", "ｏ": "o", "＿": "_", "×": "x", "．": ".", "／": "/",
    "\u3000": " ", "\xa0": " ",
    "—": "-", "–": "-", "―": "-", "‐": "-", "‑": "-", "－": "-", "─": "-", "﹣": "-", "～": "~", "〜": "~",
    "內": "内", "終": "终", "長": "长", "續": "续", "態": "态", "達": "达", "現": "现", "較": "较",
    "時": "时", "適": "适", "盡": "尽", "標": "标", "週": "周", "個": "个", "兩": "两", "號": "号",
    "實": "实", "確": "确", "爭": "争", "進": "进", "執": "执", "開": "开", "來": "来", "對": "对",
    "課": "课", "間": "间", "節": "节", "點": "点", "辦": "办", "結": "结", "務": "务", "與": "与",
    "從": "从", "堅": "坚", "當": "当", "於": "于", "滿": "满", "後": "后", "為": "为",
    "○": "〇", "零": "〇",
}
TABLE = str.maketrans(_SINGLE)
# Most cells are simplified Chinese with ASCII digits and need no folding; a C-speed search says so.
_NEEDS_FOLD = re.compile("[" + re.escape("".join(_SINGLE)) + "]")
_CN_DIGITS = {"〇": 0, "O": 0, "o": 0, "0": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
              "六": 6, "七": 7, "八": 8, "九": 9}


def fold(text: str) -> str:
    """The text with width, dashes and the traditional characters the rules read folded; same length."""
    return text.translate(TABLE) if _NEEDS_FOLD.search(text) else text


def cn_number(token: str) -> int | None:
    """An integer from ASCII digits or Chinese numerals up to 99 (十二, 二十一, 三十); None if unreadable."""
    if not token:
        return None
    if token.isascii():
        return int(token) if token.isdecimal() else None
    if "十" in token:
        tens, _, units = token.partition("十")
        t = _CN_DIGITS.get(tens, -1) if tens else 1
        u = _CN_DIGITS.get(units, -1) if units else 0
        return None if t < 0 or u < 0 else t * 10 + u
    if len(token) == 1:
        return _CN_DIGITS.get(token)
    return None


def cn_year(token: str) -> int | None:
    """A year written digit by digit in Chinese numerals (二〇二三); None if unreadable."""
    digits = [_CN_DIGITS.get(c) for c in token]
    if len(digits) != 4 or any(d is None for d in digits):
        return None
    return int("".join(str(d) for d in digits))
