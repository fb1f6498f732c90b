"""Schedule columns named after a period: 时间进度安排 over 第一季度 | 第二季度 | …, or 3月底 | 6月底 | 年底.

Many bureaus split the deadline into one column per quarter, half-year or month and write in each what is to be
done by then ("制定实施方案" under 第一季度). Such a cell means "by the end of that period", so the reader puts
the column's name in front of it ("第一季度：制定实施方案") and the time nodes read the date from the name; a
cell that names its own time ("5月底前完成招标") keeps it.
"""

from __future__ import annotations

import re
import unicodedata

_CN = "一二三四五六七八九十"
_MONTH = rf"(?:1[0-2]|0?[1-9]|十[一二]?|[{_CN[:9]}])"
_QUARTER = r"(?:第?[1-4一二三四]季度|Q[1-4])"
# A whole label, once spaces and brackets are gone: 第一季度, 一季度末, Q2, 上半年, 年底前, 3月底, 1-3月, 十二月份.
_LABEL = re.compile(
    rf"(?:{_QUARTER}|上半年|下半年|年中|年底|年末|全年|"
    rf"{_MONTH}月份?|{_MONTH}[-—–~～至到]{_MONTH}月份?)"
    r"(?:末|底|中旬|上旬|下旬)?(?:前|止|完成)?",
    re.IGNORECASE,
)
_DROP = re.compile(r"[\s()（）\[\]【】:：]+")
_YEAR = re.compile(r"(?:19|20)\d{2}\s*年度?")
# A cell that says "nothing in this period": empty, a dash or slash, 无.
_NOTHING = re.compile(r"[\s/／\\\-—–_－~～、.。·…×xX]*|无|暂无")
# What a cell needs to carry its own time: a month, a quarter, a half-year or year end, or a numeric date.
_OWN_TIME = re.compile(
    rf"{_MONTH}\s*月|季度|上半年|下半年|年底|年末|年中|全年|(?:19|20)\d{{2}}\s*[-./年]"
    # a cell that says the work is ongoing or recurring is that, whichever period column it stands in
    r"|长期|持续|常态|每[年月季周日天]|按[年月季周]|定期"
)


def is_period_label(text: str) -> bool:
    """Whether a column's name is a period (quarter, half-year, month, year end) and nothing else."""
    value = _DROP.sub("", _YEAR.sub("", unicodedata.normalize("NFKC", text)))
    return bool(value) and _LABEL.fullmatch(value) is not None


def under_period(label: str, cell: str) -> str:
    """A schedule cell read with its column's period in front, unless it names its own time ("" for a dash)."""
    text = cell.strip()
    if _NOTHING.fullmatch(text):
        return ""
    if _OWN_TIME.search(unicodedata.normalize("NFKC", text)):
        return text
    return f"{unicodedata.normalize('NFKC', label).strip()}：{text}"
