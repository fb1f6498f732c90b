"""Which year a phrase means, and whether a bare year is a goal, a plain fact or history."""

from __future__ import annotations

import re

from bot.timenodes.normalize import cn_year
from bot.timenodes.patterns import CLAUSE_END, GOAL

# 今年/本年 is the document year; 明年/次年/下年/翌年/来年 the next; 去年/上年 the one before.
_RELATIVE = {"今": 0, "本": 0, "明": 1, "次": 1, "下": 1, "翌": 1, "来": 1, "去": -1, "上": -1}
_BEFORE, _AFTER = 6, 16


def named_year(m: re.Match[str], doc_year: int) -> int | None:
    """The year a date match names (None if it names none, so the document year applies)."""
    if (y := m.group("yn")) is not None:
        return int(y)
    if (y := m.group("yc")) is not None:
        return cn_year(y)
    if (r := m.group("yr")) is not None:
        return doc_year + _RELATIVE[r]
    return None


def is_relative_this_year(m: re.Match[str]) -> bool:
    """Whether the year is written 今年/本年 (always this year's year end, even without a goal word)."""
    return m.group("yr") in ("今", "本")


def near_goal(folded: str, start: int, end: int) -> bool:
    """Whether a goal word (达, 完成, 目标, 到…) stands in the same clause just before or after a span."""
    before = folded[max(0, start - _BEFORE) : start]
    cut = None
    for cut in CLAUSE_END.finditer(before):
        pass
    if cut is not None:
        before = before[cut.end() :]
    after = folded[end : end + _AFTER]
    stop = CLAUSE_END.search(after)
    if stop is not None:
        after = after[: stop.start()]
    return GOAL.search(before) is not None or GOAL.search(after) is not None
